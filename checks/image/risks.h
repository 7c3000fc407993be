/* risks.h: image configuration and filesystem risks (CIS Docker Benchmark 4.x): root user, no healthcheck, secrets, setuid files. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

struct imagefs;

enum severity { SEV_UNKNOWN, SEV_LOW, SEV_MEDIUM, SEV_HIGH, SEV_CRITICAL, SEV_COUNT };

const char *severity_name(enum severity s);          /* "unknown", "low", ... */
/* Case-insensitive; also accepts "moderate" and "important" (distribution words). -1 if unknown. */
int severity_parse(const char *s);

enum risk_kind {
	RISK_ROOT_USER,         /* CIS 4.1 */
	RISK_NO_HEALTHCHECK,    /* CIS 4.6 */
	RISK_SETUID,            /* CIS 4.8 */
	RISK_SECRET_ENV,        /* CIS 4.10 */
	RISK_SECRET_HISTORY,    /* CIS 4.10 */
	RISK_KIND_COUNT,
};

struct image_risk {
	enum risk_kind kind;
	enum severity severity;
	char *subject;          /* the file, variable name or "history step N" (never a secret value) */
	char *detail;           /* one line for people */
};

struct risk_list {
	struct image_risk *items;
	size_t len, alloc;
};

/* Stable id ("DW-IMG-ROOT-USER"), CIS recommendation ("4.1"), title and remedy. */
const char *risk_id(enum risk_kind k);
const char *risk_cis(enum risk_kind k);
const char *risk_title(enum risk_kind k);
const char *risk_remedy(enum risk_kind k);

/* The facts about an image's configuration the checks read, from the image
 * inspect document or an image config blob. Strings are borrowed. */
struct image_facts {
	const char *user;               /* Config.User */
	bool healthcheck;               /* a HEALTHCHECK other than NONE */
	const char **env; size_t n_env; /* "NAME=value" */
	const char **history; size_t n_history; /* created_by of each step, oldest first */
};

/* True when a variable named name would hold a secret (PASSWORD, SECRET,
 * TOKEN, API_KEY, AWS_SECRET_ACCESS_KEY, ...); names ending in _FILE, _PATH
 * or _DIR point at one and are not. */
bool secret_name(const char *name, size_t len);
/* True when value holds private key material ("-----BEGIN ... PRIVATE KEY-----"). */
bool secret_value(const char *value);

/* The configuration checks: root user, healthcheck, secrets in env and history. */
int image_risks_config(const struct image_facts *f, struct risk_list *out);

/* Setuid/setgid regular files, walking at most max_entries entries.
 * *visited counts the entries seen; *truncated is set when a limit stopped
 * the walk (the list is then incomplete). */
int image_risks_setuid(struct imagefs *fs, size_t max_entries, struct risk_list *out, size_t *visited,
		       bool *truncated);

int risk_list_add(struct risk_list *l, enum risk_kind k, enum severity s, const char *subject, const char *detail);
void risk_list_free(struct risk_list *l);
