/* ocsf.h: findings and the host heartbeat as OCSF events (Compliance 2003, Vulnerability 2002, Detection 2004, Inventory 5001). */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "daemon/finding_state.h"

#define OCSF_SCHEMA_VERSION "1.3.0"

struct ocsf_context {
	const char *host_name;
	const char *host_id;            /* /etc/machine-id or the host name */
};

/* One engine as the heartbeat lists it. */
struct ocsf_engine_status {
	const char *name;               /* "audit", "scan", "runtime" */
	const char *status;             /* "running", "not available", "failed: ..." */
};

/* The host inventory sent with every heartbeat. */
struct ocsf_heartbeat {
	bool docker_reachable;
	const char *docker_version, *api_version, *os_name, *kernel_version;
	size_t images, containers, running;
	const struct ocsf_engine_status *engines;
	size_t n_engines;
	size_t open_findings[FINDING_N_CLASSES];
	uint64_t dropped_events;        /* lost to the spool cap, ever */
	uint64_t spool_bytes, spool_batches;
};

/* Appends one event (compact JSON, no newline) to out. Returns 0 or a negative errno. */
int ocsf_finding_event(const struct ocsf_context *ctx, const struct finding_state_change *c, int64_t now_ms,
		       struct buf *out);
int ocsf_heartbeat_event(const struct ocsf_context *ctx, const struct ocsf_heartbeat *hb, int64_t now_ms,
			 struct buf *out);
/* A random RFC 4122 version 4 UUID. */
void ocsf_uuid4(char out[37]);
