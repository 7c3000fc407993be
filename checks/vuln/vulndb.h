/* vulndb.h: the compiled local vulnerability database: import from OSV, open, match installed packages. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "package.h"

#define VULNDB_FILE "vulndb.sqlite"
#define VULNDB_SCHEMA_VERSION 1
#define VULNDB_MAX_BAD_LISTED 1000

struct vulndb;

struct vulndb_bad_file {
	char *file;             /* path in the directory or member of the zip */
	char *reason;
};

struct vulndb_import_stats {
	size_t files;           /* JSON documents read */
	size_t advisories;      /* records stored */
	size_t affected;        /* (ecosystem, package) entries stored */
	size_t withdrawn;       /* skipped: withdrawn */
	size_t duplicates;      /* skipped: an advisory id seen before */
	size_t no_package;      /* stored nothing: no affected package with ranges or versions */
	size_t bad;             /* rejected records (unreadable, not OSV, over a bound) */
	struct vulndb_bad_file *bad_files;  /* the first VULNDB_MAX_BAD_LISTED of them */
	size_t n_bad_files;
	char content_version[40];
	char path[4096];        /* the database file written */
};

void vulndb_import_stats_free(struct vulndb_import_stats *st);

/* Compiles src (a directory searched recursively for *.json OSV records, or
 * an osv.dev all.zip) into db_dir/VULNDB_FILE, replacing any old database
 * atomically (temporary file, fsync, rename). Records that cannot be read are
 * counted in st and listed with their file name; the import fails (-EINVAL)
 * only when no record at all could be stored, leaving the old database. */
int vulndb_import(const char *src, const char *db_dir, struct vulndb_import_stats *st, char *err, size_t errlen);

/* Opens db_dir/VULNDB_FILE read-only. -ENOENT when there is none; -EPROTO when
 * it was written with another schema version (import again). */
int vulndb_open(const char *db_dir, struct vulndb **out, char *err, size_t errlen);
void vulndb_close(struct vulndb *db);

/* A digest of the imported records and the schema: equal contents give equal
 * versions, any change in content gives a new one. Scan results may be cached
 * by (image id, this). */
const char *vulndb_version(const struct vulndb *db);

struct vuln_match {
	char *id;                       /* advisory id, e.g. "GHSA-…", "DSA-…", "GO-2023-…" */
	char **aliases;                 /* CVE ids etc. */
	size_t n_aliases;
	char *summary;
	char *severity;                 /* "critical", "high", "medium", "low", "unknown"; from the CVSS v3
					 * score when there is one (0.0 counts as low), else the advisory's own */
	double cvss_score;              /* computed CVSS v3 base score, -1 if none */
	char *cvss_vector;              /* "" if none */
	char *fixed_version;            /* "" = no fix yet */
};

/* The advisories affecting pkg: matched on the exact ecosystem and, for OS
 * packages, the source package name and version when the scanner set them.
 * One entry per advisory (ids that are aliases of one another count as one).
 * *out is NULL when n is 0. Returns 0 or a negative errno. */
int vulndb_match(struct vulndb *db, const struct package *pkg, struct vuln_match **out, size_t *n);
void vuln_matches_free(struct vuln_match *m, size_t n);

struct vulndb_ecosystem_count {
	char *ecosystem;
	size_t advisories;
	size_t packages;
};

struct vulndb_info {
	char *path;
	int schema_version;
	char *content_version;
	char *imported_at;              /* RFC 3339, UTC */
	char *source;                   /* what was imported */
	uint64_t size_bytes;
	size_t advisories;
	struct vulndb_ecosystem_count *ecosystems;
	size_t n_ecosystems;
};

int vulndb_info(struct vulndb *db, struct vulndb_info *out, char *err, size_t errlen);
void vulndb_info_free(struct vulndb_info *info);
