/* test_scan_report.c: scan reports never pass an image's control bytes to a terminal, always write valid JSON, and say what was not checked. */
#include "unit.h"

#include <stdlib.h>

#include "scan_report.h"

static char *render(const struct scan_run *r, int fmt)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	assert_non_null(f);
	int rc = fmt == 0 ? scan_report_text(r, f, false) : fmt == 1 ? scan_report_json(r, f)
		 : fmt == 2 ? scan_report_sarif(r, f) : scan_report_cyclonedx(r, f);
	assert_int_equal(rc, 0);
	fclose(f);
	return text;
}

static void hostile_strings(void **state)
{
	(void)state;
	struct scan_image img = { 0 };
	img.id = strdup("sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
	img.source = strdup("overlay2");
	img.inventory_done = true;
	img.vulns_checked = true;
	img.pkgs = calloc(1, sizeof(*img.pkgs));
	img.n_pkgs = 1;
	img.pkgs[0] = (struct package){ strdup("Debian:12"), strdup("evil\033]0;pwned\007pkg"), strdup("1.0\xff"),
					strdup(""), strdup(""), strdup("/var/lib/dpkg/status"), strdup("pkg:deb/debian/evil@1.0"),
					PKG_ORIGIN_OS, VERSION_DPKG };
	img.vulns = calloc(1, sizeof(*img.vulns));
	img.n_vulns = 1;
	img.vulns[0] = (struct scan_vuln){ .pkg = 0, .id = strdup("DSA-1\033[2J"), .aliases = calloc(1, sizeof(char *)),
					   .severity = SEV_HIGH, .fixed = strdup(""), .summary = strdup("s") };
	assert_int_equal(risk_list_add(&img.risks, RISK_SETUID, SEV_LOW, "/usr/bin/\033[31mx", "setuid, mode 4755"), 0);
	struct scan_run run = { .images = &img, .n_images = 1, .db_available = true, .started = 0 };
	snprintf(run.db_version, sizeof(run.db_version), "v1");

	char *t = render(&run, 0);
	assert_null(strchr(t, '\033'));
	assert_null(strchr(t, '\007'));
	assert_non_null(strstr(t, "no fix yet"));
	assert_non_null(strstr(t, "Recommendations:"));
	free(t);
	for (int fmt = 1; fmt < 4; fmt++) {
		t = render(&run, fmt);
		char err[128];
		yajl_val v;
		if (json_parse(t, strlen(t), &v, err, sizeof(err)) != 0)
			fail_msg("format %d: %s", fmt, err);
		yajl_tree_free(v);
		free(t);
	}
	scan_image_free(&img);
}

static void not_scanned_and_no_db(void **state)
{
	(void)state;
	struct scan_image imgs[2] = { 0 };
	imgs[0].id = strdup("sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
	scan_image_not_scanned(&imgs[0], "cannot read the image's files: %s", "gone");
	imgs[1].id = strdup("sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");
	imgs[1].source = strdup("overlay2");
	imgs[1].inventory_done = true;
	struct scan_run run = { .images = imgs, .n_images = 2 };
	snprintf(run.db_note, sizeof(run.db_note), "no vulnerability database in /x");
	char *t = render(&run, 0);
	assert_non_null(strstr(t, "NOT SCANNED: cannot read the image's files: gone"));
	assert_non_null(strstr(t, "No vulnerability database installed: no vulnerability database in /x"));
	assert_non_null(strstr(t, "No risks found; vulnerabilities not checked"));
	assert_non_null(strstr(t, "2 images: 0 with findings, 1 clean, 1 not scanned"));
	free(t);
	t = render(&run, 1);
	yajl_val v;
	char err[128];
	assert_int_equal(json_parse(t, strlen(t), &v, err, sizeof(err)), 0);
	yajl_val im = json_get(v, "images");
	assert_string_equal(json_str(json_array_at(im, 0), "status"), "not_scanned");
	assert_false(json_bool(json_array_at(im, 0), "clean", true));
	assert_false(json_bool(json_array_at(im, 1), "clean", true));   /* vulnerabilities were not checked */
	assert_false(json_bool(v, "vulnerability_db.available", true));
	assert_int_equal(json_int(v, "summary.not_scanned", -1), 1);
	yajl_tree_free(v);
	free(t);
	scan_image_free(&imgs[0]);
	scan_image_free(&imgs[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(hostile_strings),
		cmocka_unit_test(not_scanned_and_no_db),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
