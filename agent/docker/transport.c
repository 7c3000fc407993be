/* transport.c: HTTP to the Docker engine over a unix socket or TCP(+TLS), API version negotiation. */
#include "docker/client.h"

#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "docker/client_internal.h"
#include "json.h"

int docker_api_version_cmp(const char *a, const char *b)
{
	unsigned long amaj = 0, amin = 0, bmaj = 0, bmin = 0;
	sscanf(a, "%lu.%lu", &amaj, &amin);
	sscanf(b, "%lu.%lu", &bmaj, &bmin);
	if (amaj != bmaj)
		return amaj < bmaj ? -1 : 1;
	if (amin != bmin)
		return amin < bmin ? -1 : 1;
	return 0;
}

static bool api_version_valid(const char *v)
{
	unsigned long maj, min;
	char extra;
	return v && sscanf(v, "%lu.%lu%c", &maj, &min, &extra) == 2 && strlen(v) < 16;
}

void docker_options_from_env(struct docker_client_options *opts, struct docker_env_paths *paths)
{
	const char *host = getenv("DOCKER_HOST");
	if (host && *host)
		opts->host = host;
	const char *verify = getenv("DOCKER_TLS_VERIFY");
	const char *tls = getenv("DOCKER_TLS");
	const char *cert_path = getenv("DOCKER_CERT_PATH");
	/* the docker CLI treats any non-empty DOCKER_TLS_VERIFY as "on" */
	if (verify && *verify) {
		opts->tls = true;
		opts->tls_verify = true;
	} else if (tls && *tls) {
		opts->tls = true;
	}
	if (opts->tls && cert_path && *cert_path) {
		snprintf(paths->ca, sizeof(paths->ca), "%s/ca.pem", cert_path);
		snprintf(paths->cert, sizeof(paths->cert), "%s/cert.pem", cert_path);
		snprintf(paths->key, sizeof(paths->key), "%s/key.pem", cert_path);
		opts->tls_ca = paths->ca;
		opts->tls_cert = paths->cert;
		opts->tls_key = paths->key;
	}
}

static int parse_host(struct docker_client *c, const char *host, bool tls, char *err, size_t errlen)
{
	if (strncmp(host, "unix://", 7) == 0) {
		const char *path = host + 7;
		if (path[0] != '/') {
			snprintf(err, errlen, "docker host %s: a unix socket needs an absolute path", host);
			return -EINVAL;
		}
		c->unix_path = strdup(path);
		c->base_url = strdup("http://localhost");
	} else if (strncmp(host, "tcp://", 6) == 0) {
		const char *hp = host + 6;
		size_t n = strcspn(hp, "/?#");
		if (n == 0 || hp[n] != '\0') {
			snprintf(err, errlen, "docker host %s: expected tcp://HOST:PORT", host);
			return -EINVAL;
		}
		/* a bare host gets the port the docker CLI would use */
		const char *colon = strrchr(hp, ':');
		const char *bracket = strrchr(hp, ']');
		bool has_port = colon && (!bracket || colon > bracket);
		size_t len = strlen(hp) + 32;
		c->base_url = malloc(len);
		if (c->base_url)
			snprintf(c->base_url, len, "%s://%s%s", tls ? "https" : "http", hp,
				 has_port ? "" : (tls ? ":2376" : ":2375"));
	} else {
		snprintf(err, errlen, "docker host %s: unsupported; use unix:///PATH or tcp://HOST:PORT", host);
		return -EINVAL;
	}
	if (!c->base_url || (strncmp(host, "unix://", 7) == 0 && !c->unix_path))
		return -ENOMEM;
	return 0;
}

int docker_client_new(const struct docker_client_options *opts, struct docker_client **out,
		      char *err, size_t errlen)
{
	static bool curl_ready;
	*out = NULL;
	if (!curl_ready) {
		/* idempotent in practice; done before any handle exists */
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
			snprintf(err, errlen, "libcurl failed to initialise");
			return -EIO;
		}
		curl_ready = true;
	}
	int r = -ENOMEM;
	struct docker_client *c = calloc(1, sizeof(*c));
	if (!c)
		goto fail;
	const char *host = opts->host && *opts->host ? opts->host : "unix:///var/run/docker.sock";
	c->host = strdup(host);
	if (!c->host)
		goto fail;
	r = parse_host(c, host, opts->tls, err, errlen);
	if (r < 0)
		goto fail;
	if (opts->api_version && *opts->api_version) {
		if (!api_version_valid(opts->api_version)) {
			snprintf(err, errlen, "API version \"%s\": expected MAJOR.MINOR", opts->api_version);
			r = -EINVAL;
			goto fail;
		}
		snprintf(c->api_version, sizeof(c->api_version), "%s", opts->api_version);
	}
	c->opts = *opts;
	/* the caller's strings may not outlive this call: keep only our copies */
	c->opts.host = c->opts.api_version = c->opts.tls_ca = c->opts.tls_cert = c->opts.tls_key = NULL;
	c->max_response = opts->max_response_bytes ? opts->max_response_bytes : BUF_DEFAULT_CAP;
	c->tls = opts->tls && !c->unix_path;
#define DUP(f) do { if (opts->f && *opts->f && !(c->f = strdup(opts->f))) { r = -ENOMEM; goto fail; } } while (0)
	DUP(tls_ca);
	DUP(tls_cert);
	DUP(tls_key);
#undef DUP
	c->curl = curl_easy_init();
	if (!c->curl) {
		r = -ENOMEM;
		goto fail;
	}
	*out = c;
	return 0;
fail:
	if (r == -ENOMEM && err[0] == '\0')
		snprintf(err, errlen, "out of memory");
	docker_client_free(c);
	return r;
}

void docker_client_free(struct docker_client *c)
{
	if (!c)
		return;
	if (c->curl)
		curl_easy_cleanup(c->curl);
	free(c->host);
	free(c->base_url);
	free(c->unix_path);
	free(c->tls_ca);
	free(c->tls_cert);
	free(c->tls_key);
	free(c);
}

const char *docker_client_host(const struct docker_client *c) { return c->host; }
const char *docker_client_error(const struct docker_client *c) { return c->err; }
const char *docker_client_api_version(const struct docker_client *c) { return c->api_version; }

static size_t on_body(char *data, size_t size, size_t nmemb, void *user)
{
	struct docker_request *rq = user;
	size_t n = size * nmemb;
	if (rq->sink) {
		/* error answers are kept whole for their message, not streamed */
		long status = 0;
		curl_easy_getinfo(rq->handle, CURLINFO_RESPONSE_CODE, &status);
		if (status >= 200 && status < 300)
			return rq->sink(data, n, rq->sink_user);
	}
	if (buf_append(&rq->body, data, n) < 0) {
		rq->too_large = true;
		return 0;   /* aborts the transfer with CURLE_WRITE_ERROR */
	}
	return n;
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *user)
{
	struct docker_request *rq = user;
	size_t n = size * nmemb;
	static const char key[] = "api-version:";
	if (n > sizeof(key) - 1 && strncasecmp(data, key, sizeof(key) - 1) == 0) {
		const char *v = data + sizeof(key) - 1;
		size_t vl = n - (sizeof(key) - 1);
		while (vl && isspace((unsigned char)*v))
			v++, vl--;
		while (vl && isspace((unsigned char)v[vl - 1]))
			vl--;
		if (vl < sizeof(rq->api_version)) {
			memcpy(rq->api_version, v, vl);
			rq->api_version[vl] = '\0';
		}
	}
	return n;
}

void docker_set_common(struct docker_client *c, CURL *h, struct docker_request *rq, const char *url)
{
	curl_easy_reset(h);
	rq->handle = h;
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, rq->curl_err);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, rq);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, rq);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "dockward/" DOCKWARD_VERSION);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)(c->opts.connect_timeout_ms ? c->opts.connect_timeout_ms : 5000));
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, rq->streaming ? 0L
				: (long)(c->opts.request_timeout_ms ? c->opts.request_timeout_ms : 60000));
	if (c->unix_path)
		curl_easy_setopt(h, CURLOPT_UNIX_SOCKET_PATH, c->unix_path);
	if (c->tls) {
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, c->opts.tls_verify ? 1L : 0L);
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, c->opts.tls_verify ? 2L : 0L);
		if (c->tls_ca)
			curl_easy_setopt(h, CURLOPT_CAINFO, c->tls_ca);
		if (c->tls_cert)
			curl_easy_setopt(h, CURLOPT_SSLCERT, c->tls_cert);
		if (c->tls_key)
			curl_easy_setopt(h, CURLOPT_SSLKEY, c->tls_key);
	}
}

/* Maps a finished transfer to 0 or a negative errno, writing c->err. */
int docker_finish(struct docker_client *c, CURL *h, struct docker_request *rq, CURLcode cc, const char *path)
{
	if (cc == CURLE_WRITE_ERROR && rq->too_large) {
		snprintf(c->err, sizeof(c->err), "Docker API %s: response larger than %zu bytes", path, c->max_response);
		return -EFBIG;
	}
	if (cc == CURLE_COULDNT_CONNECT || cc == CURLE_COULDNT_RESOLVE_HOST) {
		long os_errno = 0;
		curl_easy_getinfo(h, CURLINFO_OS_ERRNO, &os_errno);
		int e = os_errno ? (int)os_errno : ECONNREFUSED;
		snprintf(c->err, sizeof(c->err), "cannot connect to the Docker daemon at %s: %s", c->host,
			 cc == CURLE_COULDNT_RESOLVE_HOST ? "cannot resolve host" : strerror(e));
		return -e;
	}
	if (cc == CURLE_OPERATION_TIMEDOUT) {
		snprintf(c->err, sizeof(c->err), "Docker API %s at %s: timed out", path, c->host);
		return -ETIMEDOUT;
	}
	if (cc != CURLE_OK) {
		snprintf(c->err, sizeof(c->err), "Docker API %s at %s: %s", path, c->host,
			 rq->curl_err[0] ? rq->curl_err : curl_easy_strerror(cc));
		return cc == CURLE_SSL_CACERT || cc == CURLE_PEER_FAILED_VERIFICATION ? -EPERM : -EIO;
	}
	long status = 0;
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	if (status >= 200 && status < 300)
		return 0;
	/* the engine explains errors as {"message": "..."} */
	const char *msg = NULL;
	yajl_val v = NULL;
	char perr[64];
	if (rq->body.len && json_parse(rq->body.data, rq->body.len, &v, perr, sizeof(perr)) == 0)
		msg = json_str(v, "message");
	snprintf(c->err, sizeof(c->err), "Docker API %s: %s (HTTP %ld)", path,
		 msg ? msg : "unexpected answer", status);
	yajl_tree_free(v);
	switch (status) {
	case 400: return -EINVAL;
	case 401:
	case 403: return -EACCES;
	case 404: return -ENOENT;
	case 409: return -EBUSY;
	case 501: return -EOPNOTSUPP;
	default: return -EIO;
	}
}

/* One request on the shared handle. versioned=false for /_ping. */
static int docker_request(struct docker_client *c, const char *path, bool versioned, struct docker_request *rq)
{
	char url[2048];
	int n = versioned ? snprintf(url, sizeof(url), "%s/v%s%s", c->base_url, c->api_version, path)
			  : snprintf(url, sizeof(url), "%s%s", c->base_url, path);
	if (n < 0 || (size_t)n >= sizeof(url)) {
		snprintf(c->err, sizeof(c->err), "Docker API %s: path too long", path);
		return -ENAMETOOLONG;
	}
	buf_init(&rq->body, c->max_response);
	docker_set_common(c, c->curl, rq, url);
	CURLcode cc = curl_easy_perform(c->curl);
	return docker_finish(c, c->curl, rq, cc, path);
}

int docker_negotiate(struct docker_client *c)
{
	if (c->api_version[0])
		return 0;
	struct docker_request rq = { 0 };
	int r = docker_request(c, "/_ping", false, &rq);
	buf_free(&rq.body);
	if (r < 0)
		return r;
	if (!api_version_valid(rq.api_version)) {
		/* very old engines do not say; they are older than we support */
		snprintf(c->err, sizeof(c->err), "Docker engine at %s did not report its API version", c->host);
		return -EPROTO;
	}
	if (docker_api_version_cmp(rq.api_version, DOCKER_API_MIN) < 0) {
		snprintf(c->err, sizeof(c->err), "Docker engine at %s speaks API %s; dockward needs %s or newer",
			 c->host, rq.api_version, DOCKER_API_MIN);
		return -EPROTONOSUPPORT;
	}
	snprintf(c->api_version, sizeof(c->api_version), "%s",
		 docker_api_version_cmp(rq.api_version, DOCKER_API_MAX) > 0 ? DOCKER_API_MAX : rq.api_version);
	return 0;
}

int docker_get_json(struct docker_client *c, const char *path, yajl_val *out)
{
	*out = NULL;
	int r = docker_negotiate(c);
	if (r < 0)
		return r;
	struct docker_request rq = { 0 };
	r = docker_request(c, path, true, &rq);
	if (r == 0) {
		char perr[192];
		r = json_parse(rq.body.data ? rq.body.data : "", rq.body.len, out, perr, sizeof(perr));
		if (r < 0)
			snprintf(c->err, sizeof(c->err), "Docker API %s: %s", path, perr);
	}
	buf_free(&rq.body);
	return r;
}
