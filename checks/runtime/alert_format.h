/* alert_format.h: one runtime alert as a text line or a JSON object (shared by `watch` and the daemon). */
#pragma once
#include <stdbool.h>
#include <stdio.h>

#include "report/jsonw.h"
#include "runtime/engine.h"

/* One line, every untrusted string sanitized for the terminal. */
int rt_alert_write_text(FILE *f, const struct rt_alert *a, bool color);
/* The alert as one JSON object into w. */
void rt_alert_json(struct jsonw *w, const struct rt_alert *a);
