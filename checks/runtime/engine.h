/* engine.h: the runtime detection engine as a library: probes + Docker events in one caller-driven event loop. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "docker/client.h"
#include "runtime/containers.h"
#include "runtime/match.h"
#include "runtime/rules.h"

/* One alert: a rule that matched a kernel event (view set) or a container launch (view NULL). */
struct rt_alert {
	const struct rt_rule *rule;
	int64_t time_ns;                        /* wall clock */
	const struct rt_container *container;   /* NULL: on the host, or a container Docker no longer knows */
	const char *container_id;               /* from the kernel's attribution; "" on the host */
	const struct rt_event_view *view;
	const char *cmdline;                    /* argv joined by spaces, "" unknown */
};

typedef void (*rt_alert_fn)(const struct rt_alert *a, void *user);
/* Called after a container is (re)inspected: fills c->posture.vulnerable from scan results. */
typedef void (*rt_posture_fn)(struct rt_container *c, void *user);

struct rt_engine_options {
	const struct rt_ruleset *rules;         /* borrowed; must outlive the engine */
	const char *containers;                 /* glob over container name or id; NULL = all */
	const char *host_root;                  /* "" = / */
	uint32_t ringbuf_bytes;                 /* 0 = 1 MiB */
	bool syscalls_always;                   /* keep the per-syscall probes attached with no container */
	rt_alert_fn on_alert;
	void *alert_user;
	rt_posture_fn posture;                  /* NULL: vulnerability stays unknown */
	void *posture_user;
};

struct rt_engine_stats {
	uint64_t events;                /* kernel events received */
	uint64_t emitted, dropped;      /* the kernel's own counts: dropped = ring buffer full */
	uint64_t alerts;
	uint64_t kernel_repeats;        /* a process's same event again within a second, folded in the kernel */
	uint64_t suppressed;            /* repeats of the same alert within a second */
	uint64_t unattributed;          /* container events whose container could not be named */
	uint64_t docker_events;
	uint64_t docker_reconnects;
	uint64_t syscall_attaches;      /* the per-syscall probes attached on demand (a container came) */
	uint64_t syscall_attach_errors;
	int64_t syscall_attached_ms;    /* how long they were attached, in all */
	int64_t syscall_attach_lag_us_max;      /* the longest from a runtime exec to them attached */
	bool syscalls_on;               /* attached now */
	uint64_t per_rule_cap;          /* size of per_rule */
	const uint64_t *per_rule;       /* alerts by rule, indexed like rules->rules */
};

/* Why each rule does or does not run. */
enum rt_rule_state { RT_RULE_ACTIVE, RT_RULE_DISABLED, RT_RULE_UNAVAILABLE };
struct rt_rule_status {
	enum rt_rule_state state;
	char reason[128];
};

/* Without loading anything: which rules this kernel can evaluate. out has rules->n entries. */
void rt_rules_status(const struct rt_ruleset *rules, struct rt_rule_status *out);

struct rt_engine;

/* Loads the probes, takes the container list and opens the event stream.
 * -EPERM / -ENOTSUP: no privilege or no BTF (err says which); other errors
 * from Docker (docker_client_error) or the rules. dc is borrowed. */
int rt_engine_new(struct docker_client *dc, const struct rt_engine_options *o, struct rt_engine **out,
		  char *err, size_t errlen);
/* One fd (an epoll set) that becomes readable when handle has work. */
int rt_engine_fd(const struct rt_engine *e);
/* How long the caller may wait before calling handle anyway (ms). */
int rt_engine_timeout_ms(const struct rt_engine *e);
/* Processes whatever is ready without blocking. Returns 0 or a fatal -errno (err says why). */
int rt_engine_handle(struct rt_engine *e, char *err, size_t errlen);
/* Drains the ring buffer one last time (before a summary). */
void rt_engine_drain(struct rt_engine *e);
/* The status of each rule after load (rules->n entries). */
const struct rt_rule_status *rt_engine_rule_status(const struct rt_engine *e);
void rt_engine_stats(const struct rt_engine *e, struct rt_engine_stats *s);
void rt_engine_free(struct rt_engine *e);
