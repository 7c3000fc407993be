/* uploader_internal.h: what the uploader's files share (the per-sink and loop state, their steps), and nothing else sees. */
#pragma once
#include <curl/curl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "buf.h"
#include "upstream/format.h"
#include "upstream/sink_config.h"
#include "upstream/sink_local.h"
#include "upstream/spool.h"
#include "upstream/uploader.h"

#define MAX_PARTS 64

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

static inline int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* uploader_sink.c: the sink's secrets read now (token, enrolment secret and node key, TLS files). */
int uploader_sink_init(struct sink_rt *s, const struct sink_config *c, char *err, size_t errlen);
void uploader_sink_free(struct sink_rt *s);
/* The sink's last_error, for uploader.json. */
void uploader_set_error(struct sink_rt *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Builds and starts the HTTP request for the top part (enrolling first when needed). */
int uploader_start_http(struct uploader *u, struct sink_rt *s);
/* File and syslog sinks deliver the top part at once, synchronously. */
void uploader_deliver_local(struct uploader *u, struct sink_rt *s);

/* uploader_batch.c: the next try after a failure, with backoff. */
void uploader_schedule_retry(struct uploader *u, struct sink_rt *s, int64_t retry_after_ms);
/* The top part was delivered. */
void uploader_part_done(struct uploader *u, struct sink_rt *s);
/* Loads the next batch past the cursor, if any. true when there is work. */
bool uploader_next_batch(struct uploader *u, struct sink_rt *s);
/* The HTTP answer for the top part: done, split, dead-lettered or retried. */
void uploader_http_finished(struct uploader *u, struct sink_rt *s, CURLcode cc);
