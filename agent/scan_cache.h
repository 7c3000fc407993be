/* scan_cache.h: what a scan may reuse: what each layer holds (by diff id), an image filesystem's inventory and setuid files by layer chain, and matches by (image, database version). */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

/* What one layer (keyed by its diff id) holds, read from that layer alone:
 * the files that declare language packages (and their packages), its
 * setuid/setgid files and how many entries it has. Composing the image from
 * these (top-down, what an upper layer hides dropped) is scan_layers.c's job. */
struct scan_layer_item {
	char *path;                     /* file read */
	char *owner_path;               /* where the walk found it (dist-info directory), else path */
	struct package *pkgs; size_t n_pkgs;
	char **notes; size_t n_notes;   /* problems reading it */
};

struct scan_layer_rec {
	struct scan_layer_item *items; size_t n_items, alloc;
	struct risk_list setuid;        /* RISK_SETUID entries, subject = path */
	char **notes; size_t n_notes;   /* problems walking the layer */
	size_t files_walked;
	bool walk_truncated;
};

void scan_layer_rec_free(struct scan_layer_rec *r);

/* The OS part of an inventory (os-release, OS package databases, the files
 * those packages own), keyed by the chain id of the layers up to the top-most
 * one that holds or changes an OS database path (pkgdb_os_paths). */
struct scan_os_rec {
	struct package *pkgs; size_t n_pkgs;
	char os[128], ecosystem[96];
	bool truncated;
	size_t nerrors;                 /* problems reading them (the first PKGDB_MAX_ERRORS in notes) */
	char **notes; size_t n_notes;
	char *owned;                    /* owned paths, one a line */
};
void scan_os_rec_free(struct scan_os_rec *r);
int scan_cache_load_os(struct scan_cache *c, const char *chain_id, struct scan_os_rec *r);
int scan_cache_store_os(struct scan_cache *c, const char *chain_id, const struct scan_os_rec *r);
/* load: 0 on a hit, -ENOENT on a miss (or a damaged entry), -ENOMEM. */
int scan_cache_load_layer(struct scan_cache *c, const char *diff_id, struct scan_layer_rec *r);
int scan_cache_store_layer(struct scan_cache *c, const char *diff_id, const struct scan_layer_rec *r);

/* Most bytes the cache directory may hold (default SCAN_CACHE_DEFAULT_MAX);
 * past it, the entries used least recently are removed after a store. */
#define SCAN_CACHE_DEFAULT_MAX ((uint64_t)256 << 20)
void scan_cache_set_max_bytes(struct scan_cache *c, uint64_t max_bytes);
/* Removes least recently used entries until the directory holds at most
 * max_bytes. Returns how many were removed. */
size_t scan_cache_prune(struct scan_cache *c);

/* scan_inventory.c: an overlay2 image's filesystem (fs, layers lowest first,
 * named by diff_ids) read layer by layer: each layer not in the cache is
 * walked alone and stored; the image's language packages and setuid files
 * are composed from the layers' entries top-down (what an upper layer
 * deletes or replaces is dropped; files the OS packages own are skipped);
 * the OS part (scan_os_rec) comes from the cache when the layers up to the
 * top-most one touching an OS database path were read before, else through
 * the merged view. Fills what scan_filesystem fills, plus layers and layers_read. */
int scan_layered(struct imagefs *fs, const char *const *diff_ids, size_t n, const struct scan_options *o,
		 struct scan_cache *cache, struct scan_image *out);
