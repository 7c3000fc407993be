/* rules.h: a rule set read from rules/ (INI): one entry per recommendation, naming its check primitive and parameters. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#include "audit/primitive.h"

enum audit_severity { SEV_LOW, SEV_MEDIUM, SEV_HIGH, SEV_CRITICAL, SEV_N };
enum audit_scope { SCOPE_HOST, SCOPE_DAEMON, SCOPE_FILE, SCOPE_IMAGE, SCOPE_CONTAINER, SCOPE_SWARM, SCOPE_N };

const char *audit_severity_name(enum audit_severity s);
int audit_severity_parse(const char *s);        /* -1 when unknown */
const char *audit_scope_name(enum audit_scope s);

/* A key as the file has it, with an optional "@VERSION" profile suffix. */
struct audit_rule_key {
	char *name;             /* "assessment", "check.paths" */
	char *profile;          /* "" = every benchmark, else "1.8.0" */
	char *value;            /* continuation lines joined with "\n" */
	unsigned line;
};

struct audit_rule {
	char *id;               /* "5.4" */
	unsigned line;          /* where its [section] starts */
	/* resolved for the ruleset's selected benchmark */
	const char *title, *section, *rationale, *remediation;
	int level;              /* 1 or 2 */
	bool automated;
	enum audit_severity severity;
	enum audit_scope scope;
	const struct audit_primitive *prim;     /* NULL: no check written for this rule */
	struct audit_param *params; size_t n_params;
	/* as read */
	struct audit_rule_key *keys; size_t n_keys;
};

struct audit_ruleset {
	char *name;             /* [ruleset] name */
	char *benchmark;        /* the profile resolved: "1.6.0" */
	char **benchmarks; size_t n_benchmarks;         /* [ruleset] benchmarks */
	struct audit_rule *rules; size_t n_rules;       /* sorted by id, numerically */
	char *origin;           /* file(s) read */
};

#define AUDIT_MAX_RULES 4096

/* Reads every *.ini in dir (sorted) and resolves it for benchmark (NULL =
 * the ruleset's default). Returns 0, -ENOENT (no such dir / no rule files),
 * -EINVAL with "FILE:LINE: reason" in err. */
int audit_ruleset_load_dir(struct audit_ruleset *rs, const char *dir, const char *benchmark,
			   char *err, size_t errlen);
/* Same over one file's text (origin names it in messages). */
int audit_ruleset_load_text(struct audit_ruleset *rs, const char *origin, const char *text, size_t len,
			    const char *benchmark, char *err, size_t errlen);
void audit_ruleset_free(struct audit_ruleset *rs);

const struct audit_rule *audit_ruleset_find(const struct audit_ruleset *rs, const char *id);
/* "5.4" vs "5.10" compared part by part as numbers. */
int audit_id_cmp(const char *a, const char *b);
/* Whether id is selected by a list like "5.4,1.1,7" (an id or a section prefix). */
bool audit_id_matches(const char *id, const char *list);
