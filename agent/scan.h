/* scan.h: the image scanner's results (one per image) and the stages that fill them: read the image, check risks, inventory, match. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yajl/yajl_tree.h>

#include "image/risks.h"
#include "package.h"

struct imagefs;
struct docker_client;
struct docker_image;
struct scan_cache;

/* One advisory that applies to one package of the image. */
struct scan_vuln {
	size_t pkg;                     /* index into scan_image.pkgs */
	char *id;                       /* advisory id: "DSA-5678-1", "CVE-2024-1234", "GHSA-..." */
	char **aliases; size_t n_aliases;
	enum severity severity;
	char *fixed;                    /* fixed version, "" = no fix yet */
	char *summary;
};

enum scan_status {
	SCAN_OK,                        /* read and checked */
	SCAN_NOT_SCANNED,               /* could not be read: see reason (never reported clean) */
};

struct scan_image {
	char *id;                       /* "sha256:..." */
	char **tags; size_t n_tags;     /* repo tags, "<none>" images have none */
	char **containers; size_t n_containers;   /* names of containers using it */
	char *source;                   /* how it was read: "overlay2", "engine export", "archive FILE" */
	enum scan_status status;
	char reason[512];               /* why it was not scanned */
	char os[128];                   /* PRETTY_NAME, "" when unknown */
	char ecosystem[96];             /* "Debian:12" */
	struct package *pkgs; size_t n_pkgs;
	bool inventory_done;            /* false: packages were not listed (no package reader) */
	bool inventory_truncated;       /* a limit stopped the inventory: it is incomplete */
	char **notes; size_t n_notes;   /* problems reading single files, limits hit */
	struct scan_vuln *vulns; size_t n_vulns;
	bool vulns_checked;             /* matched against a vulnerability database */
	struct risk_list risks;
	size_t files_walked;
	bool walk_truncated;
	bool from_cache;
	size_t layers;                  /* layers of the image (0 when not known) */
	size_t layers_read;             /* of them, read this time (the others came from the cache) */
	double seconds;
};

struct scan_options {
	const char *host_root;          /* prefix of the engine's paths ("" = /) */
	bool local_engine;              /* the engine's files are on this host (unix socket) */
	const char *tmpdir;             /* for exported images */
	uint64_t max_image_bytes;       /* export / unpack limit */
	uint64_t max_file_bytes;
	size_t max_entries;             /* walked per image */
	bool no_cache;
	bool cache_only;                /* never read the image: a cache miss is reported not scanned */
};

/* Scans one engine image (inspect + history in img). */
int scan_engine_image(struct docker_client *c, const struct docker_image *img, const struct scan_options *o,
		      struct scan_cache *cache, struct scan_image *out);
/* Scans every image of a `docker save` tarball or OCI layout; *out is an
 * array of *n results. A file that cannot be read at all gives -errno with
 * the reason in err (exit status 2 for the user's input). The cache is not
 * used for files: their layers are not checked against the config's diff ids,
 * so a crafted file could otherwise plant results for a genuine image. */
int scan_archive_input(const char *input, const struct scan_options *o, struct scan_cache *cache,
		       struct scan_image **out, size_t *n, char *err, size_t errlen);
/* Reads an opened image filesystem: setuid files from the walk, then the
 * package inventory (scan_inventory, which needs the package readers). */
int scan_filesystem(struct imagefs *fs, const struct scan_options *o, struct scan_image *out);
int scan_inventory(struct imagefs *fs, const struct scan_options *o, struct scan_image *out);
/* The configuration risks (root user, healthcheck, secrets) of an image from
 * its config object (Config of an inspect document, or "config" of a config
 * blob) and its history array, whose entries hold the step in created_by_key
 * ("CreatedBy" from the engine, newest first; "created_by" in a blob). */
int scan_risks_from_config(yajl_val config, yajl_val history, bool newest_first, const char *created_by_key,
			   struct risk_list *out);

/* The vulnerability database (checks/vuln) as the scanner uses it. */
struct vulndb;
/* Opens the database in dir. 0 with *db NULL and a note for people when none
 * is installed; a negative errno (note says why) when one exists but cannot be read. */
int scan_db_open(const char *dir, struct vulndb **db, char *version, size_t vlen, char *note, size_t nlen);
/* Matches every package of s against db (no-op for an image not scanned). */
int scan_match(struct vulndb *db, struct scan_image *s);

int scan_image_note(struct scan_image *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void scan_image_not_scanned(struct scan_image *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void scan_image_free(struct scan_image *s);

/* Counts of findings at or above a severity. */
size_t scan_image_count(const struct scan_image *s, enum severity min, bool vulns, bool risks);
