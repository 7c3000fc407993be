/* daemon.c: `dockward daemon`'s event loop: Docker events, timers, findings state, spooling of changes. */
#include "daemon/daemon.h"

#include <curl/curl.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "daemon/engine.h"
#include "daemon/finding_state.h"
#include "daemon/sd_notify.h"
#include "docker/events_async.h"
#include "log.h"
#include "report/jsonw.h"
#include "upstream/atomic_file.h"
#include "upstream/ocsf.h"
#include "upstream/spool.h"

#define MAX_QUEUED 4096
#define TARGET_DEBOUNCE_MS 300

struct target {
	int type;               /* OBJECT_CONTAINER or OBJECT_IMAGE */
	char id[160];
};

struct daemon {
	struct daemon_options *o;
	struct config *cfg;
	struct docker_client *dc;
	CURLM *multi;
	struct docker_events_stream *events;
	struct docker_event_parser parser;
	struct daemon_engine engines[DAEMON_N_ENGINES];
	struct finding_state state;
	struct spool spool;
	struct ocsf_context ocsf;
	struct buf pending;
	size_t pending_events;
	int pending_max_sev;
	int64_t pending_since_ms;
	struct target queue[MAX_QUEUED];
	size_t n_queue;
	int64_t queue_due_ms;
	bool stop;
	bool docker_up, ever_up;
	unsigned reconnect_attempt;
	int64_t next_reconnect_ms, next_full_ms, next_heartbeat_ms, next_status_ms, next_engine_poll_ms;
	int64_t last_event_time;        /* seconds, to resume the stream without a gap */
	bool first_full_pending;
	bool once_done;                 /* --once: the full evaluation has run */
	bool stream_dead[DAEMON_N_ENGINES];     /* a streaming engine that could not start or failed */
	bool status_dirty;
	char state_path[PATH_MAX], status_path[PATH_MAX];
	/* for `dockward status` */
	int64_t started_ms, last_full_ms, last_targeted_ms, last_scan_ms, last_spool_ms, last_heartbeat_ms;
	uint64_t events_seen, targeted_runs, full_runs, reconnects, spool_errors, events_spooled;
	char docker_error[256], docker_version[64];
	char last_engine_error[320];
};

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

uint64_t daemon_reconnect_delay_ms(unsigned attempt)
{
	uint64_t d = 1000;
	for (unsigned i = 1; i < attempt && d < 30000; i++)
		d *= 2;
	return d > 30000 ? 30000 : d;
}

/* ---- spooling ---- */

static void notify_uploader(struct daemon *d)
{
	if (d->o->notify_fd >= 0) {
		char b = 1;
		/* non-blocking: a full socket already means "look again" */
		if (write(d->o->notify_fd, &b, 1) < 0 && errno != EAGAIN)
			log_debug("daemon: uploader notification: %s", strerror(errno));
	}
}

static void flush_pending(struct daemon *d)
{
	if (!d->pending_events)
		return;
	char err[512] = "";
	int r = spool_append(&d->spool, d->pending.data, d->pending.len, d->pending_events, d->pending_max_sev, err,
			     sizeof(err));
	if (r < 0) {
		d->spool_errors++;
		log_error("daemon: %s", err);
		/* -EFBIG: dropped and counted; others (disk full): keep the events and
		 * try again a flush interval later */
		if (r != -EFBIG) {
			d->pending_since_ms = now_ms();
			d->status_dirty = true;
			return;
		}
	} else {
		d->events_spooled += d->pending_events;
	}
	d->last_spool_ms = now_ms();
	buf_reset(&d->pending);
	d->pending_events = 0;
	d->pending_max_sev = 0;
	d->status_dirty = true;
	notify_uploader(d);
}

static int queue_event(struct daemon *d, const char *json, size_t len, int severity)
{
	if (!d->pending_events)
		d->pending_since_ms = now_ms();
	if (d->pending.len + len + 1 > SPOOL_MAX_BATCH_BYTES / 2)
		flush_pending(d);
	size_t old_len = d->pending.len;
	int r = buf_append(&d->pending, json, len);
	if (!r)
		r = buf_append(&d->pending, "\n", 1);
	if (r < 0) {
		/* the spool cannot take anything (disk full) and memory holds no more: counted, reported */
		d->pending.len = old_len;
		if (d->pending.data)
			d->pending.data[old_len] = '\0';
		d->spool.dropped_events++;
		d->status_dirty = true;
		return 0;
	}
	d->pending_events++;
	if (severity > d->pending_max_sev)
		d->pending_max_sev = severity;
	if (d->pending_events >= d->cfg->upstream_batch_events || d->pending.len >= SPOOL_MAX_BATCH_BYTES / 2)
		flush_pending(d);
	return 0;
}

static int on_change(void *user, const struct finding_state_change *c)
{
	struct daemon *d = user;
	struct buf ev;
	buf_init(&ev, SPOOL_MAX_BATCH_BYTES / 4);
	int r = ocsf_finding_event(&d->ocsf, c, now_ms(), &ev);
	if (!r)
		r = queue_event(d, ev.data, ev.len, c->f->severity);
	buf_free(&ev);
	d->status_dirty = true;
	return r;
}

/* ---- engines ---- */

static int on_finding(void *user, const struct finding *f)
{
	struct daemon *d = user;
	return finding_state_report(&d->state, f, now_ms());
}

static void on_not_evaluated(void *user, const char *rule_id)
{
	struct daemon *d = user;
	finding_state_keep_rule(&d->state, rule_id);
}

static void on_object_not_evaluated(void *user, enum finding_object type, const char *object_id)
{
	struct daemon *d = user;
	finding_state_keep_object(&d->state, type, object_id);
}

static void run_engine(struct daemon *d, struct daemon_engine *e, int object_type, const char *object_id)
{
	if (!e->ctx || !e->evaluate)
		return;
	struct finding_sink sink = { .emit = on_finding, .not_evaluated = on_not_evaluated,
				     .object_not_evaluated = on_object_not_evaluated, .user = d };
	bool full = object_id == NULL;
	char err[256] = "";
	int r = finding_state_begin(&d->state, e->name, object_type, object_id, full && d->first_full_pending);
	if (!r)
		r = e->evaluate(e->ctx, d->dc, object_type, object_id, &sink, err, sizeof(err));
	if (r < 0) {
		/* an evaluation that failed proves nothing: nothing is resolved by it */
		finding_state_begin(&d->state, "", -1, NULL, false);
		finding_state_end(&d->state, now_ms());
		snprintf(d->last_engine_error, sizeof(d->last_engine_error), "%s: %s", e->name,
			 err[0] ? err : strerror(-r));
		log_warning("daemon: %s", d->last_engine_error);
		return;
	}
	finding_state_end(&d->state, now_ms());
	if (strcmp(e->name, "scan") == 0)
		d->last_scan_ms = now_ms();
}

static void save_state(struct daemon *d)
{
	char err[512];
	if (finding_state_save(&d->state, d->state_path, err, sizeof(err)) < 0)
		log_error("daemon: saving findings: %s", err);
}

static void full_evaluation(struct daemon *d)
{
	for (int i = 0; i < DAEMON_N_ENGINES; i++)
		run_engine(d, &d->engines[i], -1, NULL);
	d->first_full_pending = false;
	d->once_done = d->o->once;
	d->full_runs++;
	d->last_full_ms = now_ms();
	d->next_full_ms = d->last_full_ms + (int64_t)d->cfg->audit_interval_ms;
	save_state(d);
	flush_pending(d);
	d->status_dirty = true;
}

static void run_targets(struct daemon *d)
{
	for (size_t q = 0; q < d->n_queue; q++) {
		struct target *t = &d->queue[q];
		for (int i = 0; i < DAEMON_N_ENGINES; i++)
			if (d->engines[i].handles_object == t->type)
				run_engine(d, &d->engines[i], t->type, t->id);
		d->targeted_runs++;
	}
	if (d->n_queue) {
		d->last_targeted_ms = now_ms();
		save_state(d);
		d->status_dirty = true;
	}
	d->n_queue = 0;
}

static void enqueue(struct daemon *d, int type, const char *id)
{
	if (!id || !*id)
		return;
	for (size_t i = 0; i < d->n_queue; i++)
		if (d->queue[i].type == type && strcmp(d->queue[i].id, id) == 0)
			return;
	if (d->n_queue == MAX_QUEUED) {
		/* a storm of events: a full evaluation covers all of them */
		d->n_queue = 0;
		d->next_full_ms = 0;
		return;
	}
	d->queue[d->n_queue].type = type;
	snprintf(d->queue[d->n_queue].id, sizeof(d->queue[d->n_queue].id), "%s", id);
	d->n_queue++;
	d->queue_due_ms = now_ms() + TARGET_DEBOUNCE_MS;
}

/* Image events name a reference ("busybox:1" for a pull) or an id; findings
 * are about ids, so a reference is looked up first. */
static void enqueue_image(struct daemon *d, const char *ref)
{
	if (strncmp(ref, "sha256:", 7) == 0) {
		enqueue(d, OBJECT_IMAGE, ref);
		return;
	}
	struct docker_image img = { 0 };
	if (docker_inspect_image(d->dc, ref, &img) == 0) {
		enqueue(d, OBJECT_IMAGE, img.id);
		docker_image_free(&img);
	}
}

static bool action_is(const char *action, const char *const *list)
{
	for (; *list; list++) {
		size_t n = strlen(*list);
		/* "exec_start: sh" style actions carry a suffix after ':' */
		if (strncmp(action, *list, n) == 0 && (action[n] == '\0' || action[n] == ':'))
			return true;
	}
	return false;
}

static int on_docker_event(const struct docker_event *ev, void *user)
{
	static const char *const container_changed[] = { "create", "start", "update", "restart", "unpause", NULL };
	static const char *const container_gone[] = { "destroy", NULL };
	static const char *const image_changed[] = { "pull", "import", "load", "build", "tag", NULL };
	static const char *const image_gone[] = { "delete", NULL };
	struct daemon *d = user;
	d->events_seen++;
	if (ev->time > d->last_event_time)
		d->last_event_time = ev->time;
	d->status_dirty = true;
	if (strcmp(ev->type, "container") == 0) {
		if (action_is(ev->action, container_changed))
			enqueue(d, OBJECT_CONTAINER, ev->actor_id);
		else if (action_is(ev->action, container_gone))
			finding_state_close_object(&d->state, OBJECT_CONTAINER, ev->actor_id, now_ms());
	} else if (strcmp(ev->type, "image") == 0) {
		if (action_is(ev->action, image_changed))
			enqueue_image(d, ev->actor_id);
		else if (action_is(ev->action, image_gone))
			finding_state_close_object(&d->state, OBJECT_IMAGE, ev->actor_id, now_ms());
	}
	return 0;
}

/* ---- Docker connection ---- */

static void docker_down(struct daemon *d, const char *why)
{
	if (d->events) {
		curl_multi_remove_handle(d->multi, docker_events_stream_handle(d->events));
		docker_events_stream_free(d->events);
		d->events = NULL;
	}
	if (d->docker_up)
		log_warning("daemon: lost the Docker engine: %s", why);
	snprintf(d->docker_error, sizeof(d->docker_error), "%s", why);
	d->docker_up = false;
	d->reconnect_attempt++;
	d->next_reconnect_ms = now_ms() + (int64_t)daemon_reconnect_delay_ms(d->reconnect_attempt);
	d->status_dirty = true;
	d->next_heartbeat_ms = 0;
}

/* Streaming engines (the runtime probes) start once Docker is reachable; one
 * that cannot (no privilege, no BTF) says why and is not tried again. */
static void start_streams(struct daemon *d)
{
	for (int i = 0; i < DAEMON_N_ENGINES; i++) {
		struct daemon_engine *e = &d->engines[i];
		char err[256] = "";
		if (!e->ctx || !e->stream_start || d->stream_dead[i])
			continue;
		int r = e->stream_start(e->ctx, d->dc, err, sizeof(err));
		if (r < 0) {
			d->stream_dead[i] = true;
			snprintf(e->status, sizeof(e->status), "not available: %.120s", err[0] ? err : strerror(-r));
			log_warning("daemon: %s: %s", e->name, e->status);
		}
	}
}

static void docker_connect(struct daemon *d)
{
	docker_event_parser_free(&d->parser);
	docker_event_parser_init(&d->parser, on_docker_event, d);
	/* resume where the last stream stopped so that no event falls in the gap */
	int64_t since = d->last_event_time ? d->last_event_time : (int64_t)time(NULL);
	int r = docker_events_stream_new(d->dc, since, NULL, &d->parser, &d->events);
	if (r < 0) {
		docker_down(d, docker_client_error(d->dc));
		return;
	}
	if (curl_multi_add_handle(d->multi, docker_events_stream_handle(d->events)) != CURLM_OK) {
		docker_down(d, "libcurl refused the events transfer");
		return;
	}
	struct docker_version v = { 0 };
	if (docker_get_version(d->dc, &v) == 0) {
		snprintf(d->docker_version, sizeof(d->docker_version), "%s", v.version ? v.version : "");
		docker_version_free(&v);
	}
	if (d->ever_up)
		d->reconnects++;
	log_info("daemon: connected to the Docker engine at %s (API %s)", docker_client_host(d->dc),
		 docker_client_api_version(d->dc));
	d->docker_up = d->ever_up = true;
	d->reconnect_attempt = 0;
	d->docker_error[0] = '\0';
	d->status_dirty = true;
	start_streams(d);
	/* whatever happened while we were away: evaluate everything */
	full_evaluation(d);
	d->next_heartbeat_ms = 0;
}

/* ---- heartbeat and status ---- */

static void heartbeat(struct daemon *d)
{
	struct ocsf_engine_status es[DAEMON_N_ENGINES];
	for (int i = 0; i < DAEMON_N_ENGINES; i++) {
		es[i].name = d->engines[i].name;
		es[i].status = d->engines[i].status;
	}
	struct ocsf_heartbeat hb = { .docker_reachable = d->docker_up, .engines = es, .n_engines = DAEMON_N_ENGINES };
	struct docker_info info = { 0 };
	bool have_info = d->docker_up && docker_get_info(d->dc, &info) == 0;
	if (have_info) {
		hb.docker_version = info.server_version;
		hb.os_name = info.operating_system;
		hb.kernel_version = info.kernel_version;
		hb.images = info.images > 0 ? (size_t)info.images : 0;
		hb.containers = info.containers > 0 ? (size_t)info.containers : 0;
		hb.running = info.containers_running > 0 ? (size_t)info.containers_running : 0;
	}
	hb.api_version = docker_client_api_version(d->dc);
	finding_state_counts(&d->state, hb.open_findings);
	hb.dropped_events = d->spool.dropped_events;
	spool_usage(d->spool.dir, &hb.spool_bytes, &hb.spool_batches);
	struct buf ev;
	buf_init(&ev, 1 << 20);
	if (ocsf_heartbeat_event(&d->ocsf, &hb, now_ms(), &ev) == 0)
		queue_event(d, ev.data, ev.len, SEVERITY_INFO);
	buf_free(&ev);
	if (have_info)
		docker_info_free(&info);
	d->last_heartbeat_ms = now_ms();
	d->next_heartbeat_ms = d->last_heartbeat_ms + (int64_t)d->cfg->upstream_heartbeat_ms;
}

static void write_status(struct daemon *d)
{
	struct jsonw w;
	if (jsonw_init(&w, true) < 0)
		return;
	size_t counts[FINDING_N_CLASSES];
	finding_state_counts(&d->state, counts);
	uint64_t bytes = 0, batches = 0;
	spool_usage(d->spool.dir, &bytes, &batches);
	jsonw_obj_begin(&w);
	jsonw_kint(&w, "pid", getpid());
	jsonw_kstr(&w, "version", DOCKWARD_VERSION);
	jsonw_kint(&w, "started_ms", d->started_ms);
	jsonw_kint(&w, "updated_ms", now_ms());
	jsonw_kstr(&w, "config", d->cfg->source);
	jsonw_str(&w, "docker");
	jsonw_obj_begin(&w);
	jsonw_kstr(&w, "host", docker_client_host(d->dc));
	jsonw_kbool(&w, "connected", d->docker_up);
	jsonw_kstr(&w, "version", d->docker_version);
	jsonw_kstr(&w, "api_version", docker_client_api_version(d->dc));
	jsonw_kstr(&w, "error", d->docker_error);
	jsonw_kint(&w, "reconnects", (int64_t)d->reconnects);
	jsonw_kint(&w, "next_reconnect_ms", d->docker_up ? 0 : d->next_reconnect_ms);
	jsonw_kint(&w, "events_seen", (int64_t)d->events_seen);
	jsonw_kint(&w, "bad_events", (int64_t)d->parser.bad_events);
	jsonw_obj_end(&w);
	jsonw_str(&w, "engines");
	jsonw_obj_begin(&w);
	for (int i = 0; i < DAEMON_N_ENGINES; i++)
		jsonw_kstr(&w, d->engines[i].name, d->engines[i].status);
	jsonw_obj_end(&w);
	jsonw_kstr(&w, "last_engine_error", d->last_engine_error);
	jsonw_kint(&w, "last_full_audit_ms", d->last_full_ms);
	jsonw_kint(&w, "next_full_audit_ms", d->next_full_ms);
	jsonw_kint(&w, "last_targeted_ms", d->last_targeted_ms);
	jsonw_kint(&w, "last_scan_ms", d->last_scan_ms);
	jsonw_kint(&w, "full_runs", (int64_t)d->full_runs);
	jsonw_kint(&w, "targeted_runs", (int64_t)d->targeted_runs);
	jsonw_kint(&w, "queued_targets", (int64_t)d->n_queue);
	jsonw_str(&w, "findings");
	jsonw_obj_begin(&w);
	for (int c = 0; c < FINDING_N_CLASSES; c++)
		jsonw_kint(&w, finding_class_name((enum finding_class)c), (int64_t)counts[c]);
	jsonw_kint(&w, "raised", (int64_t)d->state.raised);
	jsonw_kint(&w, "updated", (int64_t)d->state.updated);
	jsonw_kint(&w, "resolved", (int64_t)d->state.resolved);
	jsonw_obj_end(&w);
	jsonw_str(&w, "spool");
	jsonw_obj_begin(&w);
	jsonw_kstr(&w, "dir", d->spool.dir);
	jsonw_kint(&w, "bytes", (int64_t)bytes);
	jsonw_kint(&w, "batches", (int64_t)batches);
	jsonw_kint(&w, "cap_bytes", (int64_t)d->spool.cap_bytes);
	jsonw_kint(&w, "pending_events", (int64_t)d->pending_events);
	jsonw_kint(&w, "events_spooled", (int64_t)d->events_spooled);
	jsonw_kint(&w, "dropped_events", (int64_t)d->spool.dropped_events);
	jsonw_kint(&w, "write_errors", (int64_t)d->spool_errors);
	jsonw_kint(&w, "last_append_ms", d->last_spool_ms);
	jsonw_obj_end(&w);
	jsonw_kint(&w, "last_heartbeat_ms", d->last_heartbeat_ms);
	jsonw_kint(&w, "uploader_pid", d->o->uploader_pid);
	jsonw_obj_end(&w);
	size_t len;
	const char *text = jsonw_text(&w, &len);
	if (!w.status && atomic_file_write(d->status_path, text, len, 0644) == 0)
		d->status_dirty = false;
	jsonw_free(&w);
	d->next_status_ms = now_ms() + 1000;
}

/* ---- signals ---- */

static void reload(struct daemon *d)
{
	char err[512] = "";
	sd_notify_send("RELOADING=1");
	if (!d->o->reload || d->o->reload(d->o, err, sizeof(err)) < 0) {
		log_error("daemon: reload refused, keeping the running configuration: %s", err);
		sd_notify_send("READY=1\nSTATUS=reload refused; running the previous configuration");
		return;
	}
	d->cfg = d->o->cfg;
	daemon_engines_free(d->engines);
	if (daemon_engines_init(d->cfg, d->engines, err, sizeof(err)) < 0)
		log_error("daemon: engines after reload: %s", err);
	memset(d->stream_dead, 0, sizeof(d->stream_dead));
	if (d->docker_up)
		start_streams(d);
	d->spool.cap_bytes = d->cfg->upstream_spool_max_bytes;
	d->next_full_ms = 0;            /* new rules: evaluate again */
	d->next_heartbeat_ms = 0;
	d->status_dirty = true;
	log_info("daemon: configuration reloaded from %s", d->cfg->source);
	sd_notify_send("READY=1\nSTATUS=configuration reloaded");
}

static void handle_signals(struct daemon *d)
{
	struct signalfd_siginfo si;
	while (read(d->o->signal_fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGHUP)
			reload(d);
		else
			d->stop = true;
	}
}

/* ---- the loop ---- */

static void handle_streams(struct daemon *d)
{
	struct finding_sink sink = { .emit = on_finding, .user = d };
	for (int i = 0; i < DAEMON_N_ENGINES; i++) {
		struct daemon_engine *e = &d->engines[i];
		if (!e->ctx || !e->stream_handle || d->stream_dead[i] || e->stream_fd(e->ctx) < 0)
			continue;
		uint64_t before = d->state.raised + d->state.updated;
		char err[256] = "";
		int r = e->stream_handle(e->ctx, &sink, err, sizeof(err));
		if (r < 0) {
			d->stream_dead[i] = true;
			snprintf(e->status, sizeof(e->status), "failed: %.140s", err[0] ? err : strerror(-r));
			log_error("daemon: %s %s", e->name, e->status);
		}
		if (d->state.raised + d->state.updated != before)
			save_state(d);
	}
}

static void handle_transfers(struct daemon *d)
{
	int running;
	curl_multi_perform(d->multi, &running);
	CURLMsg *m;
	int left;
	while ((m = curl_multi_info_read(d->multi, &left))) {
		if (m->msg != CURLMSG_DONE || !d->events || m->easy_handle != docker_events_stream_handle(d->events))
			continue;
		CURLcode cc = m->data.result;
		curl_multi_remove_handle(d->multi, m->easy_handle);
		docker_events_stream_finish(d->dc, d->events, (int)cc);
		docker_events_stream_free(d->events);
		d->events = NULL;
		docker_down(d, docker_client_error(d->dc));
		break;
	}
}

static int64_t next_deadline(const struct daemon *d)
{
	int64_t t = d->status_dirty ? d->next_status_ms : d->next_status_ms + 29000;
	if (!d->docker_up && d->next_reconnect_ms < t)
		t = d->next_reconnect_ms;
	if (d->docker_up && d->next_full_ms < t)
		t = d->next_full_ms;
	if (d->docker_up && d->next_engine_poll_ms < t)
		t = d->next_engine_poll_ms;
	if (d->next_heartbeat_ms < t)
		t = d->next_heartbeat_ms;
	if (d->n_queue && d->queue_due_ms < t)
		t = d->queue_due_ms;
	if (d->pending_events && d->pending_since_ms + (int64_t)d->cfg->upstream_flush_ms < t)
		t = d->pending_since_ms + (int64_t)d->cfg->upstream_flush_ms;
	return t;
}

static int daemon_setup(struct daemon *d, struct daemon_options *o, char *err, size_t errlen)
{
	d->o = o;
	d->cfg = o->cfg;
	d->started_ms = now_ms();
	d->first_full_pending = true;
	d->ocsf.host_name = o->host_name;
	d->ocsf.host_id = o->host_id;
	buf_init(&d->pending, SPOOL_MAX_BATCH_BYTES);
	docker_event_parser_init(&d->parser, on_docker_event, d);
	snprintf(d->state_path, sizeof(d->state_path), "%s/findings.state", d->cfg->state_dir);
	snprintf(d->status_path, sizeof(d->status_path), "%s/status.json", d->cfg->state_dir);
	int r = mkdir_p(d->cfg->state_dir, 0755);
	if (r < 0) {
		snprintf(err, errlen, "%s: %s", d->cfg->state_dir, strerror(-r));
		return r;
	}
	r = spool_open(&d->spool, d->cfg->upstream_spool_dir, d->cfg->upstream_spool_max_bytes, o->spool_uid,
		       o->spool_gid, err, errlen);
	if (r < 0)
		return r;
	r = finding_state_init(&d->state, o->host_id, on_change, d);
	if (r < 0)
		return r;
	char why[512];
	r = finding_state_load(&d->state, d->state_path, why, sizeof(why));
	if (r < 0) {
		/* a damaged state only costs re-sent findings: start afresh */
		log_warning("daemon: %s; starting with no remembered findings", why);
		finding_state_free(&d->state);
		r = finding_state_init(&d->state, o->host_id, on_change, d);
		if (r < 0)
			return r;
	}
	r = daemon_engines_init(d->cfg, d->engines, err, errlen);
	if (r < 0)
		return r;
	d->multi = curl_multi_init();
	d->dc = o->make_client(d->cfg, o->make_client_user);
	if (!d->multi || !d->dc) {
		snprintf(err, errlen, "cannot set up the Docker client");
		return -ENOMEM;
	}
	return 0;
}

static void daemon_teardown(struct daemon *d)
{
	if (d->events) {
		curl_multi_remove_handle(d->multi, docker_events_stream_handle(d->events));
		docker_events_stream_free(d->events);
	}
	if (d->multi)
		curl_multi_cleanup(d->multi);
	docker_client_free(d->dc);
	docker_event_parser_free(&d->parser);
	daemon_engines_free(d->engines);
	finding_state_free(&d->state);
	spool_close(&d->spool);
	buf_free(&d->pending);
}

int daemon_run(struct daemon_options *o, char *err, size_t errlen)
{
	struct daemon *d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	int r = daemon_setup(d, o, err, errlen);
	if (r < 0)
		goto out;
	docker_connect(d);
	if (!d->docker_up && o->once) {
		snprintf(err, errlen, "%s", d->docker_error);
		r = -EHOSTDOWN;
		goto out;
	}
	if (!d->docker_up)
		log_warning("daemon: Docker engine not reachable (%s); retrying", d->docker_error);
	sd_notify_send("READY=1\nSTATUS=running");
	while (!d->stop) {
		int64_t now = now_ms();
		if (!d->docker_up && now >= d->next_reconnect_ms)
			docker_connect(d);
		if (d->docker_up && now >= d->next_engine_poll_ms) {
			/* e.g. a new vulnerability database: every image is matched again */
			for (int i = 0; i < DAEMON_N_ENGINES; i++)
				if (d->engines[i].ctx && d->engines[i].wants_full_run &&
				    d->engines[i].wants_full_run(d->engines[i].ctx)) {
					log_info("daemon: %s asks for a full run", d->engines[i].name);
					d->next_full_ms = now;
				}
			d->next_engine_poll_ms = now + 60000;
		}
		if (d->docker_up && now >= d->next_full_ms)
			full_evaluation(d);
		if (d->n_queue && now >= d->queue_due_ms && d->docker_up)
			run_targets(d);
		if (d->pending_events && now >= d->pending_since_ms + (int64_t)d->cfg->upstream_flush_ms)
			flush_pending(d);
		if (now >= d->next_heartbeat_ms)
			heartbeat(d);
		/* at most once a second when something changed, else twice a minute */
		if ((d->status_dirty && now >= d->next_status_ms) || now >= d->next_status_ms + 29000)
			write_status(d);
		if (d->once_done)
			break;      /* the heartbeat above went with it */
		int64_t wait = next_deadline(d) - now_ms();
		if (wait < 0)
			wait = 0;
		if (wait > 60000)
			wait = 60000;
		struct curl_waitfd extra[1 + DAEMON_N_ENGINES];
		unsigned n_extra = 0;
		if (o->signal_fd >= 0)
			extra[n_extra++] = (struct curl_waitfd){ .fd = o->signal_fd, .events = CURL_WAIT_POLLIN };
		for (int i = 0; i < DAEMON_N_ENGINES; i++) {
			struct daemon_engine *e = &d->engines[i];
			if (!e->ctx || !e->stream_fd || d->stream_dead[i] || e->stream_fd(e->ctx) < 0)
				continue;
			extra[n_extra++] = (struct curl_waitfd){ .fd = e->stream_fd(e->ctx), .events = CURL_WAIT_POLLIN };
			int t = e->stream_timeout_ms(e->ctx);
			if (t >= 0 && t < wait)
				wait = t;
		}
		int numfds;
		curl_multi_poll(d->multi, extra, n_extra, (int)wait, &numfds);
		if (o->signal_fd >= 0 && extra[0].revents)
			handle_signals(d);
		handle_streams(d);
		handle_transfers(d);
	}
	sd_notify_send("STOPPING=1");
	/* a clean stop: nothing held in memory is lost */
	flush_pending(d);
	save_state(d);
	write_status(d);
	log_info("daemon: stopped");
out:
	daemon_teardown(d);
	free(d);
	return r;
}
