/* scan_cache.h: what a scan may reuse: an image filesystem's inventory and setuid files by layer chain, and matches by (image, database version). */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#include "scan.h"

struct scan_cache;

/* Opens (creating, mode 0700) STATE_DIR/cache. Returns 0 or a negative
 * errno (the scan then runs without a cache; err says why). */
int scan_cache_open(const char *state_dir, struct scan_cache **out, char *err, size_t errlen);
void scan_cache_close(struct scan_cache *c);

/* The layer chain id ("sha256:...") of diff ids (lowest first), as the OCI
 * image spec defines it; out holds 72 bytes. -EINVAL when there are none. */
int scan_chain_id(const char *const *diff_ids, size_t n, char out[72]);

/* What the filesystem gave (packages, OS, setuid files, walk counts, notes)
 * for the layer chain key. load: 0 on a hit (appended to s), -ENOENT on a miss. */
int scan_cache_load_fs(struct scan_cache *c, const char *key, struct scan_image *s);
int scan_cache_store_fs(struct scan_cache *c, const char *key, const struct scan_image *s);
/* The matches of image_id's packages against database version dbver. */
int scan_cache_load_vulns(struct scan_cache *c, const char *image_id, const char *dbver, struct scan_image *s);
int scan_cache_store_vulns(struct scan_cache *c, const char *image_id, const char *dbver, const struct scan_image *s);
/* Only how many matches of each severity (and how many with a fixed version)
 * image_id has against dbver, without its inventory: 0, or -ENOENT on a miss. */
int scan_cache_vuln_counts(struct scan_cache *c, const char *image_id, const char *dbver, size_t counts[SEV_COUNT],
			   size_t *fixable);
