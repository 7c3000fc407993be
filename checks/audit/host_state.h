/* host_state.h: the host-side facts the host collectors gather (files, users, audit rules, partition, container processes) for the host primitives. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "audit/host_facts.h"

/* Bounds on what is read from the host. */
#define HOST_FILE_CAP ((size_t)1 << 20)
#define HOST_MAX_WATCHES 20000
#define HOST_MAX_DIR_ENTRIES 4096
#define HOST_MAX_PROCS 4096

/* One account or group of the host's /etc/passwd, /etc/group. */
struct host_user { char *name; unsigned id; unsigned gid; };
struct host_group { char *name; unsigned id; char *members; /* comma-joined */ };
struct host_users {
	struct fact_status status;
	struct host_user *users; size_t n_users;
	struct host_group *groups; size_t n_groups;
};
/* Names for ids, NULL when the host's files do not name them. */
const char *host_user_name(const struct host_users *u, unsigned uid);
const char *host_group_name(const struct host_users *u, unsigned gid);
/* Parses passwd or group text into u (bounded; bad lines are skipped). */
int host_users_parse_passwd(struct host_users *u, const char *text);
int host_users_parse_group(struct host_users *u, const char *text);
void host_users_free(struct host_users *u);

/* One path of a file target, lstat'ed under the host root. */
struct host_file {
	char *target;           /* the logical file the rules name ("docker.service", "tlscacert") */
	char *path;             /* path on the host (without the root prefix) */
	int err;                /* 0, or the errno of lstat (ENOENT: absent) */
	bool is_dir, is_link;
	char *link_to;          /* a symlink's target as written */
	int target_err;         /* stat of what a symlink points to: 0 or errno */
	unsigned mode, uid, gid;        /* of the file itself, or of a symlink's target */
};
/* A target that names no file on this host (TLS not configured, no unit file found). */
struct host_file_note { char *target; char *why; };
struct host_files {
	struct fact_status status;
	struct host_file *files; size_t n_files;
	struct host_file_note *notes; size_t n_notes;
};

/* One kernel or file audit rule watching a path. */
struct audit_watch {
	char *path;
	char *perms;            /* "rwxa", "" = all */
	char *key;
	char *origin;           /* "kernel" or "FILE:LINE" */
};
/* A Docker binary and where it was found. */
struct host_binary {
	char *name;             /* "dockerd", "containerd", "containerd-shim-runc-v2", "runc" */
	char *path;             /* NULL when not found */
	char *how;              /* "running process 1234", "not running: found in /usr/bin", ... */
};
struct host_audit {
	struct fact_status status;
	char source[256];       /* "kernel (AUDIT_LIST_RULES)" or the files read */
	struct audit_watch *w; size_t n;
	struct host_binary *bins; size_t n_bins;
	char execve_rule[128];  /* where a syscall rule audits every execve, "" = none */
};
/* Parses auditctl-syntax rule text (one rule per line) into watches.
 * Returns 0, -ENOMEM or -E2BIG past HOST_MAX_WATCHES. */
int host_audit_parse_rules(struct host_audit *a, const char *text, const char *origin);
/* Whether a watch covers path (the path itself or an ancestor directory). */
const struct audit_watch *host_audit_covering(const struct host_audit *a, const char *path);
void host_audit_free(struct host_audit *a);

/* The mount holding the Docker root directory. */
struct host_partition {
	struct fact_status status;
	char dir[PATH_MAX];
	bool separate;
	char detail[512];
};
/* Decides from mountinfo text whether dir is its own partition; fills p. */
void host_partition_judge(struct host_partition *p, const char *mountinfo, const char *dir);

/* A process found through a container's cgroup. */
struct host_proc { int pid; char comm[32]; char exe[256]; };
/* What /proc says about a running container's init process. */
struct host_ctr_state {
	char id[65];
	int pid;
	struct fact_status status;
	int no_new_privs;       /* -1 unknown */
	int seccomp;            /* 0 off, 1 strict, 2 filter, -1 unknown */
	long uid, gid;          /* effective, -1 unknown */
	uint64_t cap_eff;
	struct fact_status procs_status;
	char cgroup[PATH_MAX];  /* the cgroup directory listed */
	struct host_proc *procs; size_t n_procs;
};
struct host_ctr_states {
	struct fact_status status;
	struct host_ctr_state *c; size_t n;
};
const struct host_ctr_state *host_ctr_state_find(const struct host_facts *f, const char *id);
/* Parses /proc/PID/status text into s. */
void host_proc_status_parse(struct host_ctr_state *s, const char *text);
/* The cgroup path of a /proc/PID/cgroup text for a v1 controller (or the v2 "0::" line when ctl is NULL). */
int host_cgroup_path(const char *text, const char *ctl, char *out, size_t outlen);

/* The value of VAR=... (or export VAR=...) in a shell-style environment
 * file, the last one given; NULL if absent (or -ENOMEM). */
char *host_env_file_value(const char *text, const char *var);

/* Where DOCKER_CONTENT_TRUST is set for image operations (host_trust.c, rule 4.5). */
struct host_trust_source {
	char *path;             /* "/etc/environment", "/proc/PID/environ (dockerd)" */
	char *value;            /* NULL: not set there (or not read: err) */
	int err;                /* errno reading it, 0 = read */
	bool session;           /* read by users' login and shell sessions, where docker clients run */
};
struct host_trust {
	struct fact_status status;
	struct host_trust_source *s; size_t n;
};

/* docker exec commands in the host's audit log (host_execlog.c, rules 5.23, 5.24). */
struct host_exec_record {
	long long when;         /* seconds since the epoch, from msg=audit(...) */
	char *container;        /* as the command named it (name or id) */
	char *user;             /* --user, "" = not given */
	char *cmdline;          /* the whole command, capped, control characters as '?' */
	bool privileged;
};
struct host_execlog {
	struct fact_status status;      /* FACT_OK: the log was read, or there is none */
	char log_path[256];             /* auditd.conf log_file, or auditd's default */
	char cli_path[64];              /* the docker CLI found on the host, "" = none */
	size_t files_read;              /* the log and its rotations */
	size_t records, records_dropped;        /* docker exec commands seen; those past the cap */
	bool truncated;                 /* the byte cap stopped before the oldest rotation */
	long long since;                /* the earliest exec record, 0 = none */
	struct host_exec_record *r; size_t n;
};
/* One line of the audit log: 1 and *out filled for an EXECVE record of
 * `docker [container] exec`, 0 for any other line, or -ENOMEM. */
int host_execlog_parse_line(const char *line, struct host_exec_record *out);
void host_exec_record_free(struct host_exec_record *r);

/* Everything the collectors in host_*.c fill, hung off host_facts.local. */
struct host_local {
	int dockerd_pid;                /* 0 = not found */
	char dockerd_cmdline[2048];     /* sanitized, for evidence */
	struct host_users users;
	struct host_files files;
	struct host_audit audit;
	struct host_partition partition;
	struct host_ctr_states ctrs;
	struct host_trust trust;
	struct host_execlog execlog;
};
/* The host_local of f, allocated on first use; NULL on -ENOMEM. */
struct host_local *host_local_get(struct host_facts *f);
/* Reads a host file (under the root) of at most cap bytes: 0 or -errno. */
/* Reads a host file (under the root) of at most cap bytes to its end (procfs files too): 0 or -errno. */
int host_read_n(const struct host_facts *f, const char *path, size_t cap, char **out, size_t *len);
int host_read(const struct host_facts *f, const char *path, size_t cap, char **out);
