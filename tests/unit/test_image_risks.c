/* test_image_risks.c: root user, healthcheck, secret-looking ENV and history (names only, never values), setuid walk. */
#include "unit.h"

#include <sys/stat.h>
#include <unistd.h>

#include "image/archive.h"
#include "image/imagefs.h"
#include "image/risks.h"

static size_t count(const struct risk_list *l, enum risk_kind k)
{
	size_t n = 0;
	for (size_t i = 0; i < l->len; i++)
		n += l->items[i].kind == k;
	return n;
}

static void user_variants(void **state)
{
	(void)state;
	static const struct {
		const char *user;
		bool root;
	} cases[] = {
		{ "", true }, { "root", true }, { "0", true }, { "0:0", true }, { "root:app", true },
		{ "app", false }, { "1000", false }, { "1000:0", false }, { "00", false }, { "rooty", false },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct image_facts f = { .user = cases[i].user, .healthcheck = true };
		struct risk_list l = { 0 };
		assert_int_equal(image_risks_config(&f, &l), 0);
		if (count(&l, RISK_ROOT_USER) != (cases[i].root ? 1u : 0u))
			fail_msg("user \"%s\"", cases[i].user);
		assert_int_equal(count(&l, RISK_NO_HEALTHCHECK), 0);
		risk_list_free(&l);
	}
	struct image_facts f = { .user = "app", .healthcheck = false };
	struct risk_list l = { 0 };
	assert_int_equal(image_risks_config(&f, &l), 0);
	assert_int_equal(l.len, 1);
	assert_int_equal(l.items[0].kind, RISK_NO_HEALTHCHECK);
	assert_string_equal(risk_cis(l.items[0].kind), "4.6");
	risk_list_free(&l);
}

static void secrets_by_name_never_value(void **state)
{
	(void)state;
	const char *env[] = {
		"PATH=/usr/bin", "DB_PASSWORD=hunter2", "GITHUB_TOKEN=ghp_abc", "AWS_SECRET_ACCESS_KEY=wJalr",
		"MY_API_KEY=k", "PASSWORD_FILE=/run/secrets/pw", "EMPTY_SECRET=", "TLS_KEY=-----BEGIN RSA PRIVATE KEY-----\nMII",
		"TOKENIZER=bert",
	};
	const char *history[] = {
		"/bin/sh -c #(nop) ADD file:abc in / ",
		"|2 NPM_TOKEN=npm_s3cr3t BUILD=1 /bin/sh -c npm ci",
		"/bin/sh -c #(nop)  ENV DB_PASSWORD=hunter2",
		"/bin/sh -c echo '-----BEGIN OPENSSH PRIVATE KEY-----' > /root/.ssh/id",
		"/bin/sh -c #(nop)  ARG GH_TOKEN=",
		NULL,
	};
	struct image_facts f = { .user = "app", .healthcheck = true, .env = env, .n_env = 9, .history = history,
				 .n_history = 6 };
	struct risk_list l = { 0 };
	assert_int_equal(image_risks_config(&f, &l), 0);
	char names[512] = "";
	for (size_t i = 0; i < l.len; i++) {
		strcat(names, l.items[i].subject);
		strcat(names, ";");
		/* no value ever appears in what is reported */
		const char *values[] = { "hunter2", "ghp_abc", "wJalr", "npm_s3cr3t", "MII", "=k" };
		for (size_t v = 0; v < 6; v++) {
			assert_null(strstr(l.items[i].subject, values[v]));
			assert_null(strstr(l.items[i].detail, values[v]));
		}
	}
	/* TOKENIZER matches TOKEN by design: a name is all we judge by */
	assert_string_equal(names, "DB_PASSWORD;GITHUB_TOKEN;AWS_SECRET_ACCESS_KEY;MY_API_KEY;TLS_KEY;TOKENIZER;"
			    "history step 2: NPM_TOKEN;history step 4;");
	assert_int_equal(count(&l, RISK_SECRET_ENV), 6);
	assert_int_equal(count(&l, RISK_SECRET_HISTORY), 2);
	assert_int_equal(l.items[0].severity, SEV_HIGH);
	risk_list_free(&l);
}

static void setuid_walk(void **state)
{
	(void)state;
	char tmp[] = "/tmp/dwriskXXXXXX";
	assert_non_null(mkdtemp(tmp));
	char p[128];
	snprintf(p, sizeof(p), "%s/bin", tmp);
	mkdir(p, 0755);
	const struct {
		const char *name;
		mode_t mode;
	} files[] = { { "bin/su", 04755 }, { "bin/wall", 02755 }, { "bin/ls", 0755 }, { "bin/both", 06755 } };
	for (size_t i = 0; i < 4; i++) {
		snprintf(p, sizeof(p), "%s/%s", tmp, files[i].name);
		FILE *fp = fopen(p, "w");
		fclose(fp);
		chmod(p, files[i].mode);
	}
	struct imagefs *fs;
	assert_int_equal(imagefs_open_dir(tmp, &fs), 0);
	struct risk_list l = { 0 };
	size_t visited;
	bool truncated;
	assert_int_equal(image_risks_setuid(fs, 0, &l, &visited, &truncated), 0);
	assert_int_equal(visited, 5);
	assert_false(truncated);
	assert_int_equal(l.len, 3);
	assert_string_equal(l.items[0].subject, "/bin/both");
	assert_string_equal(l.items[0].detail, "setuid+setgid, mode 6755");
	assert_string_equal(l.items[1].subject, "/bin/su");
	assert_string_equal(l.items[2].subject, "/bin/wall");
	assert_string_equal(l.items[2].detail, "setgid, mode 2755");
	risk_list_free(&l);
	assert_int_equal(image_risks_setuid(fs, 2, &l, &visited, &truncated), 0);
	assert_true(truncated);
	risk_list_free(&l);
	imagefs_close(fs);
	assert_int_equal(remove_tree(tmp), 0);
}

static void severities(void **state)
{
	(void)state;
	assert_int_equal(severity_parse("HIGH"), SEV_HIGH);
	assert_int_equal(severity_parse("moderate"), SEV_MEDIUM);
	assert_int_equal(severity_parse("bogus"), -1);
	assert_string_equal(severity_name(SEV_CRITICAL), "critical");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(user_variants),
		cmocka_unit_test(secrets_by_name_never_value),
		cmocka_unit_test(setuid_walk),
		cmocka_unit_test(severities),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
