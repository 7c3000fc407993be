/* engines.c: the table of evaluation engines the daemon drives; an engine not built in says so. */
#include "daemon/engine.h"

#include "daemon/engine_audit.h"
#include "daemon/engine_runtime.h"
#include "daemon/engine_scan.h"

#include <stdio.h>
#include <string.h>

int daemon_engines_init(const struct config *cfg, struct daemon_engine engines[DAEMON_N_ENGINES], char *err,
			size_t errlen)
{
	static const char *const names[DAEMON_N_ENGINES] = { "audit", "scan", "runtime" };
	(void)err;
	(void)errlen;
	for (int i = 0; i < DAEMON_N_ENGINES; i++) {
		memset(&engines[i], 0, sizeof(engines[i]));
		engines[i].name = names[i];
		engines[i].handles_object = -1;
		/* engines are wired in here as they land in the tree; until then they are reported, never faked */
		snprintf(engines[i].status, sizeof(engines[i].status), "not available");
	}
	char why[sizeof(engines[0].status)] = "";
	if (engine_audit_init(cfg, &engines[0], why, sizeof(why)) < 0)
		snprintf(engines[0].status, sizeof(engines[0].status), "not available: %.*s",
			 (int)(sizeof(engines[0].status) - 20), why);
	if (engine_runtime_init(cfg, &engines[2], why, sizeof(why)) < 0)
		snprintf(engines[2].status, sizeof(engines[2].status), "not available: %.*s",
			 (int)(sizeof(engines[2].status) - 20), why);
	if (engine_scan_init(cfg, &engines[1], why, sizeof(why)) < 0)
		snprintf(engines[1].status, sizeof(engines[1].status), "not available: %.*s",
			 (int)(sizeof(engines[1].status) - 20), why);
	return 0;
}

void daemon_engines_free(struct daemon_engine engines[DAEMON_N_ENGINES])
{
	for (int i = 0; i < DAEMON_N_ENGINES; i++) {
		if (engines[i].ctx && engines[i].free_ctx)
			engines[i].free_ctx(engines[i].ctx);
		engines[i].ctx = NULL;
	}
}
