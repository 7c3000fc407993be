/* osv.h: one OSV advisory record (https://ossf.github.io/osv-schema/) read into the parts the matcher uses. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#define OSV_MAX_RECORD_BYTES ((size_t)8 << 20)
#define OSV_MAX_VERSION_LEN 256
#define OSV_MAX_AFFECTED 4096
#define OSV_MAX_RANGES 256
#define OSV_MAX_EVENTS 4096
#define OSV_MAX_VERSIONS 100000
#define OSV_MAX_ALIASES 1024

enum osv_event_kind { OSV_INTRODUCED, OSV_FIXED, OSV_LAST_AFFECTED, OSV_LIMIT };

struct osv_event {
	enum osv_event_kind kind;
	char *version;          /* "0" for introduced means "from the start" */
};

/* Only SEMVER and ECOSYSTEM ranges are kept: GIT ranges name commits, which
 * an installed package does not carry. */
enum osv_range_type { OSV_RANGE_SEMVER, OSV_RANGE_ECOSYSTEM };

struct osv_range {
	enum osv_range_type type;
	struct osv_event *events;
	size_t n_events;
};

struct osv_affected {
	char *ecosystem;        /* "Debian:12", "PyPI", ... */
	char *name;
	struct osv_range *ranges;
	size_t n_ranges;
	char **versions;        /* explicitly listed affected versions */
	size_t n_versions;
};

struct osv_record {
	char *id;
	char *modified;
	char **aliases;
	size_t n_aliases;
	char *summary;          /* summary, else the first line of details; "" if neither */
	bool withdrawn;
	struct osv_affected *affected;  /* entries with a package and at least one range or version */
	size_t n_affected;
	char *severity;         /* critical/high/medium/low/unknown (a CVSS score of 0.0 is low) */
	double cvss_score;      /* CVSS v3 base score, -1 when the record has no v3 vector */
	char *cvss_vector;      /* the v3 vector, else a v4 or v2 one, else "" */
};

/* Parses one OSV JSON document of len bytes (at most OSV_MAX_RECORD_BYTES).
 * Returns 0, -EBADMSG/-EINVAL/-E2BIG with a one-line reason in err, or -ENOMEM.
 * A withdrawn record parses (withdrawn = true); the caller decides. */
int osv_parse(const char *text, size_t len, struct osv_record *out, char *err, size_t errlen);
void osv_record_free(struct osv_record *r);
