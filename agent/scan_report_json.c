/* scan_report_json.c: the scan as one JSON document (schema in docs/scan-json.md). */
#include <errno.h>
#include <string.h>

#include "report/jsonw.h"
#include "scan_report.h"
#include "timefmt.h"

const char *scan_image_name(const struct scan_image *s, char *buf, size_t len)
{
	if (s->n_tags)
		return s->tags[0];
	const char *id = s->id ? s->id : "";
	if (strncmp(id, "sha256:", 7) == 0)
		id += 7;
	snprintf(buf, len, "%.12s", id);
	return buf;
}

bool scan_image_clean(const struct scan_image *s)
{
	return s->status == SCAN_OK && s->n_vulns == 0 && s->risks.len == 0;
}

static const char *origin_name(enum package_origin o)
{
	return o == PKG_ORIGIN_OS ? "os" : "language";
}

static void strv(struct jsonw *w, const char *key, char *const *v, size_t n)
{
	jsonw_str(w, key);
	jsonw_arr_begin(w);
	for (size_t i = 0; i < n; i++)
		jsonw_str(w, v[i]);
	jsonw_arr_end(w);
}

static void write_image(struct jsonw *w, const struct scan_image *s, const struct scan_run *r)
{
	jsonw_obj_begin(w);
	jsonw_kstr(w, "id", s->id);
	strv(w, "tags", s->tags, s->n_tags);
	strv(w, "containers", s->containers, s->n_containers);
	jsonw_kstr(w, "status", s->status == SCAN_OK ? "scanned" : "not_scanned");
	jsonw_kstr(w, "reason", s->status == SCAN_OK ? NULL : s->reason);
	jsonw_kstr(w, "source", s->source);
	jsonw_kbool(w, "clean", scan_image_clean(s) && s->vulns_checked);
	jsonw_kbool(w, "from_cache", s->from_cache);
	jsonw_kstr(w, "os", s->os[0] ? s->os : NULL);
	jsonw_kstr(w, "ecosystem", s->ecosystem[0] ? s->ecosystem : NULL);

	jsonw_str(w, "inventory");
	jsonw_obj_begin(w);
	jsonw_kbool(w, "listed", s->inventory_done);
	jsonw_kbool(w, "complete", s->inventory_done && !s->inventory_truncated);
	jsonw_kint(w, "packages", (int64_t)s->n_pkgs);
	jsonw_kint(w, "files_walked", (int64_t)s->files_walked);
	jsonw_kint(w, "layers", (int64_t)s->layers);
	jsonw_kint(w, "layers_read", (int64_t)s->layers_read);
	jsonw_obj_end(w);

	jsonw_str(w, "packages");
	jsonw_arr_begin(w);
	for (size_t i = 0; i < s->n_pkgs; i++) {
		const struct package *p = &s->pkgs[i];
		jsonw_obj_begin(w);
		jsonw_kstr(w, "ecosystem", p->ecosystem);
		jsonw_kstr(w, "name", p->name);
		jsonw_kstr(w, "version", p->version);
		jsonw_kstr(w, "source_name", p->source_name && *p->source_name ? p->source_name : NULL);
		jsonw_kstr(w, "source_version", p->source_version && *p->source_version ? p->source_version : NULL);
		jsonw_kstr(w, "origin", origin_name(p->origin));
		jsonw_kstr(w, "location", p->location);
		jsonw_kstr(w, "purl", p->purl);
		jsonw_obj_end(w);
	}
	jsonw_arr_end(w);

	jsonw_str(w, "vulnerabilities_checked");
	jsonw_bool(w, s->vulns_checked && r->db_available);
	jsonw_str(w, "vulnerabilities");
	jsonw_arr_begin(w);
	for (size_t i = 0; i < s->n_vulns; i++) {
		const struct scan_vuln *v = &s->vulns[i];
		const struct package *p = &s->pkgs[v->pkg];
		jsonw_obj_begin(w);
		jsonw_kstr(w, "id", v->id);
		strv(w, "aliases", v->aliases, v->n_aliases);
		jsonw_kstr(w, "severity", severity_name(v->severity));
		jsonw_kstr(w, "ecosystem", p->ecosystem);
		jsonw_kstr(w, "package", p->name);
		jsonw_kstr(w, "installed_version", p->version);
		jsonw_kstr(w, "location", p->location);
		jsonw_kstr(w, "fixed_version", v->fixed && *v->fixed ? v->fixed : NULL);
		jsonw_kstr(w, "summary", v->summary);
		jsonw_obj_end(w);
	}
	jsonw_arr_end(w);

	jsonw_str(w, "risks");
	jsonw_arr_begin(w);
	for (size_t i = 0; i < s->risks.len; i++) {
		const struct image_risk *k = &s->risks.items[i];
		jsonw_obj_begin(w);
		jsonw_kstr(w, "id", risk_id(k->kind));
		jsonw_kstr(w, "cis", risk_cis(k->kind));
		jsonw_kstr(w, "severity", severity_name(k->severity));
		jsonw_kstr(w, "title", risk_title(k->kind));
		jsonw_kstr(w, "subject", k->subject);
		jsonw_kstr(w, "detail", k->detail);
		jsonw_kstr(w, "remedy", risk_remedy(k->kind));
		jsonw_obj_end(w);
	}
	jsonw_arr_end(w);
	strv(w, "notes", s->notes, s->n_notes);
	jsonw_obj_end(w);
}

int scan_report_json(const struct scan_run *r, FILE *f)
{
	struct jsonw w;
	int rc = jsonw_init(&w, true);
	if (rc < 0)
		return rc;
	char when[32];
	format_utc(r->started, when, sizeof(when));
	size_t scanned = 0, not_scanned = 0, with_findings = 0, vulns[SEV_COUNT] = { 0 }, risks = 0;
	for (size_t i = 0; i < r->n_images; i++) {
		const struct scan_image *s = &r->images[i];
		if (s->status == SCAN_OK)
			scanned++;
		else
			not_scanned++;
		with_findings += s->n_vulns + s->risks.len > 0;
		for (size_t v = 0; v < s->n_vulns; v++)
			vulns[s->vulns[v].severity]++;
		risks += s->risks.len;
	}
	jsonw_obj_begin(&w);
	jsonw_kint(&w, "schema_version", SCAN_JSON_SCHEMA_VERSION);
	jsonw_str(&w, "tool");
	jsonw_obj_begin(&w);
	jsonw_kstr(&w, "name", "dockward");
	jsonw_kstr(&w, "version", DOCKWARD_VERSION);
	jsonw_obj_end(&w);
	jsonw_kstr(&w, "scanned_at", when);
	jsonw_str(&w, "vulnerability_db");
	jsonw_obj_begin(&w);
	jsonw_kbool(&w, "available", r->db_available);
	jsonw_kstr(&w, "version", r->db_available ? r->db_version : NULL);
	jsonw_kstr(&w, "note", r->db_available ? NULL : r->db_note);
	jsonw_obj_end(&w);
	jsonw_str(&w, "summary");
	jsonw_obj_begin(&w);
	jsonw_kint(&w, "images", (int64_t)r->n_images);
	jsonw_kint(&w, "scanned", (int64_t)scanned);
	jsonw_kint(&w, "not_scanned", (int64_t)not_scanned);
	jsonw_kint(&w, "with_findings", (int64_t)with_findings);
	jsonw_str(&w, "vulnerabilities");
	jsonw_obj_begin(&w);
	for (int s = SEV_COUNT - 1; s >= 0; s--)
		jsonw_kint(&w, severity_name((enum severity)s), (int64_t)vulns[s]);
	jsonw_obj_end(&w);
	jsonw_kint(&w, "risks", (int64_t)risks);
	jsonw_obj_end(&w);
	jsonw_str(&w, "images");
	jsonw_arr_begin(&w);
	for (size_t i = 0; i < r->n_images; i++)
		write_image(&w, &r->images[i], r);
	jsonw_arr_end(&w);
	jsonw_obj_end(&w);
	rc = jsonw_write(&w, f);
	jsonw_free(&w);
	return rc;
}
