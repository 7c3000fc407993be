/* uploader_batch.c: each sink's batch past its cursor: answers judged, parts split, retries backed off, dead letters, the cursor advanced. */
#include "upstream/uploader.h"

#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "upstream/spool.h"
#include "upstream/uploader_internal.h"

#define RETRY_AFTER_MAX_MS (3600 * 1000)

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

void uploader_schedule_retry(struct uploader *u, struct sink_rt *s, int64_t retry_after_ms)
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
		uploader_set_error(s, "cursor: %s", strerror(-r));
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

void uploader_part_done(struct uploader *u, struct sink_rt *s)
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
		uploader_set_error(s, "dead letter: %s", strerror(-r));
		uploader_schedule_retry(u, s, -1);
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
bool uploader_next_batch(struct uploader *u, struct sink_rt *s)
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
			uploader_set_error(s, "%s", why);
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
			uploader_set_error(s, "%s", why);
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

void uploader_http_finished(struct uploader *u, struct sink_rt *s, CURLcode cc)
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
		uploader_part_done(u, s);
		break;
	case VERDICT_SPLIT:
		uploader_set_error(s, "HTTP 413 for %zu events: splitting", events);
		part_split(s);
		break;
	case VERDICT_DEAD_LETTER: {
		char reason[300];
		snprintf(reason, sizeof(reason), "HTTP %ld: %s", status, body);
		uploader_set_error(s, "batch %" PRIu64 " refused, dead-lettered: %s", s->batch.seq, reason);
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
			uploader_set_error(s, "%s: %s", s->cfg->url, s->curl_err[0] ? s->curl_err : curl_easy_strerror(cc));
		else
			uploader_set_error(s, "%s: HTTP %ld %s", s->cfg->url, status, body);
		uploader_schedule_retry(u, s, cc == CURLE_OK ? s->retry_after_ms : -1);
		break;
	}
}
