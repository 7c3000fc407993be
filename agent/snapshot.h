/* snapshot.h: one collection of the host's Docker facts that every later stage reads. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "docker/client.h"

/* What a stage needs beyond the engine, its containers and /info + /version. */
struct snapshot_request {
	bool images;            /* inspect every image */
	bool image_history;     /* and its history (needs images) */
	bool networks;
	bool top;               /* process lists of running containers */
	bool execs;             /* inspect of each container's exec instances (ExecIDs) */
};

/* Exec instances inspected per container; the engine keeps only running ones. */
#define SNAPSHOT_MAX_EXECS 16

/* One exec instance's inspect (/exec/ID/json). */
struct snapshot_exec {
	size_t container;       /* index into containers */
	yajl_val raw;
};

struct snapshot {
	time_t collected_at;
	char *docker_host;
	char *api_version;      /* negotiated */
	struct docker_version version;
	struct docker_info info;
	struct docker_container *containers; size_t n_containers;
	struct docker_image *images; size_t n_images;
	yajl_val networks_raw;
	struct docker_network *networks; size_t n_networks;
	struct docker_top *tops;        /* parallel to containers; empty for non-running */
	struct snapshot_exec *execs; size_t n_execs;
	size_t execs_skipped;   /* past SNAPSHOT_MAX_EXECS of a container */
	bool have_images, have_networks, have_top, have_execs;
	size_t vanished;        /* objects listed but gone before their inspect */
};

/* Collects everything in one pass. On failure the snapshot is freed and
 * docker_client_error(c) says why. */
int snapshot_collect(struct docker_client *c, const struct snapshot_request *req, struct snapshot *out);
void snapshot_free(struct snapshot *s);
/* The process lists of the running containers (those with want[i], parallel to containers, when want is
 * not NULL), for a stage that learns after the collection which ones it still needs. Call at most once. */
int snapshot_collect_tops(struct docker_client *c, struct snapshot *s, const bool *want);

/* Counts by state: running (incl. paused/restarting), stopped (exited/dead), created. */
void snapshot_count_states(const struct snapshot *s, size_t *running, size_t *stopped, size_t *created);
const struct docker_image *snapshot_find_image(const struct snapshot *s, const char *id);
