/* host_facts.h: the host-side facts an audit reads, collected once per run before any rule is evaluated. */
#pragma once
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "snapshot.h"

/* Whether a group of facts could be gathered, and if not, why (which then
 * becomes a rule's not-evaluated reason). */
enum fact_state { FACT_NOT_COLLECTED, FACT_OK, FACT_UNAVAILABLE };
struct fact_status {
	enum fact_state state;
	char reason[256];
};

/* Where an effective daemon option's value came from; a later source wins. */
enum daemon_opt_origin {
	DOPT_DEFAULT,           /* Docker's built-in default, no source said otherwise */
	DOPT_INFO,              /* what the engine reports (/info, default bridge network) */
	DOPT_ENV_FILE,          /* DOCKER_OPTS in /etc/default/docker */
	DOPT_SYSTEMD,           /* ExecStart of docker.service and its drop-ins */
	DOPT_CONFIG_FILE,       /* daemon.json */
	DOPT_CMDLINE,           /* the running dockerd's command line */
};

/* One option under its daemon.json name ("icc", "live-restore",
 * "authorization-plugins"). Booleans are "true"/"false"; lists are joined
 * with ","; absent-but-known options are not listed. */
struct daemon_opt {
	char *name;
	char *value;
	enum daemon_opt_origin origin;
	char *source;           /* "/etc/docker/daemon.json", "dockerd command line", "/info", "default" */
};

struct daemon_options {
	struct daemon_opt *opts; size_t n;
	/* FACT_OK once the running dockerd's own configuration (command line,
	 * daemon.json, ...) was read; until then an option known only from its
	 * default is not evidence and rules on it are not evaluated. */
	struct fact_status process_config;
	struct fact_status info;        /* FACT_OK once /info was merged in */
};

struct host_facts {
	char root[PATH_MAX];            /* --host-root prefix, "" = / */
	char own_container_id[65];      /* the container the agent runs in, "" = none */
	struct daemon_options daemon;
	/* Host collectors add their fact groups here, each with a fact_status. */
	const char *trusted_users;      /* [audit] trusted_users: comma-separated, set by the caller */
	struct host_local *local;       /* host_state.h: files, users, audit rules, partition, procs */
	/* image_scans.h: the image scanner's results, collected by the caller
	 * (agent/audit_scan.c) when host_facts_request.image_scans; NULL = not collected */
	const struct audit_image_scans *scans;
};

/* Which collectors to run (from the primitives' needs). */
struct host_facts_request {
	bool daemon;
	bool files;
	bool procs;
	bool image_scans;       /* the caller collects them: host_facts_collect does not */
	bool exec_log;          /* docker exec commands in the host's audit log */
};

/* A collector fills its group of facts from the snapshot and the host
 * files under f->root; it records FACT_UNAVAILABLE (with the reason) for
 * what it cannot read and fails only on -ENOMEM. */
struct host_collector {
	const char *name;
	bool (*wanted)(const struct host_facts_request *req);
	int (*collect)(struct host_facts *f, const struct snapshot *s);
	void (*free)(struct host_facts *f);
};

/* Sets root (NULL or "" = /) and our own container id; no other I/O. */
int host_facts_init(struct host_facts *f, const char *root);
/* Runs every wanted collector in order. Returns 0 or -ENOMEM. */
int host_facts_collect(struct host_facts *f, const struct host_facts_request *req, const struct snapshot *s);
void host_facts_free(struct host_facts *f);

/* root + path ("/etc/docker" under --host-root /host is "/host/etc/docker").
 * Returns 0 or -ENAMETOOLONG. Every host file an audit reads goes through this. */
int host_path(const struct host_facts *f, const char *path, char *out, size_t outlen);
/* The first DIR/NAME that exists on the host (lstat under the root), of the NULL-terminated dirs: its host
 * path into out and the directory returned; NULL when none does. */
const char *host_find_in(const struct host_facts *f, const char *const *dirs, const char *name, char *out,
			 size_t outlen);

/* The effective daemon options: set (a later origin replaces an earlier
 * one; an equal origin replaces too) and look up. */
int daemon_options_set(struct daemon_options *d, const char *name, const char *value,
		       enum daemon_opt_origin origin, const char *source);
const struct daemon_opt *daemon_options_get(const struct daemon_options *d, const char *name);
void daemon_options_free(struct daemon_options *d);

/* The container id in /proc/self/cgroup or /proc/self/mountinfo text, "" if none.
 * Exposed for tests. */
void host_own_container_id(const char *cgroup_text, const char *mountinfo_text, char out[65]);
