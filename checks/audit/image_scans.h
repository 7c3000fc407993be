/* image_scans.h: the image scanner's results as audit facts (rules 4.3, 4.4, 4.8): collected once before the rules run, from the scan cache or by scanning, never from inside a primitive. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#include "audit/host_facts.h"

struct config;
struct docker_client;
struct scan_image;

/* [audit] scan_images: where the results come from. */
enum audit_scan_mode {
	AUDIT_SCAN_OFF,         /* not collected: the scan rules are not evaluated */
	AUDIT_SCAN_CACHED,      /* only what an earlier scan left in the cache */
	AUDIT_SCAN_SCAN,        /* the cache, and scanning each image it lacks */
};
/* "off", "cached", "scan"; -1 for anything else. */
int audit_scan_mode_parse(const char *s);

struct audit_image_scans {
	struct fact_status status;      /* FACT_OK once collected (per-image problems are in each result) */
	enum audit_scan_mode mode;
	bool db_available;              /* a vulnerability database was opened and matched against */
	char db_version[128];
	char db_note[512];              /* why there is none, or why it could not be read */
	/* Parallel to the snapshot's images; collected[i] false: not asked for
	 * (out of scope). A result that could not be read says so in status/reason. */
	struct scan_image *images;
	bool *collected;
	size_t n;
};

/* Fills out for the wanted images of s (wanted parallel to its images, NULL =
 * all) as cfg says: [audit] scan_images, the state directory's scan cache,
 * [scan] limits and vulnerability database. Returns 0, or -ENOMEM; every
 * other problem is recorded in out (status, db_note, each image's reason). */
int audit_image_scans_collect(struct docker_client *dc, const struct snapshot *s, const struct config *cfg,
			      const bool *wanted, struct audit_image_scans *out);
void audit_image_scans_free(struct audit_image_scans *x);
