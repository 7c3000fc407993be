/* test_rt_scan_posture.c: the runtime posture's "vulnerable image" read from the scan cache: counts by severity, not scanned, no database, and how alerts show it. */
#include "unit.h"

#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rt_scan_posture.h"
#include "runtime/alert_format.h"
#include "runtime/containers.h"
#include "scan.h"
#include "scan_cache.h"
#include "vuln/vulndb.h"

static char tmp[64];

#define VULN_ID "1111111111111111111111111111111111111111111111111111111111111111"
#define CLEAN_ID "2222222222222222222222222222222222222222222222222222222222222222"
#define OTHER_ID "3333333333333333333333333333333333333333333333333333333333333333"

static void rm_rf(const char *dir)
{
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

static void put(const char *dir, const char *name, const char *text)
{
	char p[256];
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* A database with one advisory, and the cache holding the matches of two images against it. */
static void setup_state(char *state, char *db, size_t len, char *version, size_t vlen)
{
	snprintf(tmp, sizeof(tmp), "/tmp/dwposture.XXXXXX");
	assert_non_null(mkdtemp(tmp));
	char src[128];
	snprintf(src, sizeof(src), "%s/osv", tmp);
	snprintf(state, len, "%s/state", tmp);
	snprintf(db, len, "%s/db", tmp);
	assert_int_equal(mkdir(src, 0755), 0);
	put(src, "T-1.json", "{\"id\":\"T-1\",\"modified\":\"2024-01-01T00:00:00Z\",\"affected\":[{\"package\":"
	    "{\"ecosystem\":\"Debian:12\",\"name\":\"p\"},\"ranges\":[{\"type\":\"ECOSYSTEM\",\"events\":"
	    "[{\"introduced\":\"0\"}]}]}]}");
	struct vulndb_import_stats st = { 0 };
	char err[512] = "";
	if (vulndb_import(src, db, &st, err, sizeof(err)) < 0)
		fail_msg("import: %s", err);
	vulndb_import_stats_free(&st);
	struct vulndb *vdb = NULL;
	char note[512] = "";
	assert_int_equal(scan_db_open(db, &vdb, version, vlen, note, sizeof(note)), 0);
	assert_non_null(vdb);
	vulndb_close(vdb);

	struct scan_cache *c = NULL;
	assert_int_equal(scan_cache_open(state, &c, err, sizeof(err)), 0);
	struct package pkgs[2] = { { .name = "p" }, { .name = "q" } };
	struct scan_vuln vulns[3] = {
		{ .pkg = 0, .id = "T-1", .severity = SEV_CRITICAL, .fixed = "2.0", .summary = "" },
		{ .pkg = 1, .id = "T-2", .severity = SEV_CRITICAL, .fixed = "", .summary = "" },
		{ .pkg = 1, .id = "T-3", .severity = SEV_LOW, .fixed = "1.1", .summary = "" },
	};
	struct scan_image vuln = { .pkgs = pkgs, .n_pkgs = 2, .vulns = vulns, .n_vulns = 3, .vulns_checked = true };
	struct scan_image clean = { .pkgs = pkgs, .n_pkgs = 2, .vulns_checked = true };
	assert_int_equal(scan_cache_store_vulns(c, "sha256:" VULN_ID, version, &vuln), 0);
	assert_int_equal(scan_cache_store_vulns(c, "sha256:" CLEAN_ID, version, &clean), 0);
	scan_cache_close(c);
}

static struct rt_container container(const char *image_id)
{
	struct rt_container c = { .id = "0123456789ab", .name = "web", .image = "app:1", .image_id = (char *)image_id };
	c.posture.known = true;
	c.posture.vulnerable = 1;       /* a stale value: fill always decides */
	return c;
}

static void test_vulnerable_image_from_cache(void **s)
{
	char state[128], db[128], version[128];
	setup_state(state, db, sizeof(state), version, sizeof(version));
	struct rt_scan_posture *p = NULL;
	assert_int_equal(rt_scan_posture_open(state, db, &p), 0);

	struct rt_container v = container("sha256:" VULN_ID);
	rt_scan_posture_fill(&v, p);
	assert_int_equal(v.posture.vulnerable, 1);
	assert_string_equal(v.posture.vulnerable_note, "2 critical, 1 low (2 with a fix)");

	struct rt_container ok = container("sha256:" CLEAN_ID);
	rt_scan_posture_fill(&ok, p);
	assert_int_equal(ok.posture.vulnerable, 0);
	assert_string_equal(ok.posture.vulnerable_note, "");

	/* never scanned: unknown, never "not vulnerable" */
	struct rt_container un = container("sha256:" OTHER_ID);
	rt_scan_posture_fill(&un, p);
	assert_int_equal(un.posture.vulnerable, -1);
	char want[256];
	snprintf(want, sizeof(want), "image not scanned against database %s", version);
	assert_string_equal(un.posture.vulnerable_note, want);

	/* the alert shows it, as text and as JSON */
	struct rt_rule rule = { .id = "test-rule", .description = "test", .severity = RT_SEV_HIGH };
	struct rt_alert a = { .rule = &rule, .container = &v, .container_id = v.id, .cmdline = "" };
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	assert_int_equal(rt_alert_write_text(f, &a, false), 0);
	fclose(f);
	if (!strstr(text, "vuln=yes"))
		fail_msg("no vuln=yes in %s", text);
	free(text);
	struct jsonw w;
	assert_int_equal(jsonw_init(&w, false), 0);
	rt_alert_json(&w, &a);
	f = open_memstream(&text, &len);
	assert_int_equal(jsonw_write(&w, f), 0);
	fclose(f);
	jsonw_free(&w);
	yajl_val doc = json_lit(text);
	assert_true(YAJL_IS_TRUE(json_get(doc, "posture.vulnerable")));
	assert_string_equal(json_str(json_get(doc, "posture"), "vulnerable_note"), "2 critical, 1 low (2 with a fix)");
	yajl_tree_free(doc);
	free(text);
	rt_scan_posture_close(p);

	/* the database removed: every image is unknown again */
	char removed[160];
	snprintf(removed, sizeof(removed), "%s/none", tmp);
	assert_int_equal(rt_scan_posture_open(state, removed, &p), 0);
	v = container("sha256:" VULN_ID);
	rt_scan_posture_fill(&v, p);
	assert_int_equal(v.posture.vulnerable, -1);
	assert_string_equal(v.posture.vulnerable_note, "no vulnerability database");
	rt_scan_posture_close(p);
	rm_rf(tmp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vulnerable_image_from_cache),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
