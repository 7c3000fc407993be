/* client.h: the Docker Engine API client (libcurl, one kept-alive handle). */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "docker/model.h"

/* The API range dockward understands; a newer engine is spoken to at MAX. */
#define DOCKER_API_MIN "1.24"
#define DOCKER_API_MAX "1.45"

struct docker_client_options {
	const char *host;               /* unix:///path, tcp://host:port, or NULL for DOCKER_HOST / default */
	const char *api_version;        /* NULL or "" = negotiate */
	uint64_t connect_timeout_ms;
	uint64_t request_timeout_ms;
	uint64_t max_response_bytes;
	bool tls;                       /* tcp:// with TLS (DOCKER_TLS_VERIFY / DOCKER_TLS / files set) */
	bool tls_verify;
	const char *tls_ca, *tls_cert, *tls_key;
};

struct docker_client;

/* Fills opts from the environment the way the docker CLI reads it
 * (DOCKER_HOST, DOCKER_TLS_VERIFY, DOCKER_TLS, DOCKER_CERT_PATH), over
 * whatever opts already holds. Paths point into static storage of opts_env. */
struct docker_env_paths { char ca[4096], cert[4096], key[4096]; };
void docker_options_from_env(struct docker_client_options *opts, struct docker_env_paths *paths);

/* Returns 0 or -EINVAL (bad host URL) / -ENOMEM; err says why. No I/O happens yet. */
int docker_client_new(const struct docker_client_options *opts, struct docker_client **out,
		      char *err, size_t errlen);
void docker_client_free(struct docker_client *c);

/* The host as configured ("unix:///var/run/docker.sock"), for messages. */
const char *docker_client_host(const struct docker_client *c);
/* The last error, one line: "cannot connect to the Docker daemon at ...: ...". */
const char *docker_client_error(const struct docker_client *c);
/* The negotiated API version ("1.41"), "" before the first request. */
const char *docker_client_api_version(const struct docker_client *c);

/* Pings the daemon and settles the API version (min of ours and the engine's).
 * Done implicitly by every request below. */
int docker_negotiate(struct docker_client *c);

/* GET /v{api}{path}, parsed and depth-checked. 0, -ECONNREFUSED/-ENOENT (not
 * reachable), -ENOENT-like errors from the API (404 → -ENOENT), -EBADMSG, ... */
int docker_get_json(struct docker_client *c, const char *path, yajl_val *out);

int docker_get_version(struct docker_client *c, struct docker_version *out);
int docker_get_info(struct docker_client *c, struct docker_info *out);
/* ids borrowed from *list, which the caller frees with yajl_tree_free. */
int docker_list_containers(struct docker_client *c, yajl_val *list, const char ***ids, size_t *n);
int docker_inspect_container(struct docker_client *c, const char *id, struct docker_container *out);
int docker_container_top(struct docker_client *c, const char *id, struct docker_top *out);
int docker_list_images(struct docker_client *c, yajl_val *list, const char ***ids, size_t *n);
int docker_inspect_image(struct docker_client *c, const char *id, struct docker_image *out);
/* Stores the history document in img->history. */
int docker_image_history(struct docker_client *c, struct docker_image *img);
/* networks borrow from *list, which the caller frees with yajl_tree_free. */
int docker_list_networks(struct docker_client *c, yajl_val *list, struct docker_network **nets, size_t *n);
/* GET /images/{name}/get: the image as a `docker save` tar stream, written to
 * fd. -EFBIG (nothing more written) when it exceeds max_bytes. */
int docker_image_save(struct docker_client *c, const char *name, int fd, uint64_t max_bytes);

/* Streams /events. since/until are Unix times (0 = unset); filters is a
 * JSON filter document or NULL. The callback gets each event (borrowed for
 * the call) and returns 0 to go on, >0 to stop cleanly, <0 to abort with that
 * error. Returns 0 when until is reached or the callback stops, else -errno. */
typedef int (*docker_event_cb)(const struct docker_event *ev, void *user);
int docker_stream_events(struct docker_client *c, int64_t since, int64_t until, const char *filters,
			 docker_event_cb cb, void *user);

/* The incremental newline-delimited JSON splitter under docker_stream_events,
 * exposed so the daemon can feed it from its own event loop. */
struct docker_event_parser {
	struct buf line;
	docker_event_cb cb;
	void *user;
	int stop;               /* the callback's non-zero answer, sticky */
	char err[256];
	uint64_t bad_events;    /* lines that were not valid events: counted, skipped */
};
#define DOCKER_EVENT_MAX_BYTES (256 * 1024)
void docker_event_parser_init(struct docker_event_parser *p, docker_event_cb cb, void *user);
/* Returns 0, the callback's answer when it stops, or -EFBIG when a line exceeds the cap. */
int docker_event_parser_feed(struct docker_event_parser *p, const char *data, size_t len);
void docker_event_parser_free(struct docker_event_parser *p);

/* "1.41" vs "1.9" compared numerically; returns <0, 0, >0. */
int docker_api_version_cmp(const char *a, const char *b);
