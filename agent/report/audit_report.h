/* audit_report.h: an audit result rendered for people (text) and machines (JSON, JUnit, SARIF). */
#pragma once
#include <stdbool.h>
#include <stdio.h>

#include "audit/engine.h"
#include "snapshot.h"

#define AUDIT_JSON_SCHEMA_VERSION 1

enum audit_format { AUDIT_FMT_TEXT, AUDIT_FMT_JSON, AUDIT_FMT_JUNIT, AUDIT_FMT_SARIF };

struct audit_report_opts {
	bool color;
	bool remediation;       /* text: remediation under each failed rule */
	bool quiet;             /* text: only failures, waivers and the summary */
	const char *ruleset_name;
};

/* Each returns 0 or a negative errno (write error, -ENOMEM). */
int audit_write_text(const struct audit_result *r, const struct snapshot *s, const struct audit_report_opts *o, FILE *out);
int audit_write_json(const struct audit_result *r, const struct snapshot *s, const struct audit_report_opts *o, FILE *out);
int audit_write_junit(const struct audit_result *r, const struct snapshot *s, const struct audit_report_opts *o, FILE *out);
int audit_write_sarif(const struct audit_result *r, const struct snapshot *s, const struct audit_report_opts *o, FILE *out);
/* "2026-11-23T09:40:00Z" */
