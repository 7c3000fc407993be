/* scan_report_cdx.c: the scan as a CycloneDX 1.5 JSON SBOM: each image a container component with its packages, plus vulnerabilities. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report/jsonw.h"
#include "scan_report.h"
#include "timefmt.h"

static void uuid4(char out[37])
{
	unsigned char b[16] = { 0 };
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || read(fd, b, sizeof(b)) != (ssize_t)sizeof(b)) {
		/* time-based fallback: still unique enough for a serial number */
		unsigned long long t = (unsigned long long)time(NULL) ^ ((unsigned long long)getpid() << 32);
		memcpy(b, &t, sizeof(t));
	}
	if (fd >= 0)
		close(fd);
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2],
		 b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

static void pkg_ref(const struct scan_image *s, size_t i, char *out, size_t len)
{
	const char *id = s->id && strncmp(s->id, "sha256:", 7) == 0 ? s->id + 7 : s->id ? s->id : "";
	snprintf(out, len, "%.12s/pkg-%zu", id, i);
}

static void property(struct jsonw *w, const char *name, const char *value)
{
	if (!value || !*value)
		return;
	jsonw_obj_begin(w);
	jsonw_kstr(w, "name", name);
	jsonw_kstr(w, "value", value);
	jsonw_obj_end(w);
}

static void image_component(struct jsonw *w, const struct scan_image *s)
{
	char nb[64];
	jsonw_obj_begin(w);
	jsonw_kstr(w, "type", "container");
	jsonw_kstr(w, "bom-ref", s->id);
	jsonw_kstr(w, "name", scan_image_name(s, nb, sizeof(nb)));
	jsonw_kstr(w, "version", s->id);
	jsonw_str(w, "properties");
	jsonw_arr_begin(w);
	property(w, "dockward:scan:status", s->status == SCAN_OK ? "scanned" : "not_scanned");
	property(w, "dockward:scan:reason", s->status == SCAN_OK ? NULL : s->reason);
	property(w, "dockward:image:os", s->os);
	for (size_t t = 1; t < s->n_tags; t++)
		property(w, "dockward:image:tag", s->tags[t]);
	jsonw_arr_end(w);
	jsonw_str(w, "components");
	jsonw_arr_begin(w);
	for (size_t i = 0; i < s->n_pkgs; i++) {
		const struct package *p = &s->pkgs[i];
		char ref[128];
		pkg_ref(s, i, ref, sizeof(ref));
		jsonw_obj_begin(w);
		jsonw_kstr(w, "type", "library");
		jsonw_kstr(w, "bom-ref", ref);
		jsonw_kstr(w, "name", p->name);
		jsonw_kstr(w, "version", p->version);
		if (p->purl && *p->purl)
			jsonw_kstr(w, "purl", p->purl);
		jsonw_str(w, "properties");
		jsonw_arr_begin(w);
		property(w, "dockward:package:ecosystem", p->ecosystem);
		property(w, "dockward:package:location", p->location);
		property(w, "dockward:package:source_name", p->source_name);
		property(w, "dockward:package:source_version", p->source_version);
		jsonw_arr_end(w);
		jsonw_obj_end(w);
	}
	jsonw_arr_end(w);
	jsonw_obj_end(w);
}

static void vulnerability(struct jsonw *w, const struct scan_image *s, const struct scan_vuln *v)
{
	char ref[128];
	pkg_ref(s, v->pkg, ref, sizeof(ref));
	jsonw_obj_begin(w);
	jsonw_kstr(w, "id", v->id);
	jsonw_str(w, "source");
	jsonw_obj_begin(w);
	jsonw_kstr(w, "name", "OSV");
	jsonw_obj_end(w);
	jsonw_str(w, "ratings");
	jsonw_arr_begin(w);
	jsonw_obj_begin(w);
	jsonw_kstr(w, "severity", v->severity == SEV_UNKNOWN ? "unknown" : severity_name(v->severity));
	jsonw_obj_end(w);
	jsonw_arr_end(w);
	if (v->n_aliases) {
		jsonw_str(w, "references");
		jsonw_arr_begin(w);
		for (size_t a = 0; a < v->n_aliases; a++) {
			jsonw_obj_begin(w);
			jsonw_kstr(w, "id", v->aliases[a]);
			jsonw_str(w, "source");
			jsonw_obj_begin(w);
			jsonw_kstr(w, "name", strncmp(v->aliases[a], "CVE-", 4) == 0 ? "NVD" : "OSV");
			jsonw_obj_end(w);
			jsonw_obj_end(w);
		}
		jsonw_arr_end(w);
	}
	if (v->summary && *v->summary)
		jsonw_kstr(w, "description", v->summary);
	char rec[300];
	if (v->fixed && *v->fixed)
		snprintf(rec, sizeof(rec), "upgrade to %s", v->fixed);
	else
		snprintf(rec, sizeof(rec), "no fix yet");
	jsonw_kstr(w, "recommendation", rec);
	jsonw_str(w, "affects");
	jsonw_arr_begin(w);
	jsonw_obj_begin(w);
	jsonw_kstr(w, "ref", ref);
	jsonw_obj_end(w);
	jsonw_arr_end(w);
	jsonw_obj_end(w);
}

int scan_report_cyclonedx(const struct scan_run *r, FILE *f)
{
	struct jsonw w;
	int rc = jsonw_init(&w, true);
	if (rc < 0)
		return rc;
	char uuid[37], when[32], serial[64];
	uuid4(uuid);
	snprintf(serial, sizeof(serial), "urn:uuid:%s", uuid);
	format_utc(r->started, when, sizeof(when));
	jsonw_obj_begin(&w);
	jsonw_kstr(&w, "bomFormat", "CycloneDX");
	jsonw_kstr(&w, "specVersion", "1.5");
	jsonw_kstr(&w, "serialNumber", serial);
	jsonw_kint(&w, "version", 1);
	jsonw_str(&w, "metadata");
	jsonw_obj_begin(&w);
	jsonw_kstr(&w, "timestamp", when);
	jsonw_str(&w, "tools");
	jsonw_obj_begin(&w);
	jsonw_str(&w, "components");
	jsonw_arr_begin(&w);
	jsonw_obj_begin(&w);
	jsonw_kstr(&w, "type", "application");
	jsonw_kstr(&w, "name", "dockward");
	jsonw_kstr(&w, "version", DOCKWARD_VERSION);
	jsonw_obj_end(&w);
	jsonw_arr_end(&w);
	jsonw_obj_end(&w);
	if (r->n_images == 1) {
		char nb[64];
		jsonw_str(&w, "component");
		jsonw_obj_begin(&w);
		jsonw_kstr(&w, "type", "container");
		jsonw_kstr(&w, "bom-ref", "subject");
		jsonw_kstr(&w, "name", scan_image_name(&r->images[0], nb, sizeof(nb)));
		jsonw_kstr(&w, "version", r->images[0].id);
		jsonw_obj_end(&w);
	}
	jsonw_str(&w, "properties");
	jsonw_arr_begin(&w);
	property(&w, "dockward:vulnerability_db", r->db_available ? r->db_version : "not available");
	jsonw_arr_end(&w);
	jsonw_obj_end(&w);
	jsonw_str(&w, "components");
	jsonw_arr_begin(&w);
	for (size_t i = 0; i < r->n_images; i++)
		image_component(&w, &r->images[i]);
	jsonw_arr_end(&w);
	jsonw_str(&w, "vulnerabilities");
	jsonw_arr_begin(&w);
	for (size_t i = 0; i < r->n_images; i++)
		for (size_t v = 0; v < r->images[i].n_vulns; v++)
			vulnerability(&w, &r->images[i], &r->images[i].vulns[v]);
	jsonw_arr_end(&w);
	jsonw_obj_end(&w);
	rc = jsonw_write(&w, f);
	jsonw_free(&w);
	return rc;
}
