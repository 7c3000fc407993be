/* engine.h: the audit engine: select rules, evaluate them over one snapshot and the host facts, apply waivers; the library call the CLI and the daemon share. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "audit/host_facts.h"
#include "audit/primitive.h"
#include "audit/rules.h"
#include "audit/waivers.h"
#include "snapshot.h"

struct audit_ctx {
	const struct audit_ruleset *rules;
	int level;                      /* 1: level-1 rules only; 2 or 0: all */
	const char *include;            /* -c "5.4,1.1", NULL = all */
	const char *exclude;            /* -e */
	const char *container_pattern;  /* --containers glob on names, NULL = all */
	const char *exclude_containers; /* --exclude-containers glob */
	const char *const *labels; size_t n_labels;     /* --label K=V (all must match) */
	const char *only_container;     /* targeted re-audit: one container id, NULL = all */
	const struct audit_waivers *waivers;
	time_t now;                     /* for waiver expiry; 0 = time(NULL) */
};

struct audit_finding {
	const struct audit_rule *rule;
	struct audit_outcome out;
	/* items waived by a waiver, moved out of out.offenders, and the waiver of each */
	struct audit_item *waived; size_t n_waived;
	const struct audit_waiver **waived_by;
	const char *waiver_reason;      /* of the waiver that waived the whole rule, else NULL */
};

struct audit_result {
	char *benchmark;
	time_t started;
	double elapsed_ms;
	char *hostname;
	struct audit_finding *findings; size_t n_findings;
	size_t counts[AUDIT_N_VERDICTS];
	size_t n_containers, n_images;  /* in scope */
	/* parallel to the snapshot's containers and images: which were in scope */
	bool *container_in_scope, *image_in_scope;
	/* expired waivers found in the file: reported, not applied */
	const struct audit_waiver **expired; size_t n_expired;
};

/* What the selected rules need collected (snapshot parts and host collectors). */
void audit_plan(const struct audit_ctx *ctx, struct snapshot_request *snap_req,
		struct host_facts_request *host_req);
/* After snapshot_collect (without top) and host_facts_collect: the engine's process lists
 * (/containers/ID/top, one API call each) of the running containers in scope whose cgroup the host's
 * /proc could not list (no access to the host's /proc, e.g. in a container without --host-root): the
 * cgroup reader (host_procs.c) answers the same question for the others. -errno as snapshot_collect. */
int audit_collect_tops(struct docker_client *dc, const struct audit_ctx *ctx, const struct host_facts *h,
		       struct snapshot *s);
/* Which of s's images the image scanner's results are wanted for (rules 4.3,
 * 4.4, 4.8): *wanted = NULL for all; with a container filter a new array,
 * parallel to s->images, marking the images of containers (a superset of those
 * in scope: audit_run decides the scope), for a targeted re-audit only its
 * container's. Returns 0 or -ENOMEM. */
int audit_images_wanted(const struct audit_ctx *ctx, const struct snapshot *s, bool **wanted);
/* Evaluates the selected rules. Returns 0, or -ENOMEM. */
int audit_run(const struct audit_ctx *ctx, const struct snapshot *s, const struct host_facts *h,
	      struct audit_result *out);
void audit_result_free(struct audit_result *r);

/* Stable id of a finding on an object: "DW-" + 16 hex digits of a hash of
 * (rule id, object kind, object id); object may be NULL for the rule as a whole. */
void audit_finding_id(const char *rule_id, const struct audit_item *object, char out[24]);
/* Score: passed / (passed + failed) in percent, 100 when neither. */
double audit_score(const struct audit_result *r);
/* Whether a failure at or above min severity remains (after waivers). */
bool audit_has_failures(const struct audit_result *r, enum audit_severity min);
