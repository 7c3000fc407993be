/* engine_runtime.c: the runtime watcher (checks/runtime, eBPF probes) as a daemon engine: alerts become detection findings. */
#include "daemon/engine_runtime.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "rt_scan_posture.h"
#include "runtime/engine.h"

struct runtime_engine {
	struct rt_ruleset rules;
	struct rt_engine *rt;
	char *host_root;
	uint32_t ringbuf;
	const struct finding_sink *out;         /* set for the duration of a handle call */
	int emit_error;
	struct daemon_engine *eng;
	struct rt_scan_posture *posture;        /* "vulnerable image" from the scan cache */
};

static void runtime_free(void *p)
{
	struct runtime_engine *e = p;
	if (!e)
		return;
	rt_engine_free(e->rt);
	rt_rules_free(&e->rules);
	rt_scan_posture_close(e->posture);
	free(e->host_root);
	free(e);
}

static int severity_of(int s)
{
	switch (s) {
	case RT_SEV_INFO: return SEVERITY_INFO;
	case RT_SEV_LOW: return SEVERITY_LOW;
	case RT_SEV_MEDIUM: return SEVERITY_MEDIUM;
	case RT_SEV_HIGH: return SEVERITY_HIGH;
	case RT_SEV_CRITICAL: return SEVERITY_CRITICAL;
	default: return SEVERITY_UNKNOWN;
	}
}

static void on_alert(const struct rt_alert *a, void *user)
{
	struct runtime_engine *e = user;
	if (!e->out)
		return;
	char evidence[1024];
	snprintf(evidence, sizeof(evidence), "%s%s%s", a->rule->description ? a->rule->description : a->rule->id,
		 a->cmdline && *a->cmdline ? ": " : "", a->cmdline ? a->cmdline : "");
	bool in_container = a->container_id && *a->container_id;
	struct finding f = {
		.cls = FINDING_DETECTION, .engine = "runtime", .rule_id = a->rule->id,
		.title = a->rule->description ? a->rule->description : a->rule->id,
		.object_type = in_container ? OBJECT_CONTAINER : OBJECT_HOST,
		.object_id = in_container ? (a->container ? a->container->id : a->container_id) : "host",
		.object_name = a->container ? a->container->name : NULL, .severity = severity_of(a->rule->severity),
		.failed = true, .evidence = evidence,
		.remediation = "investigate the process; stop or rebuild the container if it is not expected",
	};
	int r = e->out->emit(e->out->user, &f);
	if (r < 0 && !e->emit_error)
		e->emit_error = r;
}

static int runtime_start(void *ctx, struct docker_client *dc, char *err, size_t errlen)
{
	struct runtime_engine *e = ctx;
	if (e->rt)
		return 0;
	struct rt_engine_options o = {
		.rules = &e->rules, .host_root = e->host_root, .ringbuf_bytes = e->ringbuf,
		.on_alert = on_alert, .alert_user = e,
		.posture = rt_scan_posture_fill, .posture_user = e->posture,
	};
	int r = rt_engine_new(dc, &o, &e->rt, err, errlen);
	if (r < 0) {
		e->rt = NULL;
		return r;
	}
	const struct rt_rule_status *st = rt_engine_rule_status(e->rt);
	size_t active = 0;
	for (size_t i = 0; i < e->rules.n; i++)
		active += st[i].state == RT_RULE_ACTIVE;
	snprintf(e->eng->status, sizeof(e->eng->status), "available (%zu of %zu rules active)", active, e->rules.n);
	return 0;
}

static int runtime_fd(void *ctx)
{
	struct runtime_engine *e = ctx;
	return e->rt ? rt_engine_fd(e->rt) : -1;
}

static int runtime_timeout_ms(void *ctx)
{
	struct runtime_engine *e = ctx;
	return e->rt ? rt_engine_timeout_ms(e->rt) : -1;
}

static int runtime_handle(void *ctx, const struct finding_sink *out, char *err, size_t errlen)
{
	struct runtime_engine *e = ctx;
	if (!e->rt)
		return 0;
	e->out = out;
	e->emit_error = 0;
	int r = rt_engine_handle(e->rt, err, errlen);
	e->out = NULL;
	return r < 0 ? r : e->emit_error;
}

int engine_runtime_init(const struct config *cfg, struct daemon_engine *eng, char *err, size_t errlen)
{
	struct runtime_engine *e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	int r = rt_rules_load_dir(&e->rules, cfg->runtime_rules_dir, err, errlen);
	if (r < 0) {
		free(e);
		return r;
	}
	e->host_root = strdup(cfg->host_root);
	if (!e->host_root || rt_scan_posture_open(cfg->state_dir, cfg->scan_vulndb_dir, &e->posture) < 0) {
		runtime_free(e);
		return -ENOMEM;
	}
	e->ringbuf = (uint32_t)cfg->runtime_ring_buffer;
	e->eng = eng;
	eng->ctx = e;
	eng->free_ctx = runtime_free;
	eng->stream_start = runtime_start;
	eng->stream_fd = runtime_fd;
	eng->stream_timeout_ms = runtime_timeout_ms;
	eng->stream_handle = runtime_handle;
	snprintf(eng->status, sizeof(eng->status), "rules loaded; probes not loaded yet (waiting for Docker)");
	return 0;
}
