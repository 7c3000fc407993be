/* finding.h: what an engine (audit, scan, runtime) hands the daemon: one evaluated check on one object. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum finding_class {
	FINDING_COMPLIANCE,     /* audit results: OCSF Compliance Finding 2003 */
	FINDING_VULNERABILITY,  /* scan results: OCSF Vulnerability Finding 2002 */
	FINDING_DETECTION,      /* runtime alerts: OCSF Detection Finding 2004 */
};
#define FINDING_N_CLASSES 3

/* OCSF severity_id values */
enum finding_severity {
	SEVERITY_UNKNOWN = 0,
	SEVERITY_INFO = 1,
	SEVERITY_LOW = 2,
	SEVERITY_MEDIUM = 3,
	SEVERITY_HIGH = 4,
	SEVERITY_CRITICAL = 5,
};

enum finding_object { OBJECT_HOST, OBJECT_CONTAINER, OBJECT_IMAGE, OBJECT_FILE };

/* Borrowed strings only: the engine keeps them alive for the call that
 * passes the finding; the daemon copies what it keeps. NULL = absent. */
struct finding {
	enum finding_class cls;
	const char *engine;             /* "audit", "scan", "runtime" */
	const char *rule_id;            /* rule or advisory id: "CIS-5.4", "CVE-2024-1234" */
	const char *title;
	const char *description;
	enum finding_object object_type;
	const char *object_id;          /* container/image id, host name or file path */
	const char *object_name;        /* container name or image reference */
	int severity;                   /* enum finding_severity */
	bool failed;                    /* false: the check was evaluated and passed */
	const char *evidence;           /* what was seen; a change of it is an update */
	const char *remediation;
	const char *standard;           /* compliance: "CIS Docker Benchmark 1.6" */
	/* vulnerability */
	const char *package_name, *package_version, *fixed_version;
	double cvss_score;              /* 0 = unknown */
	const char *cvss_version;
};

/* The stable id of a finding: hash(host, rule, object), 32 hex digits. */
#define FINDING_ID_LEN 32
void finding_id(const char *host_id, const struct finding *f, char out[FINDING_ID_LEN + 1]);
/* A short hash of the evidence (and severity), to notice when it changes. */
uint64_t finding_evidence_hash(const struct finding *f);

const char *finding_class_name(enum finding_class c);
const char *finding_object_name(enum finding_object o);
const char *finding_severity_name(int sev);
/* -1 when the name is unknown */
int finding_class_parse(const char *s);
int finding_object_parse(const char *s);

/* An engine hands its results to the daemon through this, one call per
 * evaluated check (passed ones too, so that the daemon can resolve). */
struct finding_sink {
	int (*emit)(void *user, const struct finding *f);
	/* a check that could not be evaluated this time: its open findings stay open */
	void (*not_evaluated)(void *user, const char *rule_id);
	/* an object that could not be evaluated (an image not readable): its open findings stay open */
	void (*object_not_evaluated)(void *user, enum finding_object type, const char *object_id);
	void *user;
};

/* 64-bit FNV-1a, continued from h (start with FNV1A_INIT). */
#define FNV1A_INIT 0xcbf29ce484222325ULL
uint64_t fnv1a(uint64_t h, const void *data, size_t len);
