/* rules.h: runtime detection rules (the INI files of rules/runtime): their model, parsing and the kernel filters they imply. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "probes/runtime_probes.h"

/* Rule events: the kernel's (enum rt_event_type) plus the Docker launch event. */
#define RT_RULE_EV_CONTAINER_START RT_EV__COUNT
#define RT_RULE_EV__COUNT (RT_EV__COUNT + 1)

enum rt_severity { RT_SEV_INFO, RT_SEV_LOW, RT_SEV_MEDIUM, RT_SEV_HIGH, RT_SEV_CRITICAL };

/* bounds on what a rule set may hold */
#define RT_MAX_RULES 256
#define RT_MAX_LIST 64
#define RT_MAX_PORTS 1024

struct rt_list {
	char **v;
	size_t n;
};

struct rt_port_range {
	uint16_t lo, hi;
};

/* A boolean condition that may be left out. */
enum rt_tri { RT_ANY = 0, RT_NO, RT_YES };

struct rt_rule {
	char *id;                       /* the section name */
	char *description;
	char *mitre;                    /* ATT&CK technique, e.g. T1059.004 */
	char *origin;                   /* FILE:LINE of its first key */
	int severity;                   /* enum rt_severity */
	int event;                      /* enum rt_event_type or RT_RULE_EV_CONTAINER_START */
	bool enabled;
	bool container_only;

	/* conditions: every one given must hold; a list holds when any entry matches */
	struct rt_list name;            /* program name globs (exec: file name or interpreter; else comm) */
	struct rt_list exe;             /* program path globs */
	struct rt_list parent;          /* the parent's name */
	struct rt_list ancestor;        /* any ancestor's name (up to RT_ANCESTORS) */
	struct rt_list path;            /* path globs (open, truncate, chmod, symlink target, unix socket, mount target) */
	uint32_t open_mode;             /* RT_PM_READ|WRITE|TRUNC: any of them */
	uint32_t flags_all;             /* RT_F_*: all must be set */
	uint32_t flags_any;             /* RT_F_*: at least one set */
	struct rt_port_range *ports; size_t n_ports;
	int family;                     /* AF_*, 0 = any */
	enum rt_tri tty;
	/* launch conditions (container_start) */
	enum rt_tri privileged, seccomp_unconfined, pid_host, network_host, docker_sock;
	struct rt_list cap_add;         /* any of these added capabilities ("ALL" counts as each) */
	struct rt_list mount_source;    /* host paths mounted into the container */

	/* exceptions: any match silences the rule */
	struct rt_list except_name, except_exe, except_parent, except_ancestor, except_path;
	struct rt_list except_image, except_container;
};

struct rt_ruleset {
	struct rt_rule *rules;
	size_t n;
};

/* Parses one INI text (several rules, one [section] each) into rs (appending).
 * Returns 0 or -EINVAL with "ORIGIN:LINE: reason" in err. */
int rt_rules_parse_text(struct rt_ruleset *rs, const char *origin, const char *text, size_t len,
			char *err, size_t errlen);
/* Every *.ini in dir, in name order. A rule id seen twice is an error. */
int rt_rules_load_dir(struct rt_ruleset *rs, const char *dir, char *err, size_t errlen);
void rt_rules_free(struct rt_ruleset *rs);
/* Appends a copy of s (at most RT_MAX_LIST entries; more are ignored); frees a list. */
int rt_list_push(struct rt_list *l, const char *s);
void rt_list_free(struct rt_list *l);

const char *rt_severity_name(int sev);
const char *rt_event_name(int event);

/* The kernel filter that lets through what the enabled rules in active[]
 * (indexed like rs->rules; NULL = all) look at. The arrays are owned by
 * the config until rt_probe_config_free. */
int rt_rules_probe_config(const struct rt_ruleset *rs, const bool *active, struct rt_probe_config *cfg);
void rt_probe_config_free(struct rt_probe_config *cfg);
