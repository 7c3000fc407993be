/* client_internal.h: what the Docker client's own files share, and nothing else sees. */
#pragma once
#include <curl/curl.h>

#include "buf.h"
#include "docker/client.h"

struct docker_client {
	CURL *curl;                     /* kept alive across requests */
	char *host;                     /* as configured, for messages */
	char *base_url;                 /* http://localhost, https://host:2376 */
	char *unix_path;
	bool tls;
	char *tls_ca, *tls_cert, *tls_key;
	struct docker_client_options opts;  /* scalars only; strings above are ours */
	size_t max_response;
	char api_version[16];
	char err[512];
};

struct docker_request {
	struct buf body;
	bool too_large;
	bool streaming;
	char api_version[16];           /* from the Api-Version header */
	char curl_err[CURL_ERROR_SIZE];
	/* when set, body bytes go here instead of into body */
	size_t (*sink)(const char *data, size_t len, void *user);
	void *sink_user;
	CURL *handle;
};

void docker_set_common(struct docker_client *c, CURL *h, struct docker_request *rq, const char *url);
int docker_finish(struct docker_client *c, CURL *h, struct docker_request *rq, CURLcode cc, const char *path);
/* Escapes a path segment (an id or image reference) for a URL. */
int docker_escape_segment(const char *in, char *out, size_t outlen);
