/* inventory.h: the host's Docker facts and containers, rendered from a snapshot. */
#pragma once
#include <stdbool.h>
#include <stdio.h>

#include "report/jsonw.h"
#include "snapshot.h"

#define INVENTORY_SCHEMA_VERSION 1

/* The "host" object alone, shared with reports that embed the inventory. */
void inventory_host_json(struct jsonw *w, const struct snapshot *s);
int inventory_write_json(const struct snapshot *s, FILE *out);
int inventory_write_text(const struct snapshot *s, FILE *out, bool color);
/* "0.0.0.0:8080->80/tcp" into out. */
void format_port(const struct docker_port *p, char *out, size_t outlen);
