/* primitive.h: an audit check primitive: registered by name, given its parameters and the collected facts, answering with a verdict, a reason and offenders. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#include "audit/host_facts.h"
#include "snapshot.h"

enum audit_verdict {
	AUDIT_PASS,
	AUDIT_FAIL,
	AUDIT_MANUAL,           /* a person decides; the evidence gathered comes with it */
	AUDIT_NOT_APPLICABLE,   /* with the reason: file absent, swarm inactive, ... */
	AUDIT_NOT_EVALUATED,    /* with the reason: no permission, data missing, no check yet */
	AUDIT_WAIVED,           /* set by the engine from the waivers file, never by a primitive */
	AUDIT_N_VERDICTS,
};
const char *audit_verdict_name(enum audit_verdict v);   /* "pass", "fail", "manual", "not-applicable", ... */

/* One "check.NAME = VALUE" line of a rule, after the benchmark profile's overrides. */
struct audit_param {
	char *name;
	char *value;
};

/* An object a rule talks about: an offender (it fails the rule) or evidence.
 * kind: "container", "image", "file", "daemon-option", "user", "audit-rule",
 * "network", "host", "engine", "exec". id is stable across runs (container or image id,
 * path, option name) and names the finding; name is for people (container
 * name, image reference, path); detail says what is wrong or what was seen. */
struct audit_item {
	char *kind;
	char *id;
	char *name;
	char *detail;
};

struct audit_outcome {
	enum audit_verdict verdict;
	char reason[384];
	struct audit_item *offenders; size_t n_offenders;
	struct audit_item *evidence; size_t n_evidence;
	size_t n_objects;       /* objects examined (containers, images, files, options) */
};

/* Builders for primitives. They return 0 or -ENOMEM (or -E2BIG past
 * AUDIT_MAX_ITEMS items); name and detail may be NULL. */
#define AUDIT_MAX_ITEMS 100000
int audit_offender_add(struct audit_outcome *o, const char *kind, const char *id, const char *name,
		       const char *detail_fmt, ...) __attribute__((format(printf, 5, 6)));
int audit_evidence_add(struct audit_outcome *o, const char *kind, const char *id, const char *name,
		       const char *detail_fmt, ...) __attribute__((format(printf, 5, 6)));
void audit_outcome_set(struct audit_outcome *o, enum audit_verdict v, const char *reason_fmt, ...)
	__attribute__((format(printf, 3, 4)));
void audit_outcome_free(struct audit_outcome *o);
void audit_item_free(struct audit_item *it);

struct audit_rule;

/* Everything a primitive may read. It never calls the Docker API and never
 * reads a file itself that a host collector reads: facts come from here. */
struct audit_check {
	const struct audit_rule *rule;
	const struct snapshot *snap;
	const struct host_facts *host;
	/* Parallel to snap->containers / snap->images: in scope for this run
	 * (--containers/--label filters applied, our own container excluded). */
	const bool *container_in_scope;
	const bool *image_in_scope;
};

/* The value of check.NAME for the benchmark being run, NULL when absent. */
const char *audit_param(const struct audit_check *c, const char *name);

/* What a primitive needs collected before it runs (ORed into one request). */
enum audit_need {
	AUDIT_NEED_IMAGES = 1u << 0,
	AUDIT_NEED_HISTORY = 1u << 1,
	AUDIT_NEED_NETWORKS = 1u << 2,
	AUDIT_NEED_TOP = 1u << 3,
	AUDIT_NEED_HOST_DAEMON = 1u << 4,       /* host_facts.daemon: effective daemon options */
	AUDIT_NEED_HOST_FILES = 1u << 5,        /* host-side collectors (files, audit rules, ...) */
	AUDIT_NEED_HOST_PROCS = 1u << 6,        /* /proc state of running containers */
	AUDIT_NEED_IMAGE_SCANS = 1u << 7,       /* the image scanner's results (image_scans.h) */
	AUDIT_NEED_EXECS = 1u << 8,             /* each container's exec instances, inspected */
	AUDIT_NEED_EXEC_LOG = 1u << 9,          /* docker exec commands in the host's audit log */
};

struct audit_primitive {
	const char *name;               /* what "check = NAME" says */
	const char *summary;            /* one line for docs and `dockward rules -v` */
	const char *const *required;    /* NULL-terminated parameter names, or NULL */
	const char *const *optional;
	unsigned needs;                 /* enum audit_need */
	/* Optional extra check of the parameters at load time: 0 or -EINVAL with a reason. */
	int (*validate)(const struct audit_param *params, size_t n, char *err, size_t errlen);
	/* Fills out (verdict, reason, offenders, evidence). Returns 0, or a
	 * negative errno only when it could not run at all (-ENOMEM). */
	int (*eval)(const struct audit_check *c, struct audit_outcome *out);
};

/* The registry (registry.c): every primitive, by name. */
const struct audit_primitive *audit_primitive_find(const char *name);
const struct audit_primitive *const *audit_primitives(size_t *n);
