/* scan_report_text.c: the scan for people: per image, vulnerabilities and risks grouped, severity-coloured on a terminal. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "report/term.h"
#include "scan_report.h"

static const char *sev_color(enum severity s)
{
	switch (s) {
	case SEV_CRITICAL:
	case SEV_HIGH: return TERM_RED;
	case SEV_MEDIUM: return TERM_YELLOW;
	case SEV_LOW: return TERM_BLUE;
	default: return TERM_GREY;
	}
}

/* Untrusted text (names, paths, versions from the image) made safe to print. */
static const char *safe(const char *s, char *buf, size_t len)
{
	term_sanitize(s ? s : "", buf, len);
	return buf;
}

static void sev_label(FILE *f, enum severity s, bool color)
{
	char up[16];
	const char *n = severity_name(s);
	size_t i = 0;
	for (; n[i] && i < sizeof(up) - 1; i++)
		up[i] = (char)(n[i] >= 'a' && n[i] <= 'z' ? n[i] - 32 : n[i]);
	up[i] = '\0';
	if (color)
		fprintf(f, "%s%-8s%s", sev_color(s), up, TERM_RESET);
	else
		fprintf(f, "%-8s", up);
}

static int cmp_vuln(const void *a, const void *b, void *pk)
{
	const struct scan_vuln *x = a, *y = b;
	const struct package *pkgs = pk;
	if (x->severity != y->severity)
		return x->severity > y->severity ? -1 : 1;
	int c = strcmp(pkgs[x->pkg].name, pkgs[y->pkg].name);
	return c ? c : strcmp(x->id, y->id);
}

static void write_vulns(FILE *f, const struct scan_image *s, const struct scan_run *r, bool color)
{
	char b1[256], b2[256], b3[256], b4[256];
	if (!r->db_available) {
		fprintf(f, "  Vulnerabilities: not checked (%s)\n", r->db_note);
		return;
	}
	if (!s->inventory_done) {
		fprintf(f, "  Vulnerabilities: not checked (packages were not listed)\n");
		return;
	}
	if (s->n_vulns == 0) {
		fprintf(f, "  Vulnerabilities: none known in %zu packages\n", s->n_pkgs);
		return;
	}
	fprintf(f, "  Vulnerabilities (%zu):\n", s->n_vulns);
	struct scan_vuln *sorted = malloc(s->n_vulns * sizeof(*sorted));
	if (!sorted)
		return;
	memcpy(sorted, s->vulns, s->n_vulns * sizeof(*sorted));
	qsort_r(sorted, s->n_vulns, sizeof(*sorted), cmp_vuln, s->pkgs);
	for (size_t i = 0; i < s->n_vulns; i++) {
		const struct scan_vuln *v = &sorted[i];
		const struct package *p = &s->pkgs[v->pkg];
		fputs("    ", f);
		sev_label(f, v->severity, color);
		fprintf(f, " %s %s  %s  %s%s\n", safe(p->name, b1, sizeof(b1)), safe(p->version, b2, sizeof(b2)),
			safe(v->id, b3, sizeof(b3)), v->fixed && *v->fixed ? "fixed in " : "no fix yet",
			v->fixed && *v->fixed ? safe(v->fixed, b4, sizeof(b4)) : "");
	}
	free(sorted);
}

static void write_image(FILE *f, const struct scan_image *s, const struct scan_run *r, bool color)
{
	char name[256], nb[128], b1[512], b2[512];
	fprintf(f, "%s%s%s", color ? TERM_BOLD : "", safe(scan_image_name(s, nb, sizeof(nb)), name, sizeof(name)),
		color ? TERM_RESET : "");
	if (s->id)
		fprintf(f, " (%.19s)", s->id);
	if (s->n_containers) {
		fprintf(f, "  used by");
		for (size_t i = 0; i < s->n_containers && i < 5; i++)
			fprintf(f, "%s %s", i ? "," : "", safe(s->containers[i], b1, sizeof(b1)));
		if (s->n_containers > 5)
			fprintf(f, " and %zu more", s->n_containers - 5);
	}
	fputc('\n', f);
	if (s->status != SCAN_OK) {
		fprintf(f, "  %sNOT SCANNED%s: %s\n\n", color ? TERM_RED : "", color ? TERM_RESET : "",
			safe(s->reason, b1, sizeof(b1)));
		return;
	}
	fprintf(f, "  %s%s%zu packages, %zu files, read from %s%s\n", s->os[0] ? safe(s->os, b1, sizeof(b1)) : "",
		s->os[0] ? ", " : "", s->n_pkgs, s->files_walked, safe(s->source, b2, sizeof(b2)),
		s->from_cache ? " (cached)" : "");
	write_vulns(f, s, r, color);
	if (s->risks.len == 0) {
		fprintf(f, "  Risks: none\n");
	} else {
		fprintf(f, "  Risks (%zu):\n", s->risks.len);
		for (int sev = SEV_COUNT - 1; sev >= 0; sev--)
			for (size_t i = 0; i < s->risks.len; i++) {
				const struct image_risk *k = &s->risks.items[i];
				if ((int)k->severity != sev)
					continue;
				fputs("    ", f);
				sev_label(f, k->severity, color);
				fprintf(f, " CIS %-4s %s: %s\n", risk_cis(k->kind), risk_title(k->kind),
					safe(k->kind == RISK_SETUID ? k->subject : k->detail, b1, sizeof(b1)));
			}
	}
	for (size_t i = 0; i < s->n_notes; i++)
		fprintf(f, "  note: %s\n", safe(s->notes[i], b1, sizeof(b1)));
	if (scan_image_clean(s)) {
		fprintf(f, "  %s%s%s\n\n", color ? TERM_GREEN : "",
			s->vulns_checked ? "Clean: no known vulnerabilities and no risks"
					 : "No risks found; vulnerabilities not checked", color ? TERM_RESET : "");
		return;
	}
	/* recommendations: one line per kind of problem */
	fprintf(f, "  Recommendations:\n");
	size_t fixable = 0;
	for (size_t i = 0; i < s->n_vulns; i++)
		fixable += s->vulns[i].fixed && *s->vulns[i].fixed;
	if (fixable)
		fprintf(f, "    - rebuild the image with updated packages: %zu vulnerabilit%s have a fix\n", fixable,
			fixable == 1 ? "y" : "ies");
	bool seen[RISK_KIND_COUNT] = { false };
	for (size_t i = 0; i < s->risks.len; i++) {
		enum risk_kind k = s->risks.items[i].kind;
		if (seen[k])
			continue;
		seen[k] = true;
		fprintf(f, "    - %s (CIS %s)\n", risk_remedy(k), risk_cis(k));
	}
	fputc('\n', f);
}

int scan_report_text(const struct scan_run *r, FILE *f, bool color)
{
	size_t not_scanned = 0, dirty = 0;
	if (!r->db_available)
		fprintf(f, "%sNo vulnerability database installed%s: %s. Risks and packages are still reported.\n\n",
			color ? TERM_YELLOW : "", color ? TERM_RESET : "", r->db_note);
	for (size_t i = 0; i < r->n_images; i++) {
		write_image(f, &r->images[i], r, color);
		not_scanned += r->images[i].status != SCAN_OK;
		dirty += r->images[i].status == SCAN_OK && !scan_image_clean(&r->images[i]);
	}
	fprintf(f, "%zu image%s: %zu with findings, %zu clean, %zu not scanned\n", r->n_images,
		r->n_images == 1 ? "" : "s", dirty, r->n_images - dirty - not_scanned, not_scanned);
	return ferror(f) ? -EIO : 0;
}
