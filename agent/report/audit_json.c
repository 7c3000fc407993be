/* audit_json.c: the audit result as one schema-versioned JSON document (docs/audit-json.md). */
#include <errno.h>
#include <string.h>

#include "inventory.h"
#include "report/audit_report.h"
#include "report/jsonw.h"
#include "timefmt.h"

static void items_json(struct jsonw *w, const char *key, const char *rule_id, const struct audit_item *items,
		       size_t n, bool with_id, const struct audit_waiver *const *waived_by)
{
	jsonw_str(w, key);
	jsonw_arr_begin(w);
	for (size_t i = 0; i < n; i++) {
		jsonw_obj_begin(w);
		if (with_id) {
			char fid[24];
			audit_finding_id(rule_id, &items[i], fid);
			jsonw_kstr(w, "finding_id", fid);
		}
		jsonw_kstr(w, "kind", items[i].kind);
		jsonw_kstr(w, "id", items[i].id);
		jsonw_kstr(w, "name", items[i].name);
		jsonw_kstr(w, "detail", items[i].detail);
		if (waived_by) {
			jsonw_kstr(w, "waiver", waived_by[i]->name);
			jsonw_kstr(w, "waiver_reason", waived_by[i]->reason);
			jsonw_kstr(w, "waiver_expires", waived_by[i]->expires ? waived_by[i]->expires_text : NULL);
		}
		jsonw_obj_end(w);
	}
	jsonw_arr_end(w);
}

static void finding_json(struct jsonw *w, const struct audit_finding *f)
{
	const struct audit_rule *rule = f->rule;
	char fid[24];
	audit_finding_id(rule->id, NULL, fid);
	jsonw_obj_begin(w);
	jsonw_kstr(w, "id", rule->id);
	jsonw_kstr(w, "finding_id", fid);
	jsonw_kstr(w, "title", rule->title);
	jsonw_kstr(w, "section", rule->section);
	jsonw_kint(w, "level", rule->level);
	jsonw_kstr(w, "assessment", rule->automated ? "automated" : "manual");
	jsonw_kstr(w, "scope", audit_scope_name(rule->scope));
	jsonw_kstr(w, "severity", audit_severity_name(rule->severity));
	jsonw_kstr(w, "check", rule->prim ? rule->prim->name : NULL);
	jsonw_kstr(w, "verdict", audit_verdict_name(f->out.verdict));
	jsonw_kstr(w, "reason", f->out.reason);
	jsonw_kint(w, "objects_examined", (int64_t)f->out.n_objects);
	items_json(w, "offenders", rule->id, f->out.offenders, f->out.n_offenders, true, NULL);
	items_json(w, "evidence", rule->id, f->out.evidence, f->out.n_evidence, false, NULL);
	items_json(w, "waived", rule->id, f->waived, f->n_waived, true, f->waived_by);
	jsonw_kstr(w, "rationale", rule->rationale);
	jsonw_kstr(w, "remediation", rule->remediation);
	jsonw_obj_end(w);
}

int audit_write_json(const struct audit_result *r, const struct snapshot *s, const struct audit_report_opts *o, FILE *out)
{
	struct jsonw w;
	char when[32];
	int rc = jsonw_init_file(&w, true, out);
	if (rc < 0)
		return rc;
	format_utc(r->started, when, sizeof(when));
	jsonw_obj_begin(&w);
	jsonw_kint(&w, "schema_version", AUDIT_JSON_SCHEMA_VERSION);
	jsonw_str(&w, "tool");
	jsonw_obj_begin(&w);
	jsonw_kstr(&w, "name", "dockward");
	jsonw_kstr(&w, "version", DOCKWARD_VERSION);
	jsonw_obj_end(&w);
	jsonw_str(&w, "benchmark");
	jsonw_obj_begin(&w);
	jsonw_kstr(&w, "name", o->ruleset_name);
	jsonw_kstr(&w, "version", r->benchmark);
	jsonw_obj_end(&w);
	jsonw_str(&w, "host");
	inventory_host_json(&w, s);
	jsonw_kstr(&w, "started_at", when);
	jsonw_kint(&w, "evaluation_ms", (int64_t)(r->elapsed_ms + 0.5));
	jsonw_str(&w, "scope");
	jsonw_obj_begin(&w);
	jsonw_kint(&w, "containers", (int64_t)r->n_containers);
	jsonw_kint(&w, "images", (int64_t)r->n_images);
	jsonw_obj_end(&w);
	jsonw_str(&w, "summary");
	jsonw_obj_begin(&w);
	jsonw_kint(&w, "rules", (int64_t)r->n_findings);
	for (int v = 0; v < AUDIT_N_VERDICTS; v++)
		jsonw_kint(&w, audit_verdict_name((enum audit_verdict)v), (int64_t)r->counts[v]);
	jsonw_kint(&w, "score_percent", (int64_t)(audit_score(r) + 0.5));
	jsonw_obj_end(&w);
	jsonw_str(&w, "rules");
	jsonw_arr_begin(&w);
	for (size_t i = 0; i < r->n_findings; i++)
		finding_json(&w, &r->findings[i]);
	jsonw_arr_end(&w);
	jsonw_str(&w, "expired_waivers");
	jsonw_arr_begin(&w);
	for (size_t i = 0; i < r->n_expired; i++) {
		const struct audit_waiver *wv = r->expired[i];
		jsonw_obj_begin(&w);
		jsonw_kstr(&w, "name", wv->name);
		jsonw_kstr(&w, "rule", wv->rule);
		jsonw_kstr(&w, "expires", wv->expires_text);
		jsonw_kstr(&w, "reason", wv->reason);
		jsonw_obj_end(&w);
	}
	jsonw_arr_end(&w);
	jsonw_obj_end(&w);
	rc = jsonw_write(&w, out);
	jsonw_free(&w);
	return rc;
}
