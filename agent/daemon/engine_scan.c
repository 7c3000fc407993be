/* engine_scan.c: the image scanner (agent/scan.h) as a daemon engine: matched advisories become vulnerability findings. */
#include "daemon/engine_scan.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scan.h"
#include "scan_cache.h"
#include "snapshot.h"
#include "vuln/vulndb.h"

struct scan_engine {
	struct scan_options opts;
	char *host_root, *tmpdir, *db_dir, *state_dir;
	char db_version[128];           /* of the last run; "" = no database */
	struct daemon_engine *eng;      /* for its status line */
};

static void scan_engine_free(void *p)
{
	struct scan_engine *e = p;
	if (!e)
		return;
	free(e->host_root);
	free(e->tmpdir);
	free(e->db_dir);
	free(e->state_dir);
	free(e);
}

static int severity_of(enum severity s)
{
	switch (s) {
	case SEV_LOW: return SEVERITY_LOW;
	case SEV_MEDIUM: return SEVERITY_MEDIUM;
	case SEV_HIGH: return SEVERITY_HIGH;
	case SEV_CRITICAL: return SEVERITY_CRITICAL;
	default: return SEVERITY_UNKNOWN;
	}
}

static int report_image(const struct scan_image *s, bool matched, const struct finding_sink *out)
{
	/* not read, or no database to match against: what was open stays open */
	if (s->status != SCAN_OK || !matched) {
		if (out->object_not_evaluated)
			out->object_not_evaluated(out->user, OBJECT_IMAGE, s->id);
		return 0;
	}
	for (size_t i = 0; i < s->n_vulns; i++) {
		const struct scan_vuln *v = &s->vulns[i];
		const struct package *p = v->pkg < s->n_pkgs ? &s->pkgs[v->pkg] : NULL;
		char remedy[512] = "";
		if (v->fixed && *v->fixed && p)
			snprintf(remedy, sizeof(remedy), "rebuild the image with %s %s or later", p->name, v->fixed);
		struct finding f = {
			.cls = FINDING_VULNERABILITY, .engine = "scan", .rule_id = v->id,
			.title = v->summary && *v->summary ? v->summary : v->id, .object_type = OBJECT_IMAGE,
			.object_id = s->id, .object_name = s->n_tags ? s->tags[0] : NULL,
			.severity = severity_of(v->severity), .failed = true, .evidence = p ? p->version : NULL,
			.remediation = remedy[0] ? remedy : NULL, .package_name = p ? p->name : NULL,
			.package_version = p ? p->version : NULL, .fixed_version = v->fixed,
		};
		int r = out->emit(out->user, &f);
		if (r < 0)
			return r;
	}
	return 0;
}

static int scan_evaluate(void *ctx, struct docker_client *dc, int object_type, const char *object_id,
			 const struct finding_sink *out, char *err, size_t errlen)
{
	struct scan_engine *e = ctx;
	struct snapshot snap = { 0 };
	struct docker_image one = { 0 };
	const struct docker_image *imgs;
	size_t n_imgs;
	bool have_snap = false, have_one = false;
	int r;
	if (object_type == OBJECT_IMAGE && object_id) {
		r = docker_inspect_image(dc, object_id, &one);
		if (r == 0) {
			have_one = true;
			r = docker_image_history(dc, &one);
		}
		imgs = &one;
		n_imgs = 1;
	} else {
		struct snapshot_request req = { .images = true, .image_history = true };
		r = snapshot_collect(dc, &req, &snap);
		have_snap = r == 0;
		imgs = snap.images;
		n_imgs = snap.n_images;
	}
	if (r < 0) {
		snprintf(err, errlen, "%s", docker_client_error(dc));
		goto out;
	}
	struct scan_cache *cache = NULL;
	char why[512];
	if (scan_cache_open(e->state_dir, &cache, why, sizeof(why)) < 0)
		cache = NULL;
	struct vulndb *db = NULL;
	char version[128] = "", note[512] = "";
	scan_db_open(e->db_dir, &db, version, sizeof(version), note, sizeof(note));
	snprintf(e->db_version, sizeof(e->db_version), "%s", db ? version : "");
	if (db)
		snprintf(e->eng->status, sizeof(e->eng->status), "available (vulnerability database %.100s)", version);
	else
		snprintf(e->eng->status, sizeof(e->eng->status), "available, images not matched: %.120s", note);
	struct scan_options o = e->opts;
	o.local_engine = strncmp(docker_client_host(dc), "unix://", 7) == 0;
	for (size_t i = 0; i < n_imgs && r == 0; i++) {
		struct scan_image s = { 0 };
		r = scan_engine_image(dc, &imgs[i], &o, cache, &s);
		bool matched = false;
		if (r == 0 && db && s.status == SCAN_OK) {
			matched = scan_cache_load_vulns(cache, s.id, version, &s) == 0;
			if (!matched && scan_match(db, &s) == 0) {
				matched = true;
				scan_cache_store_vulns(cache, s.id, version, &s);
			}
		}
		if (r == 0)
			r = report_image(&s, matched, out);
		else
			snprintf(err, errlen, "scanning %s: %s", imgs[i].id, strerror(-r));
		scan_image_free(&s);
	}
	vulndb_close(db);
	scan_cache_close(cache);
out:
	if (have_one)
		docker_image_free(&one);
	if (have_snap)
		snapshot_free(&snap);
	return r;
}

/* A new or updated database means every image is matched again. */
static bool scan_wants_full_run(void *ctx)
{
	struct scan_engine *e = ctx;
	struct vulndb *db = NULL;
	char version[128] = "", note[256];
	scan_db_open(e->db_dir, &db, version, sizeof(version), note, sizeof(note));
	bool changed = db && strcmp(version, e->db_version) != 0;
	vulndb_close(db);
	return changed;
}

int engine_scan_init(const struct config *cfg, struct daemon_engine *eng, char *err, size_t errlen)
{
	struct scan_engine *e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->host_root = strdup(cfg->host_root);
	e->tmpdir = strdup(cfg->scan_work_dir);
	e->db_dir = strdup(cfg->scan_vulndb_dir);
	e->state_dir = strdup(cfg->state_dir);
	if (!e->host_root || !e->tmpdir || !e->db_dir || !e->state_dir) {
		scan_engine_free(e);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	e->opts = (struct scan_options){
		.host_root = e->host_root, .tmpdir = e->tmpdir, .max_image_bytes = cfg->scan_max_image_bytes,
		.max_file_bytes = cfg->scan_max_file_bytes, .max_entries = (size_t)cfg->scan_max_files,
	};
	e->eng = eng;
	eng->ctx = e;
	eng->free_ctx = scan_engine_free;
	eng->evaluate = scan_evaluate;
	eng->wants_full_run = scan_wants_full_run;
	eng->handles_object = OBJECT_IMAGE;
	snprintf(eng->status, sizeof(eng->status), "available");
	return 0;
}
