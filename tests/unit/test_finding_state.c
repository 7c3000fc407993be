/* test_finding_state.c: finding ids, raise/update/resolve rounds, scopes, unevaluated rules, removed objects, persistence. */
#include "unit.h"

#include <errno.h>
#include <unistd.h>

#include "daemon/finding_state.h"

struct seen {
	int n;
	enum finding_change change[32];
	char id[32][FINDING_ID_LEN + 1];
	char rule[32][32];
	char reason[32][32];
};

static int record(void *user, const struct finding_state_change *c)
{
	struct seen *s = user;
	assert_true(s->n < 32);
	s->change[s->n] = c->change;
	snprintf(s->id[s->n], sizeof(s->id[0]), "%s", c->id);
	snprintf(s->rule[s->n], sizeof(s->rule[0]), "%s", c->f->rule_id);
	snprintf(s->reason[s->n], sizeof(s->reason[0]), "%s", c->reason ? c->reason : "");
	assert_true(c->change == CHANGE_RESOLVED ? !c->f->failed : c->f->failed);
	s->n++;
	return 0;
}

static struct finding failing(const char *rule, const char *container, const char *evidence)
{
	return (struct finding){ .cls = FINDING_COMPLIANCE, .engine = "audit", .rule_id = rule,
				 .object_type = OBJECT_CONTAINER, .object_id = container, .severity = SEVERITY_HIGH,
				 .failed = true, .evidence = evidence, .title = "t" };
}

static void round_of(struct finding_state *st, const char *object, const struct finding *fs, size_t n)
{
	assert_int_equal(finding_state_begin(st, "audit", OBJECT_CONTAINER, object, false), 0);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(finding_state_report(st, &fs[i], 1000), 0);
	assert_int_equal(finding_state_end(st, 2000), 0);
}

static void test_ids_are_stable_and_distinct(void **state)
{
	(void)state;
	char a[FINDING_ID_LEN + 1], b[FINDING_ID_LEN + 1], c[FINDING_ID_LEN + 1], d[FINDING_ID_LEN + 1];
	struct finding f = failing("5.4", "c1", "x");
	finding_id("host1", &f, a);
	f.evidence = "other evidence";
	finding_id("host1", &f, b);
	assert_string_equal(a, b);      /* evidence is not identity */
	finding_id("host2", &f, c);
	assert_string_not_equal(a, c);
	/* ("5.4","c1") and ("5.4c","1") must not collide */
	struct finding g = failing("5.4c", "1", "x");
	finding_id("host1", &g, d);
	assert_string_not_equal(a, d);
	assert_int_equal(strlen(a), FINDING_ID_LEN);
}

static void test_raise_update_resolve(void **state)
{
	(void)state;
	struct seen s = { 0 };
	struct finding_state st;
	assert_int_equal(finding_state_init(&st, "h", record, &s), 0);
	struct finding f[2] = { failing("5.4", "c1", "cap SYS_ADMIN"), failing("5.11", "c1", "no limit") };
	round_of(&st, NULL, f, 2);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.change[0], CHANGE_RAISED);
	assert_int_equal(s.change[1], CHANGE_RAISED);
	/* the same again: nothing to say */
	round_of(&st, NULL, f, 2);
	assert_int_equal(s.n, 2);
	/* evidence changed: an update with the same id */
	f[0].evidence = "cap SYS_ADMIN, NET_ADMIN";
	round_of(&st, NULL, f, 2);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.change[2], CHANGE_UPDATED);
	assert_string_equal(s.id[2], s.id[0]);
	/* 5.11 passes explicitly, 5.4 is no longer reported: both resolved */
	struct finding pass = f[1];
	pass.failed = false;
	round_of(&st, NULL, &pass, 1);
	assert_int_equal(s.n, 5);
	assert_int_equal(s.change[3], CHANGE_RESOLVED);
	assert_int_equal(s.change[4], CHANGE_RESOLVED);
	assert_string_equal(s.reason[3], "check passed");
	assert_string_equal(s.reason[4], "no longer reported");
	assert_int_equal(st.n_open, 0);
	/* failing again raises again, under the same id */
	round_of(&st, NULL, f, 1);
	assert_int_equal(s.change[5], CHANGE_RAISED);
	assert_string_equal(s.id[5], s.id[0]);
	finding_state_free(&st);
}

static void test_targeted_round_touches_only_its_object(void **state)
{
	(void)state;
	struct seen s = { 0 };
	struct finding_state st;
	assert_int_equal(finding_state_init(&st, "h", record, &s), 0);
	struct finding f[2] = { failing("5.4", "c1", "x"), failing("5.4", "c2", "x") };
	round_of(&st, NULL, f, 2);
	/* re-audit of c2 alone finds it clean: c1 stays open */
	round_of(&st, "c2", NULL, 0);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.change[2], CHANGE_RESOLVED);
	assert_string_equal(s.id[2], s.id[1]);
	assert_int_equal(st.n_open, 1);
	/* another engine's round does not resolve the audit's findings */
	assert_int_equal(finding_state_begin(&st, "scan", -1, NULL, false), 0);
	assert_int_equal(finding_state_end(&st, 3000), 0);
	assert_int_equal(st.n_open, 1);
	finding_state_free(&st);
}

static void test_unevaluated_rule_keeps_findings_open(void **state)
{
	(void)state;
	struct seen s = { 0 };
	struct finding_state st;
	assert_int_equal(finding_state_init(&st, "h", record, &s), 0);
	struct finding f = failing("2.1", "c1", "x");
	round_of(&st, NULL, &f, 1);
	assert_int_equal(finding_state_begin(&st, "audit", -1, NULL, false), 0);
	finding_state_keep_rule(&st, "2.1");
	assert_int_equal(finding_state_end(&st, 3000), 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(st.n_open, 1);
	finding_state_free(&st);
}

static void test_removed_object_and_full_report(void **state)
{
	(void)state;
	struct seen s = { 0 };
	struct finding_state st;
	assert_int_equal(finding_state_init(&st, "h", record, &s), 0);
	struct finding f[3] = { failing("5.4", "c1", "x"), failing("5.11", "c1", "x"), failing("5.4", "c2", "x") };
	round_of(&st, NULL, f, 3);
	assert_int_equal(finding_state_close_object(&st, OBJECT_CONTAINER, "c1", 5000), 0);
	assert_int_equal(s.n, 5);
	assert_string_equal(s.reason[3], "object removed");
	assert_string_equal(s.reason[4], "object removed");
	/* the first full report after a start re-sends what is open, unchanged or not */
	assert_int_equal(finding_state_begin(&st, "audit", -1, NULL, true), 0);
	assert_int_equal(finding_state_report(&st, &f[2], 6000), 0);
	assert_int_equal(finding_state_end(&st, 6000), 0);
	assert_int_equal(s.n, 6);
	assert_int_equal(s.change[5], CHANGE_UPDATED);
	finding_state_free(&st);
}

static void test_persistence(void **state)
{
	(void)state;
	char dir[] = "/tmp/dwfsXXXXXX", path[64], err[256] = "";
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/findings.state", dir);
	struct seen s = { 0 };
	struct finding_state st;
	assert_int_equal(finding_state_init(&st, "h", record, &s), 0);
	struct finding f[2] = { failing("5.4", "c1", "x\ty\n\"z\""), failing("5.11", "c2", "x") };
	f[1].object_name = "n\xff";     /* not UTF-8: repaired, still loads */
	round_of(&st, NULL, f, 2);
	assert_int_equal(finding_state_save(&st, path, err, sizeof(err)), 0);
	finding_state_free(&st);

	struct seen s2 = { 0 };
	assert_int_equal(finding_state_init(&st, "h", record, &s2), 0);
	assert_int_equal(finding_state_load(&st, path, err, sizeof(err)), 0);
	assert_int_equal(st.n_open, 2);
	/* remembered: the same findings say nothing, a missing one resolves */
	round_of(&st, NULL, f, 1);
	assert_int_equal(s2.n, 1);
	assert_int_equal(s2.change[0], CHANGE_RESOLVED);
	assert_string_equal(s2.id[0], s.id[1]);
	finding_state_free(&st);

	/* corrupt lines are refused with a line number */
	assert_int_equal(finding_state_init(&st, "h", NULL, NULL), 0);
	const char bad[] = "{\"id\":\"0123456789abcdef0123456789abcdef\",\"evidence_hash\":\"1\",\"class\":\"compliance\","
			   "\"object_type\":\"container\",\"engine\":\"audit\",\"object_id\":\"c\"}\n{\"id\":\"short\"}\n";
	assert_int_equal(finding_state_load_text(&st, bad, sizeof(bad) - 1, err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "line 2"));
	finding_state_free(&st);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ids_are_stable_and_distinct),
		cmocka_unit_test(test_raise_update_resolve),
		cmocka_unit_test(test_targeted_round_touches_only_its_object),
		cmocka_unit_test(test_unevaluated_rule_keeps_findings_open),
		cmocka_unit_test(test_removed_object_and_full_report),
		cmocka_unit_test(test_persistence),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
