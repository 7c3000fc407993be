/* test_rules_benchmarks.c: rules that only some benchmark versions have ("benchmarks" key, [ID@TAG] sections) beside renumbered ones (id@VERSION). */
#include "unit.h"

#include <errno.h>

#include "audit/rules.h"

#define RULE(sec, extra, title) \
	"[" sec "]\n" extra "title = " title "\nsection = 2 Daemon\nlevel = 1\nassessment = manual\n" \
	"severity = medium\nscope = daemon\n"

static const char *const GOOD = "[ruleset]\nname = t\nbenchmarks = 1.6.0, 1.8.0\n"
	RULE("2.6", "", "aufs")
	RULE("2.7@1.8.0", "benchmarks = 1.8.0\n", "devicemapper")
	RULE("2.7", "id@1.8.0 = 2.8\n", "tls")
	RULE("2.8", "id@1.8.0 = 2.9\n", "ulimits");

static int load(struct audit_ruleset *rs, const char *text, const char *bench, char *err, size_t errlen)
{
	return audit_ruleset_load_text(rs, "t.ini", text, strlen(text), bench, err, errlen);
}

static void expect(const char *bench, const char *const *ids, const char *const *titles, size_t n)
{
	struct audit_ruleset rs;
	char err[256] = "";
	if (load(&rs, GOOD, bench, err, sizeof(err)) < 0)
		fail_msg("%s: %s", bench, err);
	assert_int_equal(rs.n_rules, n);
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(rs.rules[i].id, ids[i]);
		assert_string_equal(rs.rules[i].title, titles[i]);
	}
	audit_ruleset_free(&rs);
}

static void test_profiles(void **state)
{
	expect("1.6.0", (const char *const[]){ "2.6", "2.7", "2.8" }, (const char *const[]){ "aufs", "tls", "ulimits" }, 3);
	expect("1.8.0", (const char *const[]){ "2.6", "2.7", "2.8", "2.9" },
	       (const char *const[]){ "aufs", "devicemapper", "tls", "ulimits" }, 4);
}

static void bad(const char *text, const char *bench, const char *want)
{
	struct audit_ruleset rs;
	char err[256] = "";
	assert_int_equal(load(&rs, text, bench, err, sizeof(err)), -EINVAL);
	if (!strstr(err, want))
		fail_msg("\"%s\" not in \"%s\"", want, err);
}

static void test_errors(void **state)
{
	const char *head = "[ruleset]\nbenchmarks = 1.6.0, 1.8.0\n";
	char text[2048];
	snprintf(text, sizeof(text), "%s" RULE("2.7@x", "benchmarks = 1.9.0\n", "a"), head);
	bad(text, "1.6.0", "benchmark \"1.9.0\" is not in [ruleset] benchmarks");
	snprintf(text, sizeof(text), "%s" RULE("2.7@x", "benchmarks =\n", "a"), head);
	bad(text, "1.8.0", "benchmarks must list versions");
	snprintf(text, sizeof(text), "%s" RULE("2.7@x", "benchmarks@1.8.0 = 1.8.0\n", "a"), head);
	bad(text, "1.8.0", "benchmarks must list versions, without @VERSION");
	/* a tagged section in every profile collides with the plain one */
	snprintf(text, sizeof(text), "%s" RULE("2.7@x", "", "a") RULE("2.7", "", "b"), head);
	bad(text, "1.6.0", "two rules are 2.7 in benchmark 1.6.0");
	snprintf(text, sizeof(text), "%s" RULE("2.7@", "", "a"), head);
	bad(text, "1.6.0", "a rule's section is its id");
	/* both profiles have their own 2.7: fine in each */
	snprintf(text, sizeof(text), "%s" RULE("2.7@old", "benchmarks = 1.6.0\n", "a")
		 RULE("2.7@new", "benchmarks = 1.8.0\n", "b"), head);
	struct audit_ruleset rs;
	char err[256] = "";
	assert_int_equal(load(&rs, text, "1.8.0", err, sizeof(err)), 0);
	assert_int_equal(rs.n_rules, 1);
	assert_string_equal(rs.rules[0].id, "2.7");
	assert_string_equal(rs.rules[0].title, "b");
	audit_ruleset_free(&rs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_profiles),
		cmocka_unit_test(test_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
