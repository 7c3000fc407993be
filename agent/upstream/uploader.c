/* uploader.c: the delivery loop: sets the sinks up, starts each one's next batch, waits on transfers, notifications and signals, writes uploader.json. */
#include "upstream/uploader.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "report/jsonw.h"
#include "upstream/atomic_file.h"
#include "upstream/spool.h"
#include "upstream/uploader_internal.h"

void uploader_free(struct uploader *u)
{
	if (!u)
		return;
	for (size_t i = 0; i < u->n_sinks; i++) {
		if (u->sinks[i].in_flight)
			curl_multi_remove_handle(u->multi, u->sinks[i].h);
		uploader_sink_free(&u->sinks[i]);
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
			r = uploader_sink_init(&u->sinks[i], &o->sinks[i], err, errlen);
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
			if (s->in_flight || now_ms() < s->next_try_ms || !uploader_next_batch(u, s))
				break;
			if (s->cfg->type == SINK_FILE || s->cfg->type == SINK_SYSLOG) {
				uploader_deliver_local(u, s);
				continue;
			}
			if (uploader_start_http(u, s) < 0)
				uploader_schedule_retry(u, s, -1);
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
				uploader_http_finished(u, &u->sinks[i], m->data.result);
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
