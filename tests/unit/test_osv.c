/* test_osv.c: reading real OSV records (tests/fixtures/osv/), CVSS v3 base scores against published ones, and rejected records. */
#include "unit.h"

#include <errno.h>

#include "vuln/cvss.h"
#include "vuln/osv.h"

static void parse_fixture(const char *name, struct osv_record *rec)
{
	const char *src = getenv("DOCKWARD_SRC");
	char path[4096], err[256] = "";
	snprintf(path, sizeof(path), "%s%stests/fixtures/osv/%s", src ? src : "", src ? "/" : "", name);
	char *text = NULL;
	size_t len = 0;
	int r = read_file_capped(path, OSV_MAX_RECORD_BYTES, &text, &len);
	if (r < 0)
		fail_msg("cannot read %s: %s", path, strerror(-r));
	if (osv_parse(text, len, rec, err, sizeof(err)) < 0)
		fail_msg("%s: %s", name, err);
	free(text);
}

static int parse_text(const char *text, struct osv_record *rec, char *err, size_t errlen)
{
	return osv_parse(text, strlen(text), rec, err, errlen);
}

static void test_go_record(void **state)
{
	struct osv_record r;
	parse_fixture("go/GO-2024-3228.json", &r);
	assert_string_equal(r.id, "GO-2024-3228");
	assert_int_equal(r.n_aliases, 1);
	assert_string_equal(r.aliases[0], "GHSA-wcx9-ccpj-hx3c");
	assert_false(r.withdrawn);
	assert_int_equal(r.n_affected, 2);
	const struct osv_affected *a = &r.affected[1];
	assert_string_equal(a->ecosystem, "Go");
	assert_string_equal(a->name, "github.com/coder/coder/v2");
	assert_int_equal(a->n_ranges, 1);
	assert_int_equal(a->ranges[0].type, OSV_RANGE_SEMVER);
	assert_int_equal(a->ranges[0].n_events, 6);
	assert_int_equal(a->ranges[0].events[0].kind, OSV_INTRODUCED);
	assert_string_equal(a->ranges[0].events[0].version, "2.3.1");
	assert_int_equal(a->ranges[0].events[5].kind, OSV_FIXED);
	assert_string_equal(a->ranges[0].events[5].version, "2.16.1");
	assert_string_equal(r.severity, "unknown");
	assert_true(r.cvss_score < 0);
	assert_string_equal(r.cvss_vector, "");
	osv_record_free(&r);
}

static void test_withdrawn_record(void **state)
{
	struct osv_record r;
	parse_fixture("go/GO-2024-2730.json", &r);
	assert_true(r.withdrawn);
	osv_record_free(&r);
}

static void test_pypi_versions_list(void **state)
{
	struct osv_record r;
	parse_fixture("pypi/PYSEC-2024-57.json", &r);
	assert_int_equal(r.n_affected, 1);
	assert_string_equal(r.affected[0].ecosystem, "PyPI");
	assert_string_equal(r.affected[0].name, "django");
	assert_int_equal(r.affected[0].n_versions, 21);
	assert_string_equal(r.affected[0].versions[0], "4.2");
	assert_int_equal(r.affected[0].ranges[0].type, OSV_RANGE_ECOSYSTEM);
	assert_string_equal(r.aliases[0], "CVE-2024-39329");
	/* no summary: the first line of details stands in, bounded */
	assert_true(strncmp(r.summary, "An issue was discovered in Django 5.0", 37) == 0);
	assert_true(strlen(r.summary) <= 240);
	osv_record_free(&r);
}

static void test_crates_cvss_v3(void **state)
{
	struct osv_record r;
	parse_fixture("crates/RUSTSEC-2021-0067.json", &r);
	assert_string_equal(r.cvss_vector, "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H");
	assert_true(r.cvss_score > 8.79 && r.cvss_score < 8.81);      /* NVD: 8.8 for CVE-2021-32629 */
	assert_string_equal(r.severity, "high");
	assert_int_equal(r.n_aliases, 2);
	osv_record_free(&r);
}

static void test_crates_cvss_v4_only(void **state)
{
	struct osv_record r;
	parse_fixture("crates/RUSTSEC-2026-0223.json", &r);
	assert_true(r.cvss_score < 0);
	assert_string_equal(r.cvss_vector, "CVSS:4.0/AV:N/AC:H/AT:P/PR:H/UI:P/VC:N/VI:L/VA:L/SC:N/SI:N/SA:N");
	assert_string_equal(r.severity, "unknown");
	osv_record_free(&r);
}

static void test_debian_records(void **state)
{
	struct osv_record r;
	parse_fixture("examples/DSA-3029-1.json", &r);
	assert_string_equal(r.affected[0].ecosystem, "Debian:7");
	assert_string_equal(r.affected[0].name, "nginx");
	assert_string_equal(r.affected[0].ranges[0].events[1].version, "1.2.1-2.2+wheezy3");
	assert_string_equal(r.summary, "nginx - security update");
	osv_record_free(&r);
	/* a DLA that lists upstream CVEs but no affected packages */
	parse_fixture("examples/DLA-3623-1.json", &r);
	assert_int_equal(r.n_affected, 0);
	osv_record_free(&r);
}

static void test_vendor_severity(void **state)
{
	struct osv_record r;
	char err[256];
	assert_int_equal(parse_text("{\"id\":\"GHSA-1\",\"database_specific\":{\"severity\":\"MODERATE\"},"
				    "\"severity\":[{\"type\":\"CVSS_V4\",\"score\":\"CVSS:4.0/AV:N\"}],"
				    "\"affected\":[{\"package\":{\"ecosystem\":\"npm\",\"name\":\"x\"},"
				    "\"ranges\":[{\"type\":\"SEMVER\",\"events\":[{\"introduced\":\"0\"},{\"fixed\":\"1.0.0\"}]},"
				    "{\"type\":\"GIT\",\"repo\":\"https://x\",\"events\":[{\"introduced\":\"abc\"}]}]}]}",
				    &r, err, sizeof(err)), 0);
	assert_string_equal(r.severity, "medium");
	assert_string_equal(r.cvss_vector, "CVSS:4.0/AV:N");
	assert_int_equal(r.affected[0].n_ranges, 1);    /* the GIT range is left out */
	osv_record_free(&r);
	assert_int_equal(parse_text("{\"id\":\"UBUNTU-1\",\"affected\":[{\"package\":{\"ecosystem\":\"Ubuntu:22.04:LTS\","
				    "\"name\":\"y\"},\"versions\":[\"1.0-1\"],\"ecosystem_specific\":{\"severity\":\"high\"}}]}",
				    &r, err, sizeof(err)), 0);
	assert_string_equal(r.severity, "high");
	assert_int_equal(r.affected[0].n_ranges, 0);
	assert_int_equal(r.affected[0].n_versions, 1);
	osv_record_free(&r);
	/* a v3 score decides over the vendor's word; 0.0 is reported as low */
	assert_int_equal(parse_text("{\"id\":\"GHSA-2\",\"database_specific\":{\"severity\":\"CRITICAL\"},"
				    "\"severity\":[{\"type\":\"CVSS_V3\",\"score\":\"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N\"}]}",
				    &r, err, sizeof(err)), 0);
	assert_string_equal(r.severity, "low");
	assert_true(r.cvss_score == 0.0);
	osv_record_free(&r);
}

static void test_affected_entries_left_out(void **state)
{
	/* a GIT-only entry and an entry without a package are left out; the rest is kept */
	struct osv_record r;
	char err[256];
	assert_int_equal(parse_text("{\"id\":\"X-3\",\"affected\":[{\"package\":{\"ecosystem\":\"Go\",\"name\":\"a\"},"
				    "\"ranges\":[{\"type\":\"GIT\",\"repo\":\"r\",\"events\":[{\"introduced\":\"0\"}]}]},"
				    "{\"ranges\":[]},{\"package\":{\"ecosystem\":\"Go\",\"name\":\"b\"},\"versions\":[\"1.0.0\"]}]}",
				    &r, err, sizeof(err)), 0);
	assert_int_equal(r.n_affected, 1);
	assert_string_equal(r.affected[0].name, "b");
	osv_record_free(&r);
}

static void rejects(const char *text, const char *reason_part)
{
	struct osv_record r;
	char err[256] = "";
	assert_true(parse_text(text, &r, err, sizeof(err)) < 0);
	if (!strstr(err, reason_part))
		fail_msg("reason \"%s\" does not mention \"%s\"", err, reason_part);
	assert_null(r.id);
}

static void test_bad_records(void **state)
{
	rejects("{\"id\":", "");
	rejects("[1,2]", "not a JSON object");
	rejects("{\"summary\":\"x\"}", "id");
	rejects("{\"id\":\"X-1\",\"affected\":[{\"package\":{\"ecosystem\":\"PyPI\",\"name\":\"a\"},"
		"\"ranges\":[{\"type\":\"ECOSYSTEM\",\"events\":[{\"fixed\":\"1.0\"}]}]}]}", "no introduced");
	rejects("{\"id\":\"X-1\",\"affected\":[{\"package\":{\"ecosystem\":\"PyPI\",\"name\":\"a\"},"
		"\"ranges\":[{\"type\":\"ECOSYSTEM\",\"events\":[{\"introduced\":\"0\"},{\"fixed\":\"\"}]}]}]}", "event 1");
	rejects("{\"id\":\"X-1\",\"affected\":[{\"package\":{\"ecosystem\":\"PyPI\",\"name\":\"a\\nb\"},"
		"\"versions\":[\"1\"]}]}", "control characters");
	rejects("{\"id\":\"X-1\",\"aliases\":[1]}", "aliases[0]");
	/* nesting beyond the bound is refused before yajl builds a tree */
	char deep[200];
	memset(deep, '[', sizeof(deep) - 1);
	deep[sizeof(deep) - 1] = '\0';
	rejects(deep, "");
	/* an over-long record */
	struct osv_record r;
	char err[128];
	assert_int_equal(osv_parse("{}", OSV_MAX_RECORD_BYTES + 1, &r, err, sizeof(err)), -E2BIG);
}

static void test_cvss_published_scores(void **state)
{
	static const struct {
		const char *vector;
		double score;
		const char *severity;
	} cases[] = {
		{ "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8, "critical" },
		{ "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0, "critical" }, /* CVE-2021-44228 */
		{ "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", 7.5, "high" },
		{ "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H", 8.1, "high" },
		{ "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:N/I:N/A:H", 5.5, "medium" },
		{ "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1, "medium" },
		{ "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H", 9.9, "critical" },
		{ "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:N/I:H/A:N", 8.6, "high" },
		{ "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:C/C:H/I:H/A:H", 9.0, "critical" },
		{ "CVSS:3.1/AV:N/AC:H/PR:L/UI:N/S:C/C:H/I:H/A:H", 8.5, "high" },
		{ "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:L/I:N/A:N", 5.8, "medium" },
		{ "CVSS:3.1/AV:P/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N", 2.4, "low" },
		{ "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", 0.0, "none" },
		{ "CVSS:3.0/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H", 8.8, "high" },
		{ "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:P/RL:O/RC:C", 9.8, "critical" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		double s = -1;
		assert_int_equal(cvss3_base_score(cases[i].vector, &s), 0);
		if (s < cases[i].score - 0.001 || s > cases[i].score + 0.001)
			fail_msg("%s: %.1f, published %.1f", cases[i].vector, s, cases[i].score);
		assert_string_equal(cvss3_severity(s), cases[i].severity);
	}
}

static void test_cvss_malformed(void **state)
{
	static const char *const bad[] = {
		"", "CVSS:3.1/", "CVSS:2.0/AV:N/AC:L/Au:N/C:P/I:P/A:P", "AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
		"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H",             /* A missing */
		"CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",         /* bad value */
		"CVSS:3.1/AV:N/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",    /* twice */
		"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/",        /* trailing slash */
		"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:HH",
		"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/ZZ:1",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		double s;
		if (cvss3_base_score(bad[i], &s) != -EINVAL)
			fail_msg("accepted \"%s\"", bad[i]);
	}
}

static void test_severity_words(void **state)
{
	assert_string_equal(severity_normalize("MODERATE"), "medium");
	assert_string_equal(severity_normalize("Important"), "high");
	assert_string_equal(severity_normalize("unimportant"), "low");
	assert_string_equal(severity_normalize("CRITICAL"), "critical");
	assert_string_equal(severity_normalize("whatever"), "unknown");
	assert_string_equal(severity_normalize(NULL), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_go_record),
		cmocka_unit_test(test_withdrawn_record),
		cmocka_unit_test(test_pypi_versions_list),
		cmocka_unit_test(test_crates_cvss_v3),
		cmocka_unit_test(test_crates_cvss_v4_only),
		cmocka_unit_test(test_debian_records),
		cmocka_unit_test(test_vendor_severity),
		cmocka_unit_test(test_affected_entries_left_out),
		cmocka_unit_test(test_bad_records),
		cmocka_unit_test(test_cvss_published_scores),
		cmocka_unit_test(test_cvss_malformed),
		cmocka_unit_test(test_severity_words),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
