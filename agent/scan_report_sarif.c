/* scan_report_sarif.c: the scan as SARIF 2.1.0: one rule per risk kind and per advisory, one result per finding. */
#include <string.h>

#include "report/jsonw.h"
#include "report/sarif.h"
#include "scan_report.h"

static const char *level(enum severity s)
{
	return s >= SEV_HIGH ? "error" : s == SEV_MEDIUM ? "warning" : "note";
}

/* A CVSS-like number for GitHub code scanning's security-severity. */
static const char *security_severity(enum severity s)
{
	switch (s) {
	case SEV_CRITICAL: return "9.5";
	case SEV_HIGH: return "8.0";
	case SEV_MEDIUM: return "5.5";
	case SEV_LOW: return "2.0";
	default: return "0.0";
	}
}

static bool rule_seen(const struct scan_run *r, size_t img, size_t vuln)
{
	const char *id = r->images[img].vulns[vuln].id;
	for (size_t i = 0; i <= img; i++)
		for (size_t v = 0; v < (i == img ? vuln : r->images[i].n_vulns); v++)
			if (strcmp(r->images[i].vulns[v].id, id) == 0)
				return true;
	return false;
}

static void rule(struct jsonw *w, const char *id, const char *title, const char *help, enum severity s)
{
	jsonw_obj_begin(w);
	jsonw_kstr(w, "id", id);
	jsonw_str(w, "shortDescription");
	jsonw_obj_begin(w);
	jsonw_kstr(w, "text", title);
	jsonw_obj_end(w);
	jsonw_str(w, "help");
	jsonw_obj_begin(w);
	jsonw_kstr(w, "text", help);
	jsonw_obj_end(w);
	jsonw_str(w, "defaultConfiguration");
	jsonw_obj_begin(w);
	jsonw_kstr(w, "level", level(s));
	jsonw_obj_end(w);
	jsonw_str(w, "properties");
	jsonw_obj_begin(w);
	jsonw_kstr(w, "security-severity", security_severity(s));
	jsonw_str(w, "tags");
	jsonw_arr_begin(w);
	jsonw_str(w, "security");
	jsonw_arr_end(w);
	jsonw_obj_end(w);
	jsonw_obj_end(w);
}

static void result(struct jsonw *w, const char *rule_id, enum severity s, const char *text, const char *uri,
		   const char *image, const char *image_id)
{
	jsonw_obj_begin(w);
	jsonw_kstr(w, "ruleId", rule_id);
	jsonw_kstr(w, "level", level(s));
	jsonw_str(w, "message");
	jsonw_obj_begin(w);
	jsonw_kstr(w, "text", text);
	jsonw_obj_end(w);
	jsonw_str(w, "locations");
	jsonw_arr_begin(w);
	jsonw_obj_begin(w);
	if (uri && *uri) {
		/* a file inside the image, relative as SARIF prefers; configuration
		 * findings have no file and only name the image */
		jsonw_str(w, "physicalLocation");
		jsonw_obj_begin(w);
		jsonw_str(w, "artifactLocation");
		jsonw_obj_begin(w);
		jsonw_kstr(w, "uri", *uri == '/' ? uri + 1 : uri);
		jsonw_obj_end(w);
		jsonw_obj_end(w);
	}
	jsonw_str(w, "logicalLocations");
	jsonw_arr_begin(w);
	jsonw_obj_begin(w);
	jsonw_kstr(w, "name", image);
	jsonw_kstr(w, "fullyQualifiedName", image_id);
	jsonw_kstr(w, "kind", "image");
	jsonw_obj_end(w);
	jsonw_arr_end(w);
	jsonw_obj_end(w);
	jsonw_arr_end(w);
	jsonw_str(w, "properties");
	jsonw_obj_begin(w);
	jsonw_kstr(w, "image", image);
	jsonw_kstr(w, "severity", severity_name(s));
	jsonw_obj_end(w);
	jsonw_obj_end(w);
}

int scan_report_sarif(const struct scan_run *r, FILE *f)
{
	struct jsonw w;
	int rc = jsonw_init(&w, true);
	if (rc < 0)
		return rc;
	sarif_open_rules(&w);
	for (int k = 0; k < RISK_KIND_COUNT; k++) {
		char help[256];
		snprintf(help, sizeof(help), "CIS Docker Benchmark %s: %s", risk_cis((enum risk_kind)k),
			 risk_remedy((enum risk_kind)k));
		rule(&w, risk_id((enum risk_kind)k), risk_title((enum risk_kind)k), help,
		     k == RISK_SECRET_ENV || k == RISK_SECRET_HISTORY ? SEV_HIGH : k == RISK_ROOT_USER ? SEV_MEDIUM : SEV_LOW);
	}
	for (size_t i = 0; i < r->n_images; i++)
		for (size_t v = 0; v < r->images[i].n_vulns; v++) {
			const struct scan_vuln *vu = &r->images[i].vulns[v];
			if (rule_seen(r, i, v))
				continue;
			rule(&w, vu->id, vu->summary && *vu->summary ? vu->summary : vu->id,
			     vu->fixed && *vu->fixed ? "upgrade the package to the fixed version" : "no fixed version yet",
			     vu->severity);
		}
	sarif_open_results(&w);
	for (size_t i = 0; i < r->n_images; i++) {
		const struct scan_image *s = &r->images[i];
		char nb[64];
		const char *name = scan_image_name(s, nb, sizeof(nb));
		for (size_t v = 0; v < s->n_vulns; v++) {
			const struct scan_vuln *vu = &s->vulns[v];
			const struct package *p = &s->pkgs[vu->pkg];
			char text[1024];
			snprintf(text, sizeof(text), "%s: %s %s is affected by %s (%s)%s%s", name, p->name, p->version, vu->id,
				 severity_name(vu->severity), vu->fixed && *vu->fixed ? "; fixed in " : "; no fix yet",
				 vu->fixed && *vu->fixed ? vu->fixed : "");
			result(&w, vu->id, vu->severity, text, p->location, name, s->id);
		}
		for (size_t k = 0; k < s->risks.len; k++) {
			const struct image_risk *rk = &s->risks.items[k];
			char text[1024];
			snprintf(text, sizeof(text), "%s: %s: %s", name, risk_title(rk->kind),
				 rk->kind == RISK_SETUID ? rk->subject : rk->detail);
			result(&w, risk_id(rk->kind), rk->severity, text, rk->kind == RISK_SETUID ? rk->subject : NULL,
			       name, s->id);
		}
	}
	jsonw_arr_end(&w);
	/* images that could not be read are not findings: they go to the run's notifications */
	jsonw_str(&w, "invocations");
	jsonw_arr_begin(&w);
	jsonw_obj_begin(&w);
	bool all_ok = true;
	for (size_t i = 0; i < r->n_images; i++)
		all_ok &= r->images[i].status == SCAN_OK;
	jsonw_kbool(&w, "executionSuccessful", all_ok);
	jsonw_str(&w, "toolExecutionNotifications");
	jsonw_arr_begin(&w);
	for (size_t i = 0; i < r->n_images; i++) {
		const struct scan_image *s = &r->images[i];
		if (s->status == SCAN_OK && r->db_available)
			continue;
		char nb[64], text[700];
		if (s->status != SCAN_OK)
			snprintf(text, sizeof(text), "%s: not scanned: %s", scan_image_name(s, nb, sizeof(nb)), s->reason);
		else
			snprintf(text, sizeof(text), "%s: vulnerabilities not checked: %s", scan_image_name(s, nb, sizeof(nb)),
				 r->db_note);
		jsonw_obj_begin(&w);
		jsonw_kstr(&w, "level", s->status != SCAN_OK ? "error" : "warning");
		jsonw_str(&w, "message");
		jsonw_obj_begin(&w);
		jsonw_kstr(&w, "text", text);
		jsonw_obj_end(&w);
		jsonw_obj_end(&w);
	}
	jsonw_arr_end(&w);
	jsonw_obj_end(&w);
	jsonw_arr_end(&w);      /* invocations */
	sarif_close(&w);
	rc = jsonw_write(&w, f);
	jsonw_free(&w);
	return rc;
}
