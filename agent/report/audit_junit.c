/* audit_junit.c: the audit result as JUnit XML for CI: one testcase per rule and offending object. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "report/audit_report.h"
#include "report/jsonw.h"
#include "timefmt.h"

/* Text as XML character data or attribute value: markup escaped, control
 * characters and invalid UTF-8 written as U+FFFD (XML 1.0 cannot carry them). */
static void xml_text(FILE *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t n = strlen((const char *)p);
	while (*p) {
		switch (*p) {
		case '<': fputs("&lt;", out); p++; n--; continue;
		case '>': fputs("&gt;", out); p++; n--; continue;
		case '&': fputs("&amp;", out); p++; n--; continue;
		case '"': fputs("&quot;", out); p++; n--; continue;
		case '\'': fputs("&apos;", out); p++; n--; continue;
		default: break;
		}
		if (*p < 0x20 && *p != '\n' && *p != '\t') {
			fputs("\xef\xbf\xbd", out);
			p++;
			n--;
			continue;
		}
		size_t l = utf8_seq_len(p, n);
		if (!l) {
			fputs("\xef\xbf\xbd", out);
			p++;
			n--;
			continue;
		}
		fwrite(p, 1, l, out);
		p += l;
		n -= l;
	}
}

static void testcase_open(FILE *out, const struct audit_finding *f, const struct audit_item *obj)
{
	fputs("    <testcase classname=\"", out);
	xml_text(out, f->rule->section);
	fputs("\" name=\"", out);
	xml_text(out, f->rule->id);
	fputc(' ', out);
	xml_text(out, f->rule->title);
	if (obj) {
		fputs(" [", out);
		xml_text(out, obj->kind);
		fputc(' ', out);
		xml_text(out, obj->name[0] ? obj->name : obj->id);
		fputc(']', out);
	}
	fputs("\">\n", out);
}

static void element(FILE *out, const char *tag, const char *message, const char *body)
{
	fprintf(out, "      <%s message=\"", tag);
	xml_text(out, message);
	fputs("\">", out);
	xml_text(out, body);
	fprintf(out, "</%s>\n", tag);
}

/* Whether obj (kind, id) is among the rule's offenders; writes a failure for each match. */
static size_t failures_for(FILE *out, const struct audit_finding *f, const char *kind, const char *id)
{
	size_t n = 0;
	char msg[512];
	for (size_t k = 0; k < f->out.n_offenders; k++) {
		const struct audit_item *it = &f->out.offenders[k];
		if (strcmp(it->kind, kind) != 0 || strcmp(it->id, id) != 0)
			continue;
		snprintf(msg, sizeof(msg), "%s (%s)", it->detail, audit_severity_name(f->rule->severity));
		element(out, "failure", msg, f->rule->remediation);
		n++;
	}
	return n;
}

/* Objects a rule is about, one testcase each: the containers or images in
 * scope for container and image rules that passed or failed; NULL otherwise. */
static const char *object_kind(const struct audit_finding *f, const struct audit_result *r)
{
	if (f->out.verdict != AUDIT_PASS && f->out.verdict != AUDIT_FAIL)
		return NULL;
	if (f->rule->scope == SCOPE_CONTAINER && r->n_containers)
		return "container";
	if (f->rule->scope == SCOPE_IMAGE && r->n_images)
		return "image";
	return NULL;
}

/* One testcase per object in scope; offenders of other kinds get their own. Returns testcases written. */
static size_t per_object(FILE *out, const struct audit_finding *f, const struct audit_result *r,
			 const struct snapshot *s, const char *kind, size_t *failures)
{
	size_t tests = 0;
	bool containers = strcmp(kind, "container") == 0;
	size_t n = containers ? s->n_containers : s->n_images;
	for (size_t i = 0; i < n; i++) {
		const bool *scope = containers ? r->container_in_scope : r->image_in_scope;
		if (scope && !scope[i])
			continue;
		struct audit_item obj = { .kind = (char *)kind };
		obj.id = (char *)(containers ? s->containers[i].id : s->images[i].id);
		obj.name = (char *)(containers ? s->containers[i].name
					       : s->images[i].n_repo_tags ? s->images[i].repo_tags[0] : s->images[i].id);
		if (out) {
			testcase_open(out, f, &obj);
			*failures += failures_for(out, f, kind, obj.id) ? 1 : 0;
			fputs("    </testcase>\n", out);
		}
		tests++;
	}
	for (size_t k = 0; k < f->out.n_offenders; k++) {
		const struct audit_item *it = &f->out.offenders[k];
		if (strcmp(it->kind, kind) == 0 || (k && strcmp(f->out.offenders[k - 1].id, it->id) == 0))
			continue;
		if (out) {
			testcase_open(out, f, it);
			*failures += failures_for(out, f, it->kind, it->id) ? 1 : 0;
			fputs("    </testcase>\n", out);
		}
		tests++;
	}
	return tests;
}

int audit_write_junit(const struct audit_result *r, const struct snapshot *s, const struct audit_report_opts *o, FILE *out)
{
	size_t tests = 0, failures = 0, skipped = 0;
	for (size_t i = 0; i < r->n_findings; i++) {
		const struct audit_finding *f = &r->findings[i];
		const char *kind = object_kind(f, r);
		size_t n = f->out.verdict == AUDIT_FAIL ? f->out.n_offenders : 1;
		if (kind) {
			n = per_object(NULL, f, r, s, kind, NULL);
			/* failing objects: those with at least one offence */
			for (size_t k = 0; k < f->out.n_offenders; k++)
				failures += k == 0 || strcmp(f->out.offenders[k - 1].id, f->out.offenders[k].id) != 0;
		} else {
			failures += f->out.verdict == AUDIT_FAIL ? n : 0;
		}
		tests += n + f->n_waived;
		skipped += f->out.verdict == AUDIT_FAIL || f->out.verdict == AUDIT_PASS ? 0 : 1;
		skipped += f->n_waived;
	}
	char when[32];
	format_utc(r->started, when, sizeof(when));
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n  <testsuite name=\"", out);
	xml_text(out, o->ruleset_name);
	fputc(' ', out);
	xml_text(out, r->benchmark);
	fprintf(out, "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"%zu\" timestamp=\"%s\" hostname=\"",
		tests, failures, skipped, when);
	xml_text(out, r->hostname);
	fputs("\">\n", out);
	for (size_t i = 0; i < r->n_findings; i++) {
		const struct audit_finding *f = &r->findings[i];
		char msg[512];
		const char *kind = object_kind(f, r);
		size_t object_failures = 0;
		if (kind) {
			per_object(out, f, r, s, kind, &object_failures);
		} else if (f->out.verdict == AUDIT_FAIL) {
			for (size_t k = 0; k < f->out.n_offenders; k++) {
				const struct audit_item *it = &f->out.offenders[k];
				testcase_open(out, f, it);
				snprintf(msg, sizeof(msg), "%s (%s)", it->detail, audit_severity_name(f->rule->severity));
				element(out, "failure", msg, f->rule->remediation);
				fputs("    </testcase>\n", out);
			}
		} else {
			testcase_open(out, f, NULL);
			if (f->out.verdict != AUDIT_PASS) {
				snprintf(msg, sizeof(msg), "%s: %s", audit_verdict_name(f->out.verdict), f->out.reason);
				element(out, "skipped", msg, "");
			}
			fputs("    </testcase>\n", out);
		}
		for (size_t k = 0; k < f->n_waived; k++) {
			testcase_open(out, f, &f->waived[k]);
			snprintf(msg, sizeof(msg), "waived: %s", f->waived[k].detail);
			element(out, "skipped", msg, "");
			fputs("    </testcase>\n", out);
		}
	}
	fputs("  </testsuite>\n</testsuites>\n", out);
	return ferror(out) ? -EIO : 0;
}
