/* uploader.c: the delivery loop: every sink walks the spool with its own cursor, retries, dead-letters. */
#include "upstream/uploader.h"

#include <ctype.h>
#include <stdarg.h>
#include <curl/curl.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "ini_file.h"
#include "json.h"
#include "report/jsonw.h"
#include "upstream/atomic_file.h"
#include "upstream/format.h"
#include "upstream/sink_local.h"
#include "upstream/spool.h"

#define MAX_PARTS 64
#define SECRET_MAX_BYTES (64 * 1024)
#define RESPONSE_MAX_BYTES (64 * 1024)
#define RETRY_AFTER_MAX_MS (3600 * 1000)

struct sink_rt {
	const struct sink_config *cfg;
	char *token;                    /* the bearer: token_file, or the node key from enrolment */
	char *enroll_secret;
	char *ca_pem, *cert_pem, *key_pem;
	size_t ca_len, cert_len, key_len;
	CURL *h;
	struct curl_slist *hdrs;
	struct buf body, gz, resp;
	char curl_err[CURL_ERROR_SIZE];
	int64_t retry_after_ms;         /* from the answer in flight, -1 = none */
	bool in_flight;
	bool have_batch;
	struct spool_batch batch;
	size_t part_from[MAX_PARTS], part_to[MAX_PARTS];
	int n_parts;                    /* a stack; the top is being sent */
	uint64_t cursor;
	int64_t next_try_ms;
	unsigned failures;
	struct syslog_conn syslog;
	/* for status */
	uint64_t batches_ok, events_ok, dead_batches, dead_events, attempts_failed;
	int64_t last_ok_ms;
	long last_status;
	char last_error[256];
};

struct uploader {
	struct uploader_options o;
	struct sink_rt *sinks;
	size_t n_sinks;
	CURLM *multi;
	struct spool_entry *entries;
	size_t n_entries;
	bool rescan;
	int64_t next_rescan_ms;
	bool stopping;
	int64_t stop_deadline_ms;
	bool status_dirty;
	char status_path[PATH_MAX];
	struct format_host host;
};

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

uint64_t uploader_backoff_ms(unsigned failures, uint64_t min_ms, uint64_t max_ms, int64_t retry_after_ms,
			     uint64_t random)
{
	if (retry_after_ms >= 0)
		return (uint64_t)(retry_after_ms > RETRY_AFTER_MAX_MS ? RETRY_AFTER_MAX_MS : retry_after_ms);
	uint64_t d = min_ms ? min_ms : 1;
	for (unsigned i = 1; i < failures && d < max_ms; i++)
		d *= 2;
	if (d > max_ms)
		d = max_ms;
	/* full jitter over the upper half: hosts that failed together retry apart */
	return d / 2 + random % (d - d / 2 + 1);
}

int64_t uploader_parse_retry_after(const char *value, int64_t now_s)
{
	while (isspace((unsigned char)*value))
		value++;
	if (isdigit((unsigned char)*value)) {
		char *end;
		errno = 0;
		unsigned long long s = strtoull(value, &end, 10);
		while (isspace((unsigned char)*end))
			end++;
		if (errno || *end)
			return -1;
		return s > RETRY_AFTER_MAX_MS / 1000 ? RETRY_AFTER_MAX_MS : (int64_t)s * 1000;
	}
	time_t t = curl_getdate(value, NULL);
	if (t < 0)
		return -1;
	return t <= now_s ? 0 : ((int64_t)t - now_s > RETRY_AFTER_MAX_MS / 1000 ? RETRY_AFTER_MAX_MS
										: ((int64_t)t - now_s) * 1000);
}

enum delivery_verdict uploader_verdict(long http_status, bool transport_error, size_t part_events)
{
	if (transport_error)
		return VERDICT_RETRY;
	if (http_status >= 200 && http_status < 300)
		return VERDICT_DONE;
	if (http_status == 413)
		return part_events > 1 ? VERDICT_SPLIT : VERDICT_DEAD_LETTER;
	/* timeouts, throttling, server trouble, and auth (a token being rotated) are worth retrying */
	if (http_status == 408 || http_status == 429 || http_status == 401 || http_status == 403 ||
	    http_status >= 500 || http_status < 200 || (http_status >= 300 && http_status < 400))
		return VERDICT_RETRY;
	/* 400, 422 and the other client errors: this batch will never be accepted */
	return VERDICT_DEAD_LETTER;
}

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

static int sink_rt_init(struct sink_rt *s, const struct sink_config *c, char *err, size_t errlen)
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

static void sink_rt_free(struct sink_rt *s)
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

void uploader_free(struct uploader *u)
{
	if (!u)
		return;
	for (size_t i = 0; i < u->n_sinks; i++) {
		if (u->sinks[i].in_flight)
			curl_multi_remove_handle(u->multi, u->sinks[i].h);
		sink_rt_free(&u->sinks[i]);
	}
	if (u->multi)
		curl_multi_cleanup(u->multi);
	free(u->sinks);
	free(u->entries);
	free(u);
}

int uploader_new(const struct uploader_options *o, struct uploader **out, char *err, size_t errlen)
{
	*out = NULL;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		snprintf(err, errlen, "libcurl failed to initialise");
		return -EIO;
	}
	struct uploader *u = calloc(1, sizeof(*u));
	if (!u)
		return -ENOMEM;
	u->o = *o;
	u->host.host_name = o->host_name;
	u->host.host_id = o->host_id;
	u->rescan = true;
	u->status_dirty = true;
	snprintf(u->status_path, sizeof(u->status_path), "%s/uploader.json", o->spool_dir);
	int r = -ENOMEM;
	u->sinks = calloc(o->n_sinks ? o->n_sinks : 1, sizeof(*u->sinks));
	u->multi = curl_multi_init();
	if (!u->sinks || !u->multi)
		goto fail;
	for (size_t i = 0; i < o->n_sinks; i++) {
		r = sink_config_validate(&o->sinks[i], err, errlen);
		if (!r)
			r = sink_rt_init(&u->sinks[i], &o->sinks[i], err, errlen);
		u->n_sinks = i + 1;
		if (r < 0)
			goto fail;
		spool_cursor_get(o->spool_dir, o->sinks[i].name, &u->sinks[i].cursor);
	}
	*out = u;
	return 0;
fail:
	uploader_free(u);
	return r;
}

static void set_error(struct sink_rt *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_error(struct sink_rt *s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s->last_error, sizeof(s->last_error), fmt, ap);
	va_end(ap);
}

static void schedule_retry(struct uploader *u, struct sink_rt *s, int64_t retry_after_ms)
{
	uint64_t rnd = 0;
	if (getrandom(&rnd, sizeof(rnd), GRND_NONBLOCK) != (ssize_t)sizeof(rnd))
		rnd = (uint64_t)now_ms();
	s->failures++;
	s->attempts_failed++;
	s->next_try_ms = now_ms() + (int64_t)uploader_backoff_ms(s->failures, u->o.retry_min_ms, u->o.retry_max_ms,
								 retry_after_ms, rnd);
	u->status_dirty = true;
}

/* The batch is behind this sink: advance and persist its cursor, free the spool. */
static void batch_finished(struct uploader *u, struct sink_rt *s)
{
	s->cursor = s->batch.seq;
	int r = spool_cursor_set(u->o.spool_dir, s->cfg->name, s->cursor);
	if (r < 0)
		set_error(s, "cursor: %s", strerror(-r));
	spool_batch_free(&s->batch);
	s->have_batch = false;
	s->n_parts = 0;
	s->failures = 0;
	uint64_t min = UINT64_MAX;
	for (size_t i = 0; i < u->n_sinks; i++)
		if (u->sinks[i].cursor < min)
			min = u->sinks[i].cursor;
	if (u->n_sinks)
		spool_collect_garbage(u->o.spool_dir, min);
	u->rescan = true;
	u->status_dirty = true;
}

static void part_done(struct uploader *u, struct sink_rt *s)
{
	size_t n = s->part_to[s->n_parts - 1] - s->part_from[s->n_parts - 1];
	s->n_parts--;
	s->events_ok += n;
	s->last_ok_ms = now_ms();
	s->failures = 0;
	if (!s->n_parts) {
		s->batches_ok++;
		batch_finished(u, s);
	}
	u->status_dirty = true;
}

static void part_dead_letter(struct uploader *u, struct sink_rt *s, const char *reason)
{
	int top = s->n_parts - 1;
	size_t from = s->part_from[top], to = s->part_to[top];
	int r = spool_dead_letter(u->o.spool_dir, s->cfg->name, &s->batch, from, to, reason);
	if (r < 0) {
		/* keep it queued rather than lose it */
		set_error(s, "dead letter: %s", strerror(-r));
		schedule_retry(u, s, -1);
		return;
	}
	s->dead_batches++;
	s->dead_events += to - from;
	s->n_parts--;
	if (!s->n_parts)
		batch_finished(u, s);
	u->status_dirty = true;
}

static void part_split(struct sink_rt *s)
{
	int top = s->n_parts - 1;
	size_t from = s->part_from[top], to = s->part_to[top], mid = from + (to - from) / 2;
	if (s->n_parts + 1 > MAX_PARTS)
		return;
	/* the second half below the first, so the first goes next */
	s->part_from[top] = mid;
	s->part_to[top] = to;
	s->part_from[top + 1] = from;
	s->part_to[top + 1] = mid;
	s->n_parts++;
}

/* Loads the next batch past the cursor, if any. true when there is work. */
static bool next_batch(struct uploader *u, struct sink_rt *s)
{
	if (s->have_batch)
		return true;
	for (size_t i = 0; i < u->n_entries; i++) {
		if (u->entries[i].seq <= s->cursor)
			continue;
		char why[300];
		int r = spool_read_batch(u->o.spool_dir, u->entries[i].seq, u->entries[i].max_severity, &s->batch, why,
					 sizeof(why));
		if (r == -ENOENT)
			continue;   /* dropped under the cap meanwhile */
		if (r == -EBADMSG) {
			/* cannot be parsed: keep its bytes aside, never block the queue on it */
			set_error(s, "%s", why);
			char path[PATH_MAX], dead[PATH_MAX];
			snprintf(path, sizeof(path), "%s/%020" PRIu64 "-%d.batch", u->o.spool_dir, u->entries[i].seq,
				 u->entries[i].max_severity);
			snprintf(dead, sizeof(dead), "%s/dead/corrupt-%020" PRIu64 ".batch", u->o.spool_dir,
				 u->entries[i].seq);
			if (link(path, dead) < 0 && errno != EEXIST)
				continue;
			s->batch.seq = u->entries[i].seq;
			s->dead_batches++;
			batch_finished(u, s);
			continue;
		}
		if (r < 0) {
			set_error(s, "%s", why);
			return false;
		}
		s->have_batch = true;
		s->n_parts = 1;
		s->part_from[0] = 0;
		s->part_to[0] = s->batch.n_events;
		return true;
	}
	return false;
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
		set_error(s, "enrolment at %s: %s", s->cfg->enroll_url, s->curl_err[0] ? s->curl_err : curl_easy_strerror(cc));
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
		set_error(s, "enrolment at %s: HTTP %ld without a node_key", s->cfg->enroll_url, status);
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
		set_error(s, "%s: %s (the node key is used but not kept)", s->cfg->node_key_file, strerror(-r));
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
static int start_http(struct uploader *u, struct sink_rt *s)
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
		set_error(s, "formatting batch %" PRIu64 ": %s", s->batch.seq, strerror(-r));
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

static void http_finished(struct uploader *u, struct sink_rt *s, CURLcode cc)
{
	long status = 0;
	curl_easy_getinfo(s->h, CURLINFO_RESPONSE_CODE, &status);
	curl_multi_remove_handle(u->multi, s->h);
	s->in_flight = false;
	s->last_status = cc == CURLE_OK ? status : 0;
	int top = s->n_parts - 1;
	size_t events = s->part_to[top] - s->part_from[top];
	enum delivery_verdict v = uploader_verdict(status, cc != CURLE_OK, events);
	char body[200];
	snprintf(body, sizeof(body), "%.*s", (int)(s->resp.len < 160 ? s->resp.len : 160),
		 s->resp.data ? s->resp.data : "");
	for (char *p = body; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
			*p = '?';
	switch (v) {
	case VERDICT_DONE:
		s->last_error[0] = '\0';
		part_done(u, s);
		break;
	case VERDICT_SPLIT:
		set_error(s, "HTTP 413 for %zu events: splitting", events);
		part_split(s);
		break;
	case VERDICT_DEAD_LETTER: {
		char reason[300];
		snprintf(reason, sizeof(reason), "HTTP %ld: %s", status, body);
		set_error(s, "batch %" PRIu64 " refused, dead-lettered: %s", s->batch.seq, reason);
		part_dead_letter(u, s, reason);
		break;
	}
	case VERDICT_RETRY:
		if (status == 401 && s->cfg->enroll_url && s->token) {
			/* the collector no longer knows our node key: enrol again before the retry */
			unlink(s->cfg->node_key_file);
			free(s->token);
			s->token = NULL;
		}
		if (cc != CURLE_OK)
			set_error(s, "%s: %s", s->cfg->url, s->curl_err[0] ? s->curl_err : curl_easy_strerror(cc));
		else
			set_error(s, "%s: HTTP %ld %s", s->cfg->url, status, body);
		schedule_retry(u, s, cc == CURLE_OK ? s->retry_after_ms : -1);
		break;
	}
}

/* File and syslog sinks deliver the whole batch at once, synchronously. */
static void deliver_local(struct uploader *u, struct sink_rt *s)
{
	int top = s->n_parts - 1;
	size_t from = s->part_from[top], to = s->part_to[top];
	char err[300];
	int r = s->cfg->type == SINK_FILE
			? sink_file_write(s->cfg->path, &s->batch, from, to, err, sizeof(err))
			: sink_syslog_send(&s->syslog, s->cfg->address, (unsigned)u->o.timeout_ms, &u->host, &s->batch,
					   from, to, err, sizeof(err));
	if (r < 0) {
		set_error(s, "%s", err);
		schedule_retry(u, s, -1);
		return;
	}
	s->last_error[0] = '\0';
	part_done(u, s);
}

static void start_work(struct uploader *u)
{
	int64_t now = now_ms();
	if (u->rescan || now >= u->next_rescan_ms) {
		free(u->entries);
		u->entries = NULL;
		u->n_entries = 0;
		spool_list(u->o.spool_dir, &u->entries, &u->n_entries);
		u->rescan = false;
		u->next_rescan_ms = now + 1000;
	}
	for (size_t i = 0; i < u->n_sinks; i++) {
		struct sink_rt *s = &u->sinks[i];
		/* local sinks may finish several batches in one pass */
		for (int rounds = 0; rounds < 64; rounds++) {
			if (s->in_flight || now_ms() < s->next_try_ms || !next_batch(u, s))
				break;
			if (s->cfg->type == SINK_FILE || s->cfg->type == SINK_SYSLOG) {
				deliver_local(u, s);
				continue;
			}
			if (start_http(u, s) < 0)
				schedule_retry(u, s, -1);
			break;
		}
	}
}

static bool idle(const struct uploader *u)
{
	for (size_t i = 0; i < u->n_sinks; i++)
		if (u->sinks[i].in_flight || u->sinks[i].have_batch)
			return false;
	for (size_t e = 0; e < u->n_entries; e++)
		for (size_t i = 0; i < u->n_sinks; i++)
			if (u->entries[e].seq > u->sinks[i].cursor)
				return false;
	return true;
}

static void write_status(struct uploader *u)
{
	if (!u->status_dirty)
		return;
	struct jsonw w;
	if (jsonw_init(&w, false) < 0)
		return;
	jsonw_obj_begin(&w);
	jsonw_kint(&w, "pid", getpid());
	jsonw_kint(&w, "updated_ms", now_ms());
	jsonw_kint(&w, "uid", (int64_t)getuid());
	jsonw_str(&w, "sinks");
	jsonw_arr_begin(&w);
	for (size_t i = 0; i < u->n_sinks; i++) {
		const struct sink_rt *s = &u->sinks[i];
		jsonw_obj_begin(&w);
		jsonw_kstr(&w, "name", s->cfg->name);
		jsonw_kstr(&w, "type", sink_type_name(s->cfg->type));
		jsonw_kint(&w, "cursor", (int64_t)s->cursor);
		jsonw_kint(&w, "batches_delivered", (int64_t)s->batches_ok);
		jsonw_kint(&w, "events_delivered", (int64_t)s->events_ok);
		jsonw_kint(&w, "dead_batches", (int64_t)s->dead_batches);
		jsonw_kint(&w, "dead_events", (int64_t)s->dead_events);
		jsonw_kint(&w, "failed_attempts", (int64_t)s->attempts_failed);
		jsonw_kint(&w, "consecutive_failures", s->failures);
		jsonw_kint(&w, "last_delivery_ms", s->last_ok_ms);
		jsonw_kint(&w, "last_http_status", s->last_status);
		jsonw_kint(&w, "next_retry_ms", s->failures ? s->next_try_ms : 0);
		jsonw_kstr(&w, "last_error", s->last_error);
		jsonw_obj_end(&w);
	}
	jsonw_arr_end(&w);
	jsonw_obj_end(&w);
	size_t len;
	const char *text = jsonw_text(&w, &len);
	if (!w.status && atomic_file_write(u->status_path, text, len, 0644) == 0)
		u->status_dirty = false;
	jsonw_free(&w);
}

/* One wait for sockets, the notify pipe, signals or the next timer. */
static int wait_and_perform(struct uploader *u, int max_wait_ms)
{
	int64_t now = now_ms(), wait = max_wait_ms;
	if (u->next_rescan_ms - now < wait)
		wait = u->next_rescan_ms - now;
	for (size_t i = 0; i < u->n_sinks; i++)
		if (!u->sinks[i].in_flight && u->sinks[i].failures && u->sinks[i].next_try_ms - now < wait)
			wait = u->sinks[i].next_try_ms - now;
	if (wait < 0)
		wait = 0;
	struct curl_waitfd extra[2];
	unsigned n_extra = 0;
	if (u->o.notify_fd >= 0)
		extra[n_extra++] = (struct curl_waitfd){ .fd = u->o.notify_fd, .events = CURL_WAIT_POLLIN };
	if (u->o.signal_fd >= 0)
		extra[n_extra++] = (struct curl_waitfd){ .fd = u->o.signal_fd, .events = CURL_WAIT_POLLIN };
	int numfds;
	curl_multi_poll(u->multi, extra, n_extra, (int)wait, &numfds);
	for (unsigned i = 0; i < n_extra; i++) {
		if (!extra[i].revents)
			continue;
		if (extra[i].fd == u->o.notify_fd) {
			char b[256];
			ssize_t n = read(u->o.notify_fd, b, sizeof(b));
			if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
				/* the daemon is gone: deliver what is spooled and leave */
				u->o.notify_fd = -1;
				if (!u->stopping) {
					u->stopping = true;
					u->stop_deadline_ms = now_ms() + (int64_t)u->o.flush_timeout_ms;
				}
			}
			u->rescan = true;
		} else {
			struct signalfd_siginfo si;
			if (read(u->o.signal_fd, &si, sizeof(si)) == (ssize_t)sizeof(si) && !u->stopping) {
				u->stopping = true;
				u->stop_deadline_ms = now_ms() + (int64_t)u->o.flush_timeout_ms;
				u->rescan = true;
			}
		}
	}
	int running;
	curl_multi_perform(u->multi, &running);
	CURLMsg *m;
	int left;
	while ((m = curl_multi_info_read(u->multi, &left))) {
		if (m->msg != CURLMSG_DONE)
			continue;
		for (size_t i = 0; i < u->n_sinks; i++)
			if (u->sinks[i].in_flight && u->sinks[i].h == m->easy_handle) {
				http_finished(u, &u->sinks[i], m->data.result);
				break;
			}
	}
	return 0;
}

int uploader_run(struct uploader *u)
{
	for (;;) {
		start_work(u);
		write_status(u);
		if (u->stopping && (idle(u) || now_ms() >= u->stop_deadline_ms))
			break;
		wait_and_perform(u, 1000);
	}
	u->status_dirty = true;
	write_status(u);
	return 0;
}

int uploader_drain(struct uploader *u, uint64_t timeout_ms)
{
	int64_t deadline = now_ms() + (int64_t)timeout_ms;
	u->rescan = true;
	for (;;) {
		start_work(u);
		if (idle(u) || now_ms() >= deadline)
			break;
		wait_and_perform(u, 50);
	}
	write_status(u);
	return idle(u) ? 0 : -ETIMEDOUT;
}
