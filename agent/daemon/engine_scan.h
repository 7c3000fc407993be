/* engine_scan.h: the image scanner (agent/scan.h) as a daemon engine: matched advisories become vulnerability findings. */
#pragma once
#include <stddef.h>

#include "config.h"
#include "daemon/engine.h"

/* Sets eng up to scan images ([scan] keys) and match them against [scan] vulndb_dir. */
int engine_scan_init(const struct config *cfg, struct daemon_engine *eng, char *err, size_t errlen);
