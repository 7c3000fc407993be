/* model.h: the typed C view of what the Docker Engine API returns. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yajl/yajl_tree.h>

struct docker_version {
	yajl_val raw;
	const char *version;          /* engine version, e.g. "20.10.24+dfsg1" */
	const char *api_version;      /* the newest API the engine speaks */
	const char *min_api_version;
	const char *os, *arch, *kernel_version, *go_version, *git_commit;
};

struct docker_info {
	yajl_val raw;
	const char *id, *name, *server_version, *operating_system, *os_type, *os_version;
	const char *kernel_version, *architecture;
	const char *driver, *docker_root_dir, *logging_driver;
	const char *cgroup_driver, *cgroup_version;
	const char *default_runtime, *swarm_state, *init_binary;
	const char **security_options; size_t n_security_options;
	int64_t images, containers, containers_running, containers_paused, containers_stopped;
	int64_t ncpu, mem_total;
	bool live_restore, debug, experimental, ipv4_forwarding;
};

/* One published port: private_port/proto bound on host_ip:host_port.
 * A created container has only what it asked for (HostConfig.PortBindings;
 * host_port may be 0 = any); a running one has what Docker bound. */
struct docker_port {
	char proto[8];
	uint16_t private_port;
	const char *host_ip;          /* "" = every address */
	uint16_t host_port;
};

struct docker_mount {
	const char *type, *name, *source, *destination, *mode, *propagation;
	bool rw;
};

struct docker_container {
	const char *id, *name;        /* name without the leading '/' */
	const char *image_ref;        /* as the user asked for it (Config.Image) */
	const char *image_id;
	const char *state;            /* created, running, paused, restarting, removing, exited, dead */
	const char *created;          /* RFC 3339, as the API gives it */
	const char *started_at;
	const char *user;             /* Config.User, "" = the image's default */
	const char *network_mode, *restart_policy;
	int64_t restart_max_retries;
	int64_t pid;            /* 0 when not running */
	bool privileged;
	struct docker_port *ports; size_t n_ports;
	struct docker_mount *mounts; size_t n_mounts;
	yajl_val raw;           /* the whole inspect document, for generic rule predicates */
};

struct docker_image {
	const char *id;
	const char **repo_tags; size_t n_repo_tags;
	const char *created, *user;
	int64_t size;
	bool has_healthcheck;   /* a HEALTHCHECK other than NONE */
	yajl_val raw;           /* inspect document */
	yajl_val history;       /* /images/{id}/history, NULL unless collected */
};

struct docker_network {
	const char *id, *name, *driver, *scope;
	bool internal, enable_ipv6;
	yajl_val raw;           /* borrowed: an element of the list the caller owns */
};

struct docker_top {
	yajl_val raw;
	const char **titles; size_t n_titles;
	const char ***rows; size_t n_rows;    /* rows[i][j] for j < n_titles */
};

struct docker_event {
	const char *type;             /* container, image, network, volume, daemon, ... */
	const char *action;           /* create, start, die, destroy, pull, ... */
	const char *actor_id;
	const char *name;             /* Actor.Attributes.name, "" when none */
	const char *image;            /* Actor.Attributes.image, "" when none */
	const char *scope;
	int64_t time;
	int64_t time_nano;
	yajl_val raw;
};

/* JSON → struct mappings: pure, fuzzed, tested against recorded API answers.
 * Each returns 0 or -EBADMSG with a reason in err. Strings are borrowed from
 * the parsed tree, which the struct then owns as `raw` (freed with it): on
 * success the caller no longer frees v; on failure it still does. Absent
 * strings read as "". Parsers without a raw field never take v. */
int docker_parse_version(yajl_val v, struct docker_version *out, char *err, size_t errlen);
int docker_parse_info(yajl_val v, struct docker_info *out, char *err, size_t errlen);
int docker_parse_container(yajl_val v, struct docker_container *out, char *err, size_t errlen);
int docker_parse_container_ids(yajl_val v, const char ***ids, size_t *n, char *err, size_t errlen);
int docker_parse_image(yajl_val v, struct docker_image *out, char *err, size_t errlen);
int docker_parse_image_ids(yajl_val v, const char ***ids, size_t *n, char *err, size_t errlen);
int docker_parse_network(yajl_val v, struct docker_network *out, char *err, size_t errlen);
int docker_parse_top(yajl_val v, struct docker_top *out, char *err, size_t errlen);
int docker_parse_event(yajl_val v, struct docker_event *out, char *err, size_t errlen);

void docker_version_free(struct docker_version *v);
void docker_info_free(struct docker_info *v);
void docker_container_free(struct docker_container *c);
void docker_image_free(struct docker_image *i);
void docker_network_free(struct docker_network *n);
void docker_top_free(struct docker_top *t);
void docker_event_free(struct docker_event *e);

/* Most API lists are capped so that a hostile or broken daemon cannot make us allocate without bound. */
#define DOCKER_MAX_OBJECTS 100000
#define DOCKER_MAX_PORTS 65536
