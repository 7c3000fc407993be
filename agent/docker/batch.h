/* batch.h: many GETs to the engine at once over a few kept-alive connections, so its answers overlap. */
#pragma once
#include <stddef.h>
#include <yajl/yajl_tree.h>

#include "docker/client.h"

/* Requests in flight at once: the engine works on them side by side. */
#define DOCKER_FETCH_WIDTH 4

struct docker_fetch {
	char *path;             /* "/containers/ID/json", under /v{api}; owned */
	yajl_val v;             /* the parsed answer; whoever takes it sets this to NULL */
	int rc;                 /* 0 or what docker_get_json would have returned */
	char *err;              /* the reason when rc < 0 */
};

/* items[i].path = prefix + the escaped id + suffix. 0, -ENAMETOOLONG or -ENOMEM. */
int docker_fetch_set_object(struct docker_fetch *it, const char *prefix, const char *id, const char *suffix);
/* GETs every items[i].path, parsed and depth-checked like docker_get_json, each
 * answer into its own item. Returns 0 when every request was made (each item
 * then has its own rc), or a negative errno when none could be (negotiation,
 * memory), with the reason in docker_client_error. */
int docker_fetch_many(struct docker_client *c, struct docker_fetch *items, size_t n);
/* Makes the item's failure the client's last error (docker_client_error). */
void docker_fetch_adopt_error(struct docker_client *c, const struct docker_fetch *it);
/* Sets the client's last error, for mappings done outside the client. */
void docker_client_set_error(struct docker_client *c, const char *msg);
/* Frees paths, errors and every answer not taken. */
void docker_fetch_free(struct docker_fetch *items, size_t n);
