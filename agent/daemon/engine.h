/* engine.h: how an evaluation engine (audit, scan, runtime) plugs into the daemon. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "daemon/finding.h"
#include "docker/client.h"

/* object_id NULL: evaluate everything; else one object of object_type
 * (OBJECT_CONTAINER for the audit, OBJECT_IMAGE for the scan). Every
 * evaluated check goes to out, passed ones too (so they can be resolved).
 * Returns 0 or a negative errno with a reason in err. */
typedef int (*engine_evaluate_fn)(void *ctx, struct docker_client *dc, int object_type, const char *object_id,
				  const struct finding_sink *out, char *err, size_t errlen);

struct daemon_engine {
	const char *name;               /* "audit", "scan", "runtime" */
	char status[160];               /* "available", or why not: "not available in this build" */
	void *ctx;                      /* NULL when not available */
	engine_evaluate_fn evaluate;
	int handles_object;             /* the object type of targeted runs, -1 = only full runs */
	/* polled every minute: true when a full run is due (a new vulnerability database) */
	bool (*wants_full_run)(void *ctx);
	/* a streaming engine (runtime): started once Docker is reachable, then driven
	 * by the daemon's loop: its fd is polled, handle emits findings as they come */
	int (*stream_start)(void *ctx, struct docker_client *dc, char *err, size_t errlen);
	int (*stream_fd)(void *ctx);                    /* -1 when not started */
	int (*stream_timeout_ms)(void *ctx);            /* -1 = no deadline */
	int (*stream_handle)(void *ctx, const struct finding_sink *out, char *err, size_t errlen);
	void (*free_ctx)(void *ctx);
};

#define DAEMON_N_ENGINES 3

/* Fills the table: every engine built into this binary is set up from cfg
 * (rules loaded, database opened); the others say why they are not there. */
int daemon_engines_init(const struct config *cfg, struct daemon_engine engines[DAEMON_N_ENGINES], char *err,
			size_t errlen);
void daemon_engines_free(struct daemon_engine engines[DAEMON_N_ENGINES]);
