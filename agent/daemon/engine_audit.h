/* engine_audit.h: the audit engine (checks/audit) as a daemon engine: rule results become compliance findings. */
#pragma once
#include <stddef.h>

#include "config.h"
#include "daemon/engine.h"

/* Loads the rules ([audit] rules_dir, benchmark) and waivers and fills eng.
 * Returns 0 or a negative errno with the reason in err (eng untouched). */
int engine_audit_init(const struct config *cfg, struct daemon_engine *eng, char *err, size_t errlen);
