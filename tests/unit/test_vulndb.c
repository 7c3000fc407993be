/* test_vulndb.c: OSV range semantics, and the compiled database: import, atomic replace, bad records, matching, dedupe. */
#include "unit.h"

#include <dirent.h>
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vuln/affected_ranges.h"
#include "vuln/osv.h"
#include "vuln/version.h"
#include "vuln/vulndb.h"

/* Parses a record with one affected entry, encodes it as the database does and matches version. */
static void check(const char *affected_json, const char *version, const char *want_fixed)
{
	char text[4096], err[256] = "";
	snprintf(text, sizeof(text), "{\"id\":\"T-1\",\"affected\":[%s]}", affected_json);
	struct osv_record r;
	if (osv_parse(text, strlen(text), &r, err, sizeof(err)) < 0)
		fail_msg("%s: %s", text, err);
	assert_int_equal(r.n_affected, 1);
	struct buf enc;
	buf_init(&enc, 0);
	assert_int_equal(affected_ranges_encode(&r.affected[0], &enc), 0);
	char *fixed = NULL;
	int scheme = version_scheme_for_ecosystem(r.affected[0].ecosystem);
	int m = affected_ranges_match(enc.data ? enc.data : "", (enum version_scheme)scheme, version, &fixed);
	if (want_fixed && m != 1)
		fail_msg("%s should be affected by %s", version, affected_json);
	if (!want_fixed && m != 0)
		fail_msg("%s should not be affected by %s (fixed \"%s\")", version, affected_json, fixed);
	if (want_fixed && strcmp(fixed, want_fixed) != 0)
		fail_msg("%s in %s: fixed \"%s\", want \"%s\"", version, affected_json, fixed, want_fixed);
	free(fixed);
	buf_free(&enc);
	osv_record_free(&r);
}

#define NPM(ranges) "{\"package\":{\"ecosystem\":\"npm\",\"name\":\"p\"},\"ranges\":[" ranges "]}"
#define SEMVER(events) "{\"type\":\"SEMVER\",\"events\":[" events "]}"

static void test_introduced_zero_fixed(void **state)
{
	const char *a = NPM(SEMVER("{\"introduced\":\"0\"},{\"fixed\":\"1.2.0\"}"));
	check(a, "0.0.1", "1.2.0");
	check(a, "1.1.9", "1.2.0");
	check(a, "1.2.0-rc.1", "1.2.0");
	check(a, "1.2.0", NULL);
	check(a, "2.0.0", NULL);
}

static void test_last_affected(void **state)
{
	const char *a = NPM(SEMVER("{\"introduced\":\"1.0.0\"},{\"last_affected\":\"1.4.0\"}"));
	check(a, "0.9.0", NULL);
	check(a, "1.0.0", "");
	check(a, "1.4.0", "");
	check(a, "1.4.1", NULL);
}

static void test_limit(void **state)
{
	const char *a = NPM(SEMVER("{\"introduced\":\"0\"},{\"limit\":\"2.0.0\"}"));
	check(a, "1.9.9", "");
	check(a, "2.0.0", NULL);
	check(NPM(SEMVER("{\"introduced\":\"1.0.0\"},{\"limit\":\"*\"}")), "9.0.0", "");
}

static void test_multiple_ranges_and_pairs(void **state)
{
	/* GO-2024-3228's events for github.com/coder/coder/v2, in one range */
	const char *go = "{\"package\":{\"ecosystem\":\"Go\",\"name\":\"m\"},\"ranges\":[" SEMVER(
		"{\"introduced\":\"2.3.1\"},{\"fixed\":\"2.14.4\"},{\"introduced\":\"2.15.0\"},{\"fixed\":\"2.15.3\"},"
		"{\"introduced\":\"2.16.0\"},{\"fixed\":\"2.16.1\"}") "]}";
	check(go, "v2.3.0", NULL);
	check(go, "v2.3.1", "2.14.4");
	check(go, "v2.14.4", NULL);
	check(go, "v2.15.0", "2.15.3");
	check(go, "2.15.2", "2.15.3");
	check(go, "v2.16.0", "2.16.1");
	check(go, "v2.17.0", NULL);
	/* the same as two ranges, events out of order */
	const char *two = NPM(SEMVER("{\"fixed\":\"1.0.0\"},{\"introduced\":\"0\"}") ","
			      SEMVER("{\"fixed\":\"2.0.0\"},{\"introduced\":\"1.5.0\"}"));
	check(two, "0.5.0", "1.0.0");
	check(two, "1.2.0", NULL);
	check(two, "1.6.0", "2.0.0");
	check(two, "2.0.0", NULL);
	/* introduced and fixed at one version: nothing is affected */
	check(NPM(SEMVER("{\"introduced\":\"1.0.0\"},{\"fixed\":\"1.0.0\"}")), "1.0.0", NULL);
}

static void test_versions_list(void **state)
{
	const char *only = "{\"package\":{\"ecosystem\":\"PyPI\",\"name\":\"p\"},\"versions\":[\"1.0\",\"1.1\"]}";
	check(only, "1.1", "");
	check(only, "1.0.0", "");      /* PEP 440: 1.0.0 == 1.0 */
	check(only, "1.2", NULL);
	check(only, "v01.1", "");      /* a leading zero or v does not hide an equal version */
	check(only, "11", NULL);
	check("{\"package\":{\"ecosystem\":\"Debian:12\",\"name\":\"p\"},\"versions\":[\"0:1.0-1\"]}", "1.0-1", "");
	check("{\"package\":{\"ecosystem\":\"PyPI\",\"name\":\"p\"},\"versions\":[\"0!2.0\"]}", "2.0", "");
	/* listed, and a range offering a fix above it */
	const char *both = "{\"package\":{\"ecosystem\":\"PyPI\",\"name\":\"p\"},\"versions\":[\"3.0rc1\"],"
			   "\"ranges\":[{\"type\":\"ECOSYSTEM\",\"events\":[{\"introduced\":\"1.0\"},{\"fixed\":\"2.0\"}]}]}";
	check(both, "1.5", "2.0");
	check(both, "3.0rc1", "");
	check(both, "0.9", NULL);
}

static void test_os_schemes(void **state)
{
	const char *deb = "{\"package\":{\"ecosystem\":\"Debian:12\",\"name\":\"expat\"},\"ranges\":[{\"type\":\"ECOSYSTEM\","
			  "\"events\":[{\"introduced\":\"0\"},{\"fixed\":\"2.5.0-1+deb12u1\"}]}]}";
	check(deb, "2.5.0-1", "2.5.0-1+deb12u1");
	check(deb, "2.5.0-1+deb12u1", NULL);
	check(deb, "2.5.0-1+deb12u2", NULL);
	check(deb, "2.5.0~rc1-1+deb12u5", "2.5.0-1+deb12u1");
	check(deb, "1:2.0-1", NULL);
	const char *apk = "{\"package\":{\"ecosystem\":\"Alpine:v3.19\",\"name\":\"openssl\"},\"ranges\":[{\"type\":"
			  "\"ECOSYSTEM\",\"events\":[{\"introduced\":\"0\"},{\"fixed\":\"3.1.4-r1\"}]}]}";
	check(apk, "3.1.4-r0", "3.1.4-r1");
	check(apk, "3.1.4_rc1-r5", "3.1.4-r1");
	check(apk, "3.1.4-r1", NULL);
	check(apk, "3.1.10-r0", NULL);
}

static void test_unreadable_versions(void **state)
{
	/* a version the scheme cannot read matches listed versions only */
	check(NPM(SEMVER("{\"introduced\":\"0\"}")), "latest", NULL);
	check("{\"package\":{\"ecosystem\":\"npm\",\"name\":\"p\"},\"versions\":[\"latest\"]}", "latest", "");
	/* Go pseudo-versions are ordinary pre-releases */
	const char *go = "{\"package\":{\"ecosystem\":\"Go\",\"name\":\"m\"},\"ranges\":[" SEMVER(
		"{\"introduced\":\"0\"},{\"fixed\":\"0.0.0-20220315160706-3147a52a75dd\"}") "]}";
	check(go, "v0.0.0-20210817142637-7d9622a276b7", "0.0.0-20220315160706-3147a52a75dd");
	check(go, "v0.0.0-20220412211240-33da011f77ad", NULL);
}

/* ---- the database ---- */

static char *fixture_dir(void)
{
	const char *src = getenv("DOCKWARD_SRC");
	static char path[4096];
	snprintf(path, sizeof(path), "%s%stests/fixtures/osv", src ? src : "", src ? "/" : "");
	return path;
}

static void rm_tree(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		char p[4096];
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		struct stat st;
		if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
			rm_tree(p);
		else
			unlink(p);
	}
	if (d)
		closedir(d);
	rmdir(dir);
}

static void write_file(const char *dir, const char *name, const char *text)
{
	char p[4096];
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

struct dirs {
	char db[64];
	char src[64];
};

static int dirs_setup(void **state)
{
	struct dirs *d = calloc(1, sizeof(*d));
	strcpy(d->db, "/tmp/dw-vulndb-XXXXXX");
	strcpy(d->src, "/tmp/dw-osvsrc-XXXXXX");
	if (!mkdtemp(d->db) || !mkdtemp(d->src))
		return -1;
	*state = d;
	return 0;
}

static int dirs_teardown(void **state)
{
	struct dirs *d = *state;
	rm_tree(d->db);
	rm_tree(d->src);
	free(d);
	return 0;
}

static struct vulndb *import_and_open(const char *src, const char *db_dir, struct vulndb_import_stats *st)
{
	char err[512] = "";
	if (vulndb_import(src, db_dir, st, err, sizeof(err)) < 0)
		fail_msg("import %s: %s", src, err);
	struct vulndb *db = NULL;
	if (vulndb_open(db_dir, &db, err, sizeof(err)) < 0)
		fail_msg("open %s: %s", db_dir, err);
	return db;
}

static struct vuln_match *match(struct vulndb *db, struct package *p, size_t *n)
{
	struct vuln_match *m = NULL;
	assert_int_equal(vulndb_match(db, p, &m, n), 0);
	return m;
}

static const struct vuln_match *find(const struct vuln_match *m, size_t n, const char *id)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(m[i].id, id) == 0)
			return &m[i];
	return NULL;
}

static void test_import_fixtures_and_match(void **state)
{
	struct dirs *d = *state;
	struct vulndb_import_stats st;
	struct vulndb *db = import_and_open(fixture_dir(), d->db, &st);
	assert_int_equal(st.files, 16);
	assert_int_equal(st.withdrawn, 1);     /* GO-2024-2730 */
	assert_int_equal(st.no_package, 1);    /* DLA-3623-1 */
	assert_int_equal(st.bad, 0);
	assert_int_equal(st.advisories, 14);
	assert_string_equal(vulndb_version(db), st.content_version);
	assert_int_equal(strlen(st.content_version), 32);
	vulndb_import_stats_free(&st);

	/* Debian: keyed by the source package, on the exact release */
	struct package deb = { .ecosystem = "Debian:12", .name = "libssl3", .version = "3.0.11-1~deb12u1",
			       .source_name = "openssl", .source_version = "3.0.11-1~deb12u1",
			       .origin = PKG_ORIGIN_OS, .scheme = VERSION_DPKG };
	size_t n;
	struct vuln_match *m = match(db, &deb, &n);
	assert_int_equal(n, 2);
	const struct vuln_match *v = find(m, n, "DWD-DEB12-openssl-CVE-2023-5363");
	assert_non_null(v);
	assert_string_equal(v->fixed_version, "3.0.11-1~deb12u2");
	assert_int_equal(v->n_aliases, 1);
	assert_string_equal(v->aliases[0], "CVE-2023-5363");
	assert_string_equal(find(m, n, "DWD-DEB12-openssl-CVE-2024-0727")->fixed_version, "3.0.13-1~deb12u1");
	vuln_matches_free(m, n);
	deb.source_version = "3.0.13-1~deb12u1";
	m = match(db, &deb, &n);
	assert_int_equal(n, 0);
	assert_null(m);
	deb.ecosystem = "Debian:11";
	deb.source_version = "3.0.11-1~deb12u1";
	match(db, &deb, &n);
	assert_int_equal(n, 0);

	/* PyPI names in normal form; aliases; the fix above the installed version */
	struct package py = { .ecosystem = "PyPI", .name = "Django", .version = "5.0.6", .source_name = "",
			      .source_version = "", .origin = PKG_ORIGIN_LANGUAGE, .scheme = VERSION_PEP440 };
	m = match(db, &py, &n);
	v = find(m, n, "PYSEC-2024-57");
	assert_non_null(v);
	assert_string_equal(v->fixed_version, "5.0.7");
	assert_string_equal(v->aliases[0], "CVE-2024-39329");
	assert_string_equal(v->severity, "unknown");
	vuln_matches_free(m, n);

	/* Go: the v prefix, several introduced/fixed pairs; withdrawn records are not matched */
	struct package go = { .ecosystem = "Go", .name = "github.com/coder/coder/v2", .version = "v2.15.0",
			      .origin = PKG_ORIGIN_LANGUAGE, .scheme = VERSION_GO };
	m = match(db, &go, &n);
	assert_int_equal(n, 1);
	assert_string_equal(m[0].id, "GO-2024-3228");
	assert_string_equal(m[0].fixed_version, "2.15.3");
	vuln_matches_free(m, n);
	go.name = "github.com/gorilla/sessions";
	go.version = "v1.2.1";
	match(db, &go, &n);
	assert_int_equal(n, 0);

	/* crates.io with a CVSS v3 vector */
	struct package crate = { .ecosystem = "crates.io", .name = "cranelift-codegen", .version = "0.73.0",
				 .origin = PKG_ORIGIN_LANGUAGE, .scheme = VERSION_SEMVER };
	m = match(db, &crate, &n);
	assert_int_equal(n, 1);
	assert_string_equal(m[0].severity, "high");
	assert_true(m[0].cvss_score > 8.79 && m[0].cvss_score < 8.81);
	assert_string_equal(m[0].cvss_vector, "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H");
	vuln_matches_free(m, n);

	struct vulndb_info info;
	char err[256];
	assert_int_equal(vulndb_info(db, &info, err, sizeof(err)), 0);
	assert_int_equal(info.advisories, 14);
	assert_int_equal(info.schema_version, VULNDB_SCHEMA_VERSION);
	assert_true(info.size_bytes > 0);
	bool saw_go = false;
	for (size_t i = 0; i < info.n_ecosystems; i++)
		if (strcmp(info.ecosystems[i].ecosystem, "Go") == 0) {
			saw_go = true;
			assert_int_equal(info.ecosystems[i].advisories, 3);
		}
	assert_true(saw_go);
	vulndb_info_free(&info);
	vulndb_close(db);
}

#define REC(id, aliases, affected) \
	"{\"id\":\"" id "\",\"aliases\":[" aliases "],\"affected\":[" affected "]}"
#define PYPKG(name, intro, fixed) \
	"{\"package\":{\"ecosystem\":\"PyPI\",\"name\":\"" name "\"},\"ranges\":[{\"type\":\"ECOSYSTEM\"," \
	"\"events\":[{\"introduced\":\"" intro "\"},{\"fixed\":\"" fixed "\"}]}]}"

static void test_dedupe(void **state)
{
	struct dirs *d = *state;
	/* one advisory naming the package twice, and a second id that is its alias */
	write_file(d->src, "a.json", REC("PYSEC-1", "\"CVE-1\",\"GHSA-1\"", PYPKG("pkg", "0", "2.0") "," PYPKG("pkg", "1.5", "3.0")));
	write_file(d->src, "b.json", REC("GHSA-1", "\"CVE-1\"", PYPKG("pkg", "0", "2.0")));
	write_file(d->src, "c.json", REC("PYSEC-2", "\"CVE-2\"", PYPKG("pkg", "0", "9.0")));
	struct vulndb_import_stats st;
	struct vulndb *db = import_and_open(d->src, d->db, &st);
	assert_int_equal(st.advisories, 3);
	vulndb_import_stats_free(&st);
	struct package p = { .ecosystem = "PyPI", .name = "pkg", .version = "1.6", .origin = PKG_ORIGIN_LANGUAGE,
			     .scheme = VERSION_PEP440 };
	size_t n;
	struct vuln_match *m = match(db, &p, &n);
	assert_int_equal(n, 2);
	const struct vuln_match *v = find(m, n, "GHSA-1");
	assert_non_null(v);
	assert_string_equal(v->fixed_version, "3.0");  /* only 3.0 fixes both entries */
	bool alias = false;
	for (size_t i = 0; i < v->n_aliases; i++)
		alias |= strcmp(v->aliases[i], "PYSEC-1") == 0;
	assert_true(alias);
	assert_non_null(find(m, n, "PYSEC-2"));
	vuln_matches_free(m, n);
	vulndb_close(db);
}

static void test_bad_records_and_atomic_replace(void **state)
{
	struct dirs *d = *state;
	char err[512] = "";
	struct vulndb *db = NULL;
	assert_int_equal(vulndb_open(d->db, &db, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "dockward db import"));

	write_file(d->src, "good.json", REC("PYSEC-1", "", PYPKG("pkg", "0", "2.0")));
	write_file(d->src, "broken.json", "{\"id\": \"PYSEC-2\", \"affected\": [");
	struct vulndb_import_stats st;
	db = import_and_open(d->src, d->db, &st);
	assert_int_equal(st.advisories, 1);
	assert_int_equal(st.bad, 1);
	assert_int_equal(st.n_bad_files, 1);
	assert_string_equal(st.bad_files[0].file, "broken.json");
	char first[40];
	strcpy(first, st.content_version);
	vulndb_import_stats_free(&st);

	/* the same content again: the same version */
	struct vulndb *db2 = import_and_open(d->src, d->db, &st);
	assert_string_equal(st.content_version, first);
	vulndb_import_stats_free(&st);
	vulndb_close(db2);

	/* nothing usable: the import fails and the old database stays */
	char bad_only[80];
	snprintf(bad_only, sizeof(bad_only), "%s/only-bad", d->src);
	assert_int_equal(mkdir(bad_only, 0755), 0);
	write_file(bad_only, "x.json", "not json");
	assert_int_equal(vulndb_import(bad_only, d->db, &st, err, sizeof(err)), -EINVAL);
	assert_int_equal(st.bad, 1);
	vulndb_import_stats_free(&st);
	assert_int_equal(vulndb_open(d->db, &db2, err, sizeof(err)), 0);
	assert_string_equal(vulndb_version(db2), first);
	vulndb_close(db2);

	/* new content replaces the file; the handle opened before still reads the old one */
	write_file(d->src, "more.json", REC("PYSEC-3", "", PYPKG("other", "0", "1.0")));
	db2 = import_and_open(d->src, d->db, &st);
	assert_string_not_equal(st.content_version, first);
	vulndb_import_stats_free(&st);
	struct package p = { .ecosystem = "PyPI", .name = "pkg", .version = "1.0", .origin = PKG_ORIGIN_LANGUAGE,
			     .scheme = VERSION_PEP440 };
	size_t n;
	struct vuln_match *m = match(db, &p, &n);
	assert_int_equal(n, 1);
	vuln_matches_free(m, n);
	m = match(db2, &p, &n);
	assert_int_equal(n, 1);
	vuln_matches_free(m, n);
	vulndb_close(db);
	vulndb_close(db2);
	/* no temporary file is left behind */
	DIR *dd = opendir(d->db);
	struct dirent *e;
	int files = 0;
	while ((e = readdir(dd)))
		files += e->d_name[0] != '.' || strstr(e->d_name, "tmp") != NULL;
	closedir(dd);
	assert_int_equal(files, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_introduced_zero_fixed),
		cmocka_unit_test(test_last_affected),
		cmocka_unit_test(test_limit),
		cmocka_unit_test(test_multiple_ranges_and_pairs),
		cmocka_unit_test(test_versions_list),
		cmocka_unit_test(test_os_schemes),
		cmocka_unit_test(test_unreadable_versions),
		cmocka_unit_test_setup_teardown(test_import_fixtures_and_match, dirs_setup, dirs_teardown),
		cmocka_unit_test_setup_teardown(test_dedupe, dirs_setup, dirs_teardown),
		cmocka_unit_test_setup_teardown(test_bad_records_and_atomic_replace, dirs_setup, dirs_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
