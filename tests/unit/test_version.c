/* test_version.c: every row of the upstream version-comparison vectors in tests/fixtures/versions/, and Maven's documented order. */
#include "unit.h"

#include "vuln/version.h"

static char *versions_fixture(const char *name)
{
	const char *src = getenv("DOCKWARD_SRC");
	char path[4096];
	snprintf(path, sizeof(path), "%s%stests/fixtures/versions/%s", src ? src : "", src ? "/" : "", name);
	char *text = NULL;
	size_t n = 0;
	int r = read_file_capped(path, (size_t)1 << 20, &text, &n);
	if (r < 0)
		fail_msg("cannot read fixture %s: %s", path, strerror(-r));
	return text;
}

static int sign(int v)
{
	return (v > 0) - (v < 0);
}

/* Runs every "a<TAB>b<TAB>sign" row (and apk's "OP:x" rows); each row is
 * also checked reversed. Returns the number of rows run. */
static size_t run_vectors(enum version_scheme s, const char *name)
{
	char *text = versions_fixture(name);
	size_t rows = 0, bad = 0;
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		if (line[0] == '#' || !line[0])
			continue;
		char *a = line, *b = strchr(a, '\t');
		assert_non_null(b);
		*b++ = '\0';
		char *want = strchr(b, '\t');
		assert_non_null(want);
		*want++ = '\0';
		rows++;
		if (strncmp(want, "OP:", 3) == 0) {
			if (!version_apk_match(a, want + 3, b)) {
				print_error("%s: %s %s %s should hold\n", name, a, want + 3, b);
				bad++;
			}
			continue;
		}
		int w = atoi(want);
		int got = sign(version_compare(s, a, b)), back = sign(version_compare(s, b, a));
		if (got != w || back != -w) {
			print_error("%s: cmp(%s, %s) = %d, reversed %d, want %d\n", name, a, b, got, back, w);
			bad++;
		}
	}
	free(text);
	assert_int_equal(bad, 0);
	return rows;
}

static void test_dpkg_vectors(void **state)
{
	assert_int_equal(run_vectors(VERSION_DPKG, "dpkg.tsv"), 43);
}

static void test_apk_vectors(void **state)
{
	assert_int_equal(run_vectors(VERSION_APK, "apk.tsv"), 754);
}

static void test_rpm_vectors(void **state)
{
	assert_int_equal(run_vectors(VERSION_RPM, "rpm.tsv"), 91);
}

static void test_pep440_vectors(void **state)
{
	assert_int_equal(run_vectors(VERSION_PEP440, "pep440.tsv"), 1492);
}

static void test_semver_vectors(void **state)
{
	assert_int_equal(run_vectors(VERSION_SEMVER, "semver-npm.tsv"), 41);
}

static void test_go_vectors(void **state)
{
	assert_int_equal(run_vectors(VERSION_GO, "go-semver.tsv"), 576);
}

/* One version per line; "!" in front means the scheme must reject it. */
static void run_validity(enum version_scheme s, const char *name, bool all_invalid)
{
	char *text = versions_fixture(name);
	size_t rows = 0, bad = 0;
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		if (line[0] == '#')
			continue;
		bool want = !all_invalid && line[0] != '!';
		const char *v = line + (line[0] == '!');
		rows++;
		if (version_valid(s, v) != want) {
			print_error("%s: \"%s\" should be %s\n", name, v, want ? "valid" : "invalid");
			bad++;
		}
	}
	free(text);
	assert_int_equal(bad, 0);
	assert_true(rows > 5);
}

static void test_apk_validity(void **state)
{
	run_validity(VERSION_APK, "apk-validity.txt", false);
	/* and the "!" line (an empty version) was among them */
	assert_false(version_valid(VERSION_APK, ""));
}

static void test_go_invalid(void **state)
{
	run_validity(VERSION_GO, "go-semver-invalid.txt", true);
	/* invalid sorts before valid, invalids compare equal */
	assert_true(version_compare(VERSION_GO, "bad", "v0.0.0") < 0);
	assert_int_equal(version_compare(VERSION_GO, "bad", "v1-pre"), 0);
}

static void test_go_osv_spelling(void **state)
{
	/* OSV Go records drop the v; pseudo-versions and +incompatible */
	assert_int_equal(version_compare(VERSION_GO, "v1.2.3", "1.2.3"), 0);
	assert_true(version_compare(VERSION_GO, "v0.0.0-20210101000000-abcdefabcdef", "0.0.0-20220101000000-abcdefabcdef") < 0);
	assert_true(version_compare(VERSION_GO, "v1.2.4-0.20210101000000-abcdefabcdef", "1.2.4") < 0);
	assert_true(version_compare(VERSION_GO, "v1.2.4-0.20210101000000-abcdefabcdef", "1.2.3") > 0);
	assert_int_equal(version_compare(VERSION_GO, "v2.0.0+incompatible", "2.0.0"), 0);
	assert_true(version_valid(VERSION_GO, "v2.0.0+incompatible"));
	assert_true(version_compare(VERSION_GO, "v1.10.0", "1.9.9") > 0);
}

/* Strictly ascending lists from Maven's ComparableVersion documentation and tests. */
static void assert_ascending(const char *const *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < n; j++) {
			int want = (i > j) - (i < j);
			int got = sign(version_compare(VERSION_MAVEN, v[i], v[j]));
			if (got != want)
				fail_msg("maven: cmp(%s, %s) = %d, want %d", v[i], v[j], got, want);
		}
}

static void test_maven_order(void **state)
{
	static const char *const qualifiers[] = {
		"1-alpha2snapshot", "1-alpha2", "1-alpha-123", "1-beta-2", "1-beta123", "1-m2", "1-m11", "1-rc", "1-cr2",
		"1-rc123", "1-SNAPSHOT", "1", "1-sp", "1-sp2", "1-sp123", "1-abc", "1-def", "1-pom-1", "1-1-snapshot",
		"1-1", "1-2", "1-123",
	};
	static const char *const numbers[] = {
		"2.0", "2-1", "2.0.a", "2.0.0.a", "2.0.2", "2.0.123", "2.1.0", "2.1-a", "2.1b", "2.1-c", "2.1-1", "2.1.0.1", "2.2",
		"2.123", "11.a2", "11.a11", "11.b2", "11.b11", "11.m2", "11.m11", "11", "11.a", "11b", "11c", "11m",
	};
	assert_ascending(qualifiers, sizeof(qualifiers) / sizeof(qualifiers[0]));
	assert_ascending(numbers, sizeof(numbers) / sizeof(numbers[0]));
	/* the documented equalities and paddings */
	static const char *const equal[][2] = {
		{ "1", "1.0" }, { "1", "1.0.0" }, { "1.ga", "1-ga" }, { "1-ga", "1-0" }, { "1-0", "1.0" },
		{ "1-a1", "1-alpha-1" }, { "1.0-final", "1" }, { "1-release", "1" }, { "1-cr1", "1-rc1" },
		{ "1-SNAPSHOT", "1-snapshot" }, { "1.0.0-00001", "1.0.0-1" },
	};
	for (size_t i = 0; i < sizeof(equal) / sizeof(equal[0]); i++)
		if (version_compare(VERSION_MAVEN, equal[i][0], equal[i][1]) != 0)
			fail_msg("maven: %s should equal %s", equal[i][0], equal[i][1]);
	static const char *const less[][2] = {
		{ "1", "1.1" }, { "1-snapshot", "1" }, { "1", "1-sp" }, { "1-foo2", "1-foo10" }, { "1-foo", "1-1" },
		{ "1-1", "1.1" }, { "1-ga", "1-sp" }, { "1-ga.1", "1-sp.1" }, { "1-sp-1", "1-ga-1" },
		{ "2.17.0", "2.17.1" }, { "2.9", "2.10" }, { "1.0-alpha-1", "1.0-beta-1" }, { "1.0-rc1", "1.0" },
	};
	for (size_t i = 0; i < sizeof(less) / sizeof(less[0]); i++) {
		if (version_compare(VERSION_MAVEN, less[i][0], less[i][1]) >= 0)
			fail_msg("maven: %s should sort before %s", less[i][0], less[i][1]);
		if (version_compare(VERSION_MAVEN, less[i][1], less[i][0]) <= 0)
			fail_msg("maven: %s should sort after %s", less[i][1], less[i][0]);
	}
}

static void test_validity_per_scheme(void **state)
{
	assert_true(version_valid(VERSION_DPKG, "1:2.36.1-8+deb11u1"));
	assert_true(version_valid(VERSION_DPKG, "2.4.1-1~bpo11+1"));
	assert_false(version_valid(VERSION_DPKG, "abc"));
	assert_false(version_valid(VERSION_DPKG, "1.0-"));
	assert_false(version_valid(VERSION_DPKG, "x:1.0"));
	assert_true(version_valid(VERSION_RPM, "1:3.0.7-27.el9"));
	assert_false(version_valid(VERSION_RPM, ""));
	assert_true(version_valid(VERSION_PEP440, "1!2.0.post1.dev3+ubuntu.1"));
	assert_true(version_valid(VERSION_PEP440, " V1.0RC1 "));
	assert_false(version_valid(VERSION_PEP440, "1.0-foo"));
	assert_false(version_valid(VERSION_PEP440, "french toast"));
	assert_true(version_valid(VERSION_SEMVER, "1.2.3-rc.1+build.5"));
	assert_false(version_valid(VERSION_SEMVER, "1.2"));
	assert_false(version_valid(VERSION_SEMVER, "01.2.3"));
	assert_false(version_valid(VERSION_SEMVER, "1.2.3-01"));
	assert_true(version_valid(VERSION_MAVEN, "2.17.1"));
	assert_false(version_valid(VERSION_MAVEN, ""));
}

static void test_rpm_evr(void **state)
{
	assert_true(version_compare(VERSION_RPM, "1:1.0-1", "2.0-1") > 0);
	assert_true(version_compare(VERSION_RPM, "3.0.7-27.el9", "3.0.7-28.el9") < 0);
	assert_int_equal(version_compare(VERSION_RPM, "3.0.7-27.el9", "3.0.7"), 0);
	assert_true(version_compare(VERSION_RPM, "1.0~rc1-1", "1.0-1") < 0);
}

static void test_scheme_for_ecosystem(void **state)
{
	assert_int_equal(version_scheme_for_ecosystem("Debian:12"), VERSION_DPKG);
	assert_int_equal(version_scheme_for_ecosystem("Ubuntu:22.04:LTS"), VERSION_DPKG);
	assert_int_equal(version_scheme_for_ecosystem("Alpine:v3.19"), VERSION_APK);
	assert_int_equal(version_scheme_for_ecosystem("PyPI"), VERSION_PEP440);
	assert_int_equal(version_scheme_for_ecosystem("crates.io"), VERSION_SEMVER);
	assert_int_equal(version_scheme_for_ecosystem("npm"), VERSION_SEMVER);
	assert_int_equal(version_scheme_for_ecosystem("Go"), VERSION_GO);
	assert_int_equal(version_scheme_for_ecosystem("Maven"), VERSION_MAVEN);
	assert_int_equal(version_scheme_for_ecosystem("Red Hat:enterprise_linux:9::appstream"), VERSION_RPM);
	assert_int_equal(version_scheme_for_ecosystem("GoFish"), -1);
	assert_int_equal(version_scheme_for_ecosystem("Debia"), -1);
	assert_string_equal(version_scheme_name(VERSION_PEP440), "pep440");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dpkg_vectors),
		cmocka_unit_test(test_apk_vectors),
		cmocka_unit_test(test_rpm_vectors),
		cmocka_unit_test(test_pep440_vectors),
		cmocka_unit_test(test_semver_vectors),
		cmocka_unit_test(test_go_vectors),
		cmocka_unit_test(test_apk_validity),
		cmocka_unit_test(test_go_invalid),
		cmocka_unit_test(test_go_osv_spelling),
		cmocka_unit_test(test_maven_order),
		cmocka_unit_test(test_validity_per_scheme),
		cmocka_unit_test(test_rpm_evr),
		cmocka_unit_test(test_scheme_for_ecosystem),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
