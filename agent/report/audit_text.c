/* audit_text.c: the audit result for people: grouped by section, a line per rule, offenders below, a summary. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "report/audit_report.h"
#include "report/term.h"
#include "timefmt.h"

static const char *verdict_label(enum audit_verdict v, bool color, const char **col)
{
	static const char *const labels[AUDIT_N_VERDICTS] = { "PASS", "FAIL", "MANUAL", "N/A", "NOT EVAL", "WAIVED" };
	static const char *const colors[AUDIT_N_VERDICTS] = { TERM_GREEN, TERM_RED, TERM_YELLOW, TERM_GREY,
							      TERM_BLUE, TERM_GREY };
	*col = color ? colors[v] : "";
	return labels[v];
}

#define TEXT_MAX_ITEMS 50

static void print_items(FILE *out, const struct audit_item *items, size_t n, const char *mark, bool color)
{
	char name[256], detail[768], id[40];
	for (size_t i = 0; i < n && i < TEXT_MAX_ITEMS; i++) {
		const struct audit_item *it = &items[i];
		term_sanitize(it->name, name, sizeof(name));
		term_sanitize(it->detail, detail, sizeof(detail));
		bool show_id = strcmp(it->kind, "container") == 0 || strcmp(it->kind, "image") == 0;
		term_sanitize(it->id, id, sizeof(id));
		if (show_id && strncmp(id, "sha256:", 7) == 0)
			memmove(id, id + 7, strlen(id + 7) + 1);
		id[12] = '\0';
		fprintf(out, "             %s%s %s %s%s%s%s: %s%s\n", color ? TERM_GREY : "", mark, it->kind, name,
			show_id ? " (" : "", show_id ? id : "", show_id ? ")" : "", detail, color ? TERM_RESET : "");
	}
	if (n > TEXT_MAX_ITEMS)
		fprintf(out, "             ... and %zu more (see -f json)\n", n - TEXT_MAX_ITEMS);
}

int audit_write_text(const struct audit_result *r, const struct snapshot *s, const struct audit_report_opts *o, FILE *out)
{
	char when[32], host[256], text[1024], reason[512];
	format_utc(r->started, when, sizeof(when));
	term_sanitize(r->hostname, host, sizeof(host));
	char images[48] = "";
	if (s->have_images)
		snprintf(images, sizeof(images), ", %zu images", r->n_images);
	fprintf(out, "%s%s %s%s on %s, %s (Docker Engine %s; in scope: %zu containers%s)\n",
		o->color ? TERM_BOLD : "", o->ruleset_name ? o->ruleset_name : "audit", r->benchmark,
		o->color ? TERM_RESET : "", host, when, s->version.version, r->n_containers, images);
	const char *section = NULL;
	for (size_t i = 0; i < r->n_findings; i++) {
		const struct audit_finding *f = &r->findings[i];
		enum audit_verdict v = f->out.verdict;
		if (o->quiet && v != AUDIT_FAIL && v != AUDIT_WAIVED)
			continue;
		if (!section || strcmp(section, f->rule->section) != 0) {
			section = f->rule->section;
			term_sanitize(section, text, sizeof(text));
			fprintf(out, "\n%s%s%s\n", o->color ? TERM_BOLD : "", text, o->color ? TERM_RESET : "");
		}
		const char *col;
		const char *label = verdict_label(v, o->color, &col);
		term_sanitize(f->rule->title, text, sizeof(text));
		term_sanitize(f->out.reason, reason, sizeof(reason));
		fprintf(out, "  %s[%-8s]%s %-7s %s", col, label, o->color ? TERM_RESET : "", f->rule->id, text);
		if (v == AUDIT_FAIL)
			fprintf(out, " (%s)", audit_severity_name(f->rule->severity));
		fputc('\n', out);
		if (v != AUDIT_PASS && reason[0])
			fprintf(out, "             %s%s%s\n", o->color ? TERM_GREY : "", reason, o->color ? TERM_RESET : "");
		print_items(out, f->out.offenders, f->out.n_offenders, "-", o->color);
		if (v == AUDIT_MANUAL || v == AUDIT_NOT_EVALUATED)
			print_items(out, f->out.evidence, f->out.n_evidence, "*", o->color);
		print_items(out, f->waived, f->n_waived, "~ waived:", o->color);
		if (o->remediation && v == AUDIT_FAIL && f->rule->remediation[0]) {
			term_sanitize(f->rule->remediation, text, sizeof(text));
			fprintf(out, "             fix: %s\n", text);
		}
	}
	for (size_t i = 0; i < r->n_expired; i++) {
		const struct audit_waiver *w = r->expired[i];
		term_sanitize(w->name, text, sizeof(text));
		fprintf(out, "\n%swaiver [%s] for rule %s expired on %s and no longer applies%s", o->color ? TERM_YELLOW : "",
			text, w->rule, w->expires_text, o->color ? TERM_RESET : "");
	}
	if (r->n_expired)
		fputc('\n', out);
	fprintf(out, "\nSummary: %zu rules: %zu pass, %zu fail, %zu manual, %zu not applicable, %zu not evaluated, "
		"%zu waived; score %.0f%% (pass / (pass + fail))\n",
		r->n_findings, r->counts[AUDIT_PASS], r->counts[AUDIT_FAIL], r->counts[AUDIT_MANUAL],
		r->counts[AUDIT_NOT_APPLICABLE], r->counts[AUDIT_NOT_EVALUATED], r->counts[AUDIT_WAIVED], audit_score(r));
	return ferror(out) ? -EIO : 0;
}
