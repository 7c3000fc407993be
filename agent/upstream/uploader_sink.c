/* uploader_sink.c: talking to one sink: its secrets and TLS, enrolment, the HTTP request for a batch part, file and syslog delivery. */
#include "upstream/uploader_internal.h"

#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "buf.h"
#include "ini_file.h"
#include "json.h"
#include "report/jsonw.h"
#include "upstream/atomic_file.h"
#include "upstream/format.h"
#include "upstream/sink_local.h"
#include "upstream/spool.h"

#define SECRET_MAX_BYTES (64 * 1024)
#define RESPONSE_MAX_BYTES (64 * 1024)

/* A file holding a secret: regular, and not readable by group or others. */
static int read_secret(const char *path, bool must_be_private, char **out, size_t *len, char *err, size_t errlen)
{
	struct stat st;
	if (stat(path, &st) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -errno;
	}
	if (must_be_private && (st.st_mode & 077)) {
		snprintf(err, errlen, "%s: readable by group or others (mode %03o); chmod 600 it", path,
			 (unsigned)(st.st_mode & 0777));
		return -EPERM;
	}
	int r = read_file_capped(path, SECRET_MAX_BYTES, out, len);
	if (r < 0)
		snprintf(err, errlen, "%s: %s", path, strerror(-r));
	return r;
}

int uploader_sink_init(struct sink_rt *s, const struct sink_config *c, char *err, size_t errlen)
{
	memset(s, 0, sizeof(*s));
	s->cfg = c;
	s->retry_after_ms = -1;
	syslog_conn_init(&s->syslog, c->udp);
	buf_init(&s->body, SPOOL_MAX_BATCH_BYTES * 2);
	buf_init(&s->gz, SPOOL_MAX_BATCH_BYTES * 2);
	buf_init(&s->resp, RESPONSE_MAX_BYTES);
	size_t len;
	int r;
	if (c->token_file && *c->token_file) {
		if ((r = read_secret(c->token_file, true, &s->token, &len, err, errlen)) < 0)
			return r;
		while (len && isspace((unsigned char)s->token[len - 1]))
			s->token[--len] = '\0';
		for (size_t i = 0; i < len; i++)
			if ((unsigned char)s->token[i] < 0x21 || (unsigned char)s->token[i] > 0x7e) {
				snprintf(err, errlen, "%s: the token must be one line of printable characters",
					 c->token_file);
				return -EINVAL;
			}
	}
	if (c->enroll_url) {
		if ((r = read_secret(c->enroll_secret_file, true, &s->enroll_secret, &len, err, errlen)) < 0)
			return r;
		while (len && isspace((unsigned char)s->enroll_secret[len - 1]))
			s->enroll_secret[--len] = '\0';
		/* a node key from an earlier enrolment; none yet is fine */
		free(s->token);
		s->token = NULL;
		char why[256];
		if (read_secret(c->node_key_file, true, &s->token, &len, why, sizeof(why)) == 0) {
			while (len && isspace((unsigned char)s->token[len - 1]))
				s->token[--len] = '\0';
		} else {
			free(s->token);
			s->token = NULL;
		}
	}
	if (c->ca_file && *c->ca_file && (r = read_secret(c->ca_file, false, &s->ca_pem, &s->ca_len, err, errlen)) < 0)
		return r;
	if (c->client_cert && *c->client_cert &&
	    (r = read_secret(c->client_cert, false, &s->cert_pem, &s->cert_len, err, errlen)) < 0)
		return r;
	if (c->client_key && *c->client_key &&
	    (r = read_secret(c->client_key, true, &s->key_pem, &s->key_len, err, errlen)) < 0)
		return r;
	return 0;
}

void uploader_sink_free(struct sink_rt *s)
{
	if (s->h)
		curl_easy_cleanup(s->h);
	curl_slist_free_all(s->hdrs);
	buf_free(&s->body);
	buf_free(&s->gz);
	buf_free(&s->resp);
	spool_batch_free(&s->batch);
	syslog_conn_close(&s->syslog);
	if (s->token)
		explicit_bzero(s->token, strlen(s->token));
	if (s->key_pem)
		explicit_bzero(s->key_pem, s->key_len);
	if (s->enroll_secret)
		explicit_bzero(s->enroll_secret, strlen(s->enroll_secret));
	free(s->enroll_secret);
	free(s->token);
	free(s->ca_pem);
	free(s->cert_pem);
	free(s->key_pem);
}

void uploader_set_error(struct sink_rt *s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s->last_error, sizeof(s->last_error), fmt, ap);
	va_end(ap);
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *user)
{
	struct sink_rt *s = user;
	/* a long answer is only kept for its start: it is for the logs */
	buf_append(&s->resp, data, size * nmemb < 4096 ? size * nmemb : 4096);
	return size * nmemb;
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *user)
{
	struct sink_rt *s = user;
	size_t n = size * nmemb;
	static const char key[] = "retry-after:";
	if (n > sizeof(key) - 1 && n < 256 && strncasecmp(data, key, sizeof(key) - 1) == 0) {
		char v[256];
		snprintf(v, sizeof(v), "%.*s", (int)(n - (sizeof(key) - 1)), data + sizeof(key) - 1);
		v[strcspn(v, "\r\n")] = '\0';
		s->retry_after_ms = uploader_parse_retry_after(v, now_ms() / 1000);
	}
	return n;
}

static int add_header(struct sink_rt *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int add_header(struct sink_rt *s, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(line))
		return -E2BIG;
	struct curl_slist *l = curl_slist_append(s->hdrs, line);
	if (!l)
		return -ENOMEM;
	s->hdrs = l;
	return 0;
}

static void blob(CURL *h, CURLoption opt, char *data, size_t len)
{
	struct curl_blob b = { .data = data, .len = len, .flags = CURL_BLOB_COPY };
	curl_easy_setopt(h, opt, &b);
}

static void set_tls(struct sink_rt *s, CURL *h)
{
	const struct sink_config *c = s->cfg;
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, c->tls_verify ? 1L : 0L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, c->tls_verify ? 2L : 0L);
	if (s->ca_pem)
		blob(h, CURLOPT_CAINFO_BLOB, s->ca_pem, s->ca_len);
	if (s->cert_pem) {
		blob(h, CURLOPT_SSLCERT_BLOB, s->cert_pem, s->cert_len);
		curl_easy_setopt(h, CURLOPT_SSLCERTTYPE, "PEM");
	}
	if (s->key_pem) {
		blob(h, CURLOPT_SSLKEY_BLOB, s->key_pem, s->key_len);
		curl_easy_setopt(h, CURLOPT_SSLKEYTYPE, "PEM");
	}
}

/* Enrolment: POST {"secret","host_name","host_id"} to enroll_url, keep the
 * "node_key" of a 2xx answer (mode 0600) and use it as the bearer. Blocking,
 * bounded by the sink's timeout; rare (first start, or a key refused). */
static int enroll(struct uploader *u, struct sink_rt *s)
{
	struct jsonw w;
	if (jsonw_init(&w, false) < 0)
		return -ENOMEM;
	jsonw_obj_begin(&w);
	jsonw_kstr(&w, "secret", s->enroll_secret);
	jsonw_kstr(&w, "host_name", u->host.host_name ? u->host.host_name : "");
	jsonw_kstr(&w, "host_id", u->host.host_id ? u->host.host_id : "");
	jsonw_kstr(&w, "agent_version", DOCKWARD_VERSION);
	jsonw_obj_end(&w);
	size_t len;
	const char *body = jsonw_text(&w, &len);
	CURL *h = curl_easy_init();
	struct curl_slist *hdrs = curl_slist_append(NULL, "Content-Type: application/json");
	int r = -ENOMEM;
	if (!h || !hdrs)
		goto out;
	buf_reset(&s->resp);
	curl_easy_setopt(h, CURLOPT_URL, s->cfg->enroll_url);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https");
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, s->curl_err);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, s);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)u->o.timeout_ms);
	set_tls(s, h);
	s->curl_err[0] = '\0';
	CURLcode cc = curl_easy_perform(h);
	long status = 0;
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	r = -EIO;
	if (cc != CURLE_OK) {
		uploader_set_error(s, "enrolment at %s: %s", s->cfg->enroll_url, s->curl_err[0] ? s->curl_err : curl_easy_strerror(cc));
		goto out;
	}
	yajl_val v = NULL;
	char perr[128];
	const char *key = NULL;
	if (status >= 200 && status < 300 && json_parse(s->resp.data ? s->resp.data : "", s->resp.len, &v, perr, sizeof(perr)) == 0)
		key = json_str(v, "node_key");
	bool printable = key && *key && strlen(key) < 4096;
	for (const char *p = key; printable && *p; p++)
		printable = *p > 0x20 && *p < 0x7f;
	if (!printable) {
		uploader_set_error(s, "enrolment at %s: HTTP %ld without a node_key", s->cfg->enroll_url, status);
		yajl_tree_free(v);
		goto out;
	}
	char *copy = strdup(key);
	yajl_tree_free(v);
	if (!copy) {
		r = -ENOMEM;
		goto out;
	}
	r = atomic_file_write(s->cfg->node_key_file, copy, strlen(copy), 0600);
	if (r < 0)
		uploader_set_error(s, "%s: %s (the node key is used but not kept)", s->cfg->node_key_file, strerror(-r));
	free(s->token);
	s->token = copy;
	r = 0;
out:
	curl_slist_free_all(hdrs);
	if (h)
		curl_easy_cleanup(h);
	jsonw_free(&w);
	return r;
}

/* Builds and starts the HTTP request for the top part. */
int uploader_start_http(struct uploader *u, struct sink_rt *s)
{
	const struct sink_config *c = s->cfg;
	int top = s->n_parts - 1;
	size_t from = s->part_from[top], to = s->part_to[top];
	int r;
	if (c->enroll_url && !s->token && (r = enroll(u, s)) < 0)
		return r;
	buf_reset(&s->body);
	buf_reset(&s->gz);
	buf_reset(&s->resp);
	switch (c->type) {
	case SINK_OTLP:
		r = format_otlp(&u->host, &s->batch, from, to, &s->body);
		break;
	case SINK_HEC:
		r = format_hec(&u->host, c->hec_index, c->hec_sourcetype, &s->batch, from, to, &s->body);
		break;
	default:
		r = format_collector(&s->batch, from, to, &s->body);
		break;
	}
	if (!r && c->gzip)
		r = gzip_buf(s->body.data, s->body.len, &s->gz);
	if (r < 0) {
		uploader_set_error(s, "formatting batch %" PRIu64 ": %s", s->batch.seq, strerror(-r));
		return r;
	}
	if (!s->h && !(s->h = curl_easy_init()))
		return -ENOMEM;
	CURL *h = s->h;
	curl_easy_reset(h);
	curl_slist_free_all(s->hdrs);
	s->hdrs = NULL;
	bool whole = from == 0 && to == s->batch.n_events;
	r = add_header(s, "Content-Type: application/json");
	if (!r && c->gzip)
		r = add_header(s, "Content-Encoding: gzip");
	/* a part of a split batch has a key of its own, the same on every retry */
	if (!r)
		r = whole ? add_header(s, "Idempotency-Key: %s", s->batch.key)
			  : add_header(s, "Idempotency-Key: %s-%zu-%zu", s->batch.key, from, to);
	if (!r && s->token)
		r = add_header(s, "Authorization: %s %s", c->type == SINK_HEC ? "Splunk" : "Bearer", s->token);
	if (!r)
		r = add_header(s, "Expect:");
	if (r < 0)
		return r;
	struct buf *payload = c->gzip ? &s->gz : &s->body;
	curl_easy_setopt(h, CURLOPT_URL, c->url);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_POST, 1L);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, payload->data);
	curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)payload->len);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, s->hdrs);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "dockward/" DOCKWARD_VERSION);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, s->curl_err);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, s);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, s);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)u->o.timeout_ms);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)(u->o.timeout_ms < 10000 ? u->o.timeout_ms : 10000));
	curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
	set_tls(s, h);
	s->curl_err[0] = '\0';
	s->retry_after_ms = -1;
	if (curl_multi_add_handle(u->multi, h) != CURLM_OK)
		return -EIO;
	s->in_flight = true;
	return 0;
}

/* File and syslog sinks deliver the whole batch at once, synchronously. */
void uploader_deliver_local(struct uploader *u, struct sink_rt *s)
{
	int top = s->n_parts - 1;
	size_t from = s->part_from[top], to = s->part_to[top];
	char err[300];
	int r = s->cfg->type == SINK_FILE
			? sink_file_write(s->cfg->path, &s->batch, from, to, err, sizeof(err))
			: sink_syslog_send(&s->syslog, s->cfg->address, (unsigned)u->o.timeout_ms, &u->host, &s->batch,
					   from, to, err, sizeof(err));
	if (r < 0) {
		uploader_set_error(s, "%s", err);
		uploader_schedule_retry(u, s, -1);
		return;
	}
	s->last_error[0] = '\0';
	uploader_part_done(u, s);
}
