/* scan_report.h: writing a scan's results as text, JSON (docs/scan-json.md), SARIF 2.1.0 or CycloneDX 1.5. */
#pragma once
#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include "scan.h"

#define SCAN_JSON_SCHEMA_VERSION 1

struct scan_run {
	struct scan_image *images; size_t n_images;
	bool db_available;              /* a vulnerability database was installed and read */
	char db_version[128];
	char db_note[256];              /* why vulnerabilities were not checked */
	time_t started;
};

int scan_report_text(const struct scan_run *r, FILE *f, bool color);
int scan_report_json(const struct scan_run *r, FILE *f);
int scan_report_sarif(const struct scan_run *r, FILE *f);
int scan_report_cyclonedx(const struct scan_run *r, FILE *f);

/* Shared by the writers. */
/* "dwtest/app:1" or the short id when the image has no tag. */
const char *scan_image_name(const struct scan_image *s, char *buf, size_t len);
/* A result with no finding (of any severity) that was fully checked. */
bool scan_image_clean(const struct scan_image *s);
