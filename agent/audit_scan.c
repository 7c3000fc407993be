/* audit_scan.c: the image scanner's results for the audit's collect stage: the scan cache first, the scanner for what it lacks ([audit] scan_images), then the vulnerability database. */
#include "audit/image_scans.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "docker/client.h"
#include "log.h"
#include "scan.h"
#include "scan_cache.h"
#include "vuln/vulndb.h"

int audit_scan_mode_parse(const char *s)
{
	static const char *const names[] = { "off", "cached", "scan" };
	for (int i = 0; i < 3; i++)
		if (s && strcmp(s, names[i]) == 0)
			return i;
	return -1;
}

int audit_image_scans_collect(struct docker_client *dc, const struct snapshot *s, const struct config *cfg,
			      const bool *wanted, struct audit_image_scans *out)
{
	memset(out, 0, sizeof(*out));
	int mode = audit_scan_mode_parse(cfg->audit_scan_images);
	out->mode = mode < 0 ? AUDIT_SCAN_OFF : (enum audit_scan_mode)mode;
	if (mode < 0) {
		out->status.state = FACT_UNAVAILABLE;
		snprintf(out->status.reason, sizeof(out->status.reason), "[audit] scan_images is not off, cached or scan");
		return 0;
	}
	if (mode == AUDIT_SCAN_OFF) {
		out->status.state = FACT_UNAVAILABLE;
		snprintf(out->status.reason, sizeof(out->status.reason),
			 "the image scanner's results are not collected ([audit] scan_images = off)");
		return 0;
	}
	out->images = calloc(s->n_images + 1, sizeof(*out->images));
	out->collected = calloc(s->n_images + 1, sizeof(*out->collected));
	if (!out->images || !out->collected)
		return -ENOMEM;
	out->n = s->n_images;
	struct scan_cache *cache = NULL;
	char err[512];
	if (scan_cache_open(cfg->state_dir, &cache, err, sizeof(err)) < 0)
		log_info("audit: no scan cache (%s)", err);
	struct vulndb *db = NULL;
	if (scan_db_open(cfg->scan_vulndb_dir, &db, out->db_version, sizeof(out->db_version), out->db_note,
			 sizeof(out->db_note)) < 0)
		log_warning("audit: %s", out->db_note);
	out->db_available = db != NULL;
	struct scan_options o = {
		.host_root = cfg->host_root,
		.local_engine = strncmp(docker_client_host(dc), "unix://", 7) == 0,
		.tmpdir = cfg->scan_work_dir,
		.max_image_bytes = cfg->scan_max_image_bytes,
		.max_file_bytes = cfg->scan_max_file_bytes,
		.max_entries = (size_t)cfg->scan_max_files,
		.cache_only = mode == AUDIT_SCAN_CACHED,
	};
	int r = 0;
	for (size_t i = 0; i < s->n_images && r == 0; i++) {
		if (wanted && !wanted[i])
			continue;
		struct scan_image *si = &out->images[i];
		out->collected[i] = true;
		if (!cache && o.cache_only) {
			if (!(si->id = strdup(s->images[i].id)))
				r = -ENOMEM;
			else
				scan_image_not_scanned(si, "no scan cache to read (%s)", err);
			continue;
		}
		r = scan_engine_image(dc, &s->images[i], &o, cache, si);
		if (r < 0 || !db || si->status != SCAN_OK)
			continue;
		/* an unchanged image against an unchanged database is not matched again */
		if (cache && scan_cache_load_vulns(cache, si->id, out->db_version, si) == 0)
			continue;
		if ((r = scan_match(db, si)) < 0) {
			log_error("audit: matching %s: %s", si->id, strerror(-r));
			break;
		}
		scan_cache_store_vulns(cache, si->id, out->db_version, si);
	}
	vulndb_close(db);
	scan_cache_close(cache);
	if (r == -ENOMEM)
		return r;
	if (r < 0) {
		out->status.state = FACT_UNAVAILABLE;
		snprintf(out->status.reason, sizeof(out->status.reason), "the image scan failed: %s", strerror(-r));
		return 0;
	}
	out->status.state = FACT_OK;
	return 0;
}

void audit_image_scans_free(struct audit_image_scans *x)
{
	if (!x)
		return;
	for (size_t i = 0; i < x->n; i++)
		scan_image_free(&x->images[i]);
	free(x->images);
	free(x->collected);
	memset(x, 0, sizeof(*x));
}
