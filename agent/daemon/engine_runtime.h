/* engine_runtime.h: the runtime watcher (checks/runtime, eBPF probes) as a daemon engine: alerts become detection findings. */
#pragma once
#include <stddef.h>

#include "config.h"
#include "daemon/engine.h"

/* Loads the rules ([runtime] rules_dir); the probes load when the daemon first reaches Docker. */
int engine_runtime_init(const struct config *cfg, struct daemon_engine *eng, char *err, size_t errlen);
