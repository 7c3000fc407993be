/* audit_sarif.c: the audit result as SARIF 2.1.0 for code-scanning UIs: the rules, and a result per failing object. */
#include <errno.h>
#include <string.h>

#include "report/audit_report.h"
#include "report/jsonw.h"
#include "report/sarif.h"

static const char *sarif_level(enum audit_severity s)
{
	return s >= SEV_HIGH ? "error" : s == SEV_MEDIUM ? "warning" : "note";
}

static void text_obj(struct jsonw *w, const char *key, const char *text)
{
	jsonw_str(w, key);
	jsonw_obj_begin(w);
	jsonw_kstr(w, "text", text);
	jsonw_obj_end(w);
}

static void rule_json(struct jsonw *w, const struct audit_rule *rule)
{
	jsonw_obj_begin(w);
	jsonw_kstr(w, "id", rule->id);
	text_obj(w, "shortDescription", rule->title);
	text_obj(w, "fullDescription", rule->rationale[0] ? rule->rationale : rule->title);
	text_obj(w, "help", rule->remediation[0] ? rule->remediation : rule->title);
	jsonw_str(w, "defaultConfiguration");
	jsonw_obj_begin(w);
	jsonw_kstr(w, "level", sarif_level(rule->severity));
	jsonw_obj_end(w);
	jsonw_str(w, "properties");
	jsonw_obj_begin(w);
	jsonw_kstr(w, "section", rule->section);
	jsonw_kstr(w, "severity", audit_severity_name(rule->severity));
	jsonw_kint(w, "level", rule->level);
	jsonw_kstr(w, "assessment", rule->automated ? "automated" : "manual");
	jsonw_obj_end(w);
	jsonw_obj_end(w);
}

static void result_json(struct jsonw *w, const struct audit_finding *f, size_t rule_index,
			const struct audit_item *it, const struct audit_waiver *waived_by)
{
	char fid[24], msg[1024];
	audit_finding_id(f->rule->id, it, fid);
	jsonw_obj_begin(w);
	jsonw_kstr(w, "ruleId", f->rule->id);
	jsonw_kint(w, "ruleIndex", (int64_t)rule_index);
	jsonw_kstr(w, "level", sarif_level(f->rule->severity));
	snprintf(msg, sizeof(msg), "%s: %s %s: %s", f->rule->title, it->kind, it->name[0] ? it->name : it->id, it->detail);
	text_obj(w, "message", msg);
	jsonw_str(w, "locations");
	jsonw_arr_begin(w);
	jsonw_obj_begin(w);
	if (strcmp(it->kind, "file") == 0) {
		jsonw_str(w, "physicalLocation");
		jsonw_obj_begin(w);
		jsonw_str(w, "artifactLocation");
		jsonw_obj_begin(w);
		char uri[4200];
		snprintf(uri, sizeof(uri), "file://%s", it->id);
		jsonw_kstr(w, "uri", uri);
		jsonw_obj_end(w);
		jsonw_obj_end(w);
	}
	jsonw_str(w, "logicalLocations");
	jsonw_arr_begin(w);
	jsonw_obj_begin(w);
	jsonw_kstr(w, "name", it->name[0] ? it->name : it->id);
	jsonw_kstr(w, "fullyQualifiedName", it->id);
	jsonw_kstr(w, "kind", it->kind);
	jsonw_obj_end(w);
	jsonw_arr_end(w);
	jsonw_obj_end(w);
	jsonw_arr_end(w);
	jsonw_str(w, "partialFingerprints");
	jsonw_obj_begin(w);
	jsonw_kstr(w, "dockwardFindingId/v1", fid);
	jsonw_obj_end(w);
	if (waived_by) {
		jsonw_str(w, "suppressions");
		jsonw_arr_begin(w);
		jsonw_obj_begin(w);
		jsonw_kstr(w, "kind", "external");
		jsonw_kstr(w, "justification", waived_by->reason);
		jsonw_obj_end(w);
		jsonw_arr_end(w);
	}
	jsonw_obj_end(w);
}

int audit_write_sarif(const struct audit_result *r, const struct snapshot *s, const struct audit_report_opts *o, FILE *out)
{
	struct jsonw w;
	int rc = jsonw_init_file(&w, true, out);
	if (rc < 0)
		return rc;
	sarif_open_rules(&w);
	for (size_t i = 0; i < r->n_findings; i++)
		rule_json(&w, r->findings[i].rule);
	sarif_open_results(&w);
	for (size_t i = 0; i < r->n_findings; i++) {
		const struct audit_finding *f = &r->findings[i];
		for (size_t k = 0; f->out.verdict == AUDIT_FAIL && k < f->out.n_offenders; k++)
			result_json(&w, f, i, &f->out.offenders[k], NULL);
		for (size_t k = 0; k < f->n_waived; k++)
			result_json(&w, f, i, &f->waived[k], f->waived_by[k]);
	}
	jsonw_arr_end(&w);
	jsonw_str(&w, "properties");
	jsonw_obj_begin(&w);
	jsonw_kstr(&w, "benchmark", o->ruleset_name);
	jsonw_kstr(&w, "benchmarkVersion", r->benchmark);
	jsonw_kstr(&w, "hostname", r->hostname);
	jsonw_kstr(&w, "engineVersion", s->version.version);
	jsonw_obj_end(&w);
	sarif_close(&w);
	rc = jsonw_write(&w, out);
	jsonw_free(&w);
	return rc;
}
