/* engine.c: the runtime detection engine: kernel events and Docker events in one epoll set, rules, alerts. */
#include "runtime/engine.h"

#include <curl/curl.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "docker/events_async.h"
#include "snapshot.h"

#define PROC_CACHE 512
#define RECONNECT_MS 2000
/* after the runtime created a container it may take this long to start (and its start event to come) */
#define STARTING_MS 10000
#define CREATED_IDS 32

struct proc_entry {
	uint32_t tgid;
	char exe[RT_PATH_LEN + 1];
};

struct last_alert {
	uint32_t tgid;
	int64_t at_ns;
	char path[RT_PATH_LEN + 1];
};

struct rt_engine {
	struct rt_engine_options o;
	struct docker_client *dc;
	struct rt_probes *probes;
	struct rt_rule_status *status;
	bool *active;
	uint64_t *per_rule;
	struct last_alert *last;
	struct rt_containers containers;
	int epfd, probes_fd;
	int64_t boot_to_real;
	/* Docker events */
	CURLM *multi;
	struct docker_events_stream *stream;
	struct docker_event_parser parser;
	int64_t curl_deadline_ms;       /* -1 none */
	int64_t reconnect_at_ms;        /* 0 none */
	int64_t last_event_time;
	bool syscalls_always;           /* host tasks are watched too: never detach */
	int64_t syscalls_since_ms;      /* when the per-syscall probes were last attached */
	int64_t starting_until_ms;      /* a covered container is being created until then */
	char created[CREATED_IDS][RT_CONTAINER_ID_LEN + 1];    /* covered containers created lately */
	size_t created_next;
	int fatal;
	char fatal_err[256];
	struct proc_entry procs[PROC_CACHE];
	size_t proc_next;
	struct rt_engine_stats st;
};

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t now_real_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

void rt_rules_status(const struct rt_ruleset *rules, struct rt_rule_status *out)
{
	struct rt_probe_support sup;
	rt_probes_support(&sup);
	for (size_t i = 0; i < rules->n; i++) {
		const struct rt_rule *r = &rules->rules[i];
		memset(&out[i], 0, sizeof(out[i]));
		if (!r->enabled) {
			out[i].state = RT_RULE_DISABLED;
			snprintf(out[i].reason, sizeof(out[i].reason), "disabled (enabled = false)");
		} else if (r->event < RT_EV__COUNT && !sup.event[r->event]) {
			out[i].state = RT_RULE_UNAVAILABLE;
			snprintf(out[i].reason, sizeof(out[i].reason), "not evaluable: %s", sup.reason[r->event]);
		}
	}
}

/* ---- containers ---- */

static bool wanted_container(const struct rt_engine *e, const struct rt_container *c, const char *id)
{
	if (!e->o.containers)
		return true;
	if (c && fnmatch(e->o.containers, c->name, 0) == 0)
		return true;
	return id && id[0] && (fnmatch(e->o.containers, id, 0) == 0 ||
			       strncmp(id, e->o.containers, strlen(e->o.containers)) == 0);
}

static struct rt_container *refresh_container(struct rt_engine *e, const char *id)
{
	struct docker_container dc;
	if (docker_inspect_container(e->dc, id, &dc) < 0)
		return NULL;
	int r = rt_containers_upsert(&e->containers, &dc, e->o.host_root ? e->o.host_root : "");
	docker_container_free(&dc);
	if (r < 0)
		return NULL;
	struct rt_container *c = rt_containers_find(&e->containers, id);
	if (c && e->o.posture)
		e->o.posture(c, e->o.posture_user);
	return c;
}

static void raise_alert(struct rt_engine *e, size_t rule_idx, const struct rt_container *c, const char *cid,
			const struct rt_event_view *v, const char *cmdline)
{
	const struct rt_rule *r = &e->o.rules->rules[rule_idx];
	int64_t now = now_real_ns();
	if (v) {
		/* the same process doing the same thing again within a second is one alert */
		struct last_alert *l = &e->last[rule_idx];
		if (l->tgid == v->ev->tgid && now - l->at_ns < 1000000000LL &&
		    strcmp(l->path, v->path) == 0) {
			e->st.suppressed++;
			return;
		}
		l->tgid = v->ev->tgid;
		l->at_ns = now;
		snprintf(l->path, sizeof(l->path), "%s", v->path);
	}
	struct rt_alert a = {
		.rule = r,
		.time_ns = v ? (int64_t)v->ev->ts_boot_ns + e->boot_to_real : now,
		.container = c,
		.container_id = cid ? cid : "",
		.view = v,
		.cmdline = cmdline ? cmdline : "",
	};
	e->st.alerts++;
	e->per_rule[rule_idx]++;
	e->o.on_alert(&a, e->o.alert_user);
}

static void launch_rules(struct rt_engine *e, const struct rt_container *c)
{
	if (!wanted_container(e, c, c->id))
		return;
	for (size_t i = 0; i < e->o.rules->n; i++)
		if (e->active[i] && rt_rule_match_launch(&e->o.rules->rules[i], &c->posture, c->image, c->name))
			raise_alert(e, i, c, c->id, NULL, NULL);
}

/* ---- the per-syscall probes, attached only while there is something to watch ---- */

static size_t covered_running(const struct rt_engine *e)
{
	size_t n = 0;
	for (size_t i = 0; i < e->containers.n; i++) {
		const struct rt_container *c = &e->containers.v[i];
		if (c->pid > 0 && wanted_container(e, c, c->id))
			n++;
	}
	return n;
}

/* Any syscalls:* tracepoint puts every task of the host on the kernel's syscall-tracing slow
 * path. They are attached while a covered container runs, and from the moment the container
 * runtime execs on the host to create one of ours — before its workload runs; its start event
 * comes only after that — until it runs, or STARTING_MS later. */
static void update_syscall_probes(struct rt_engine *e)
{
	if (!e->probes || !rt_probes_has_syscalls(e->probes))
		return;
	bool want = e->syscalls_always || covered_running(e) > 0 || now_ms() < e->starting_until_ms;
	if (want == rt_probes_syscalls_on(e->probes))
		return;
	if (rt_probes_set_syscalls(e->probes, want) < 0)
		e->st.syscall_attach_errors++;
	if (want) {
		e->st.syscall_attaches++;
		e->syscalls_since_ms = now_ms();
	} else {
		e->st.syscall_attached_ms += now_ms() - e->syscalls_since_ms;
	}
}

/* The runtime creates a container: one of ours (known, or created lately by our engine; not
 * asked for now: the engine is busy starting it) must find the probes attached when its
 * first process runs. */
static void on_runtime_note(const struct rt_note *n, void *user)
{
	struct rt_engine *e = user;
	char id[RT_CONTAINER_ID_LEN + 1];
	if (rt_runtime_created_id(n, id) < 0)
		return;     /* not a command that creates a Docker container */
	struct rt_container *c = rt_containers_find(&e->containers, id);
	bool ours = c && wanted_container(e, c, c->id);
	for (size_t i = 0; i < CREATED_IDS && !ours; i++)
		ours = strcmp(e->created[i], id) == 0;
	if (!ours)
		return;     /* another engine's, or not covered */
	e->starting_until_ms = now_ms() + STARTING_MS;
	uint64_t before = e->st.syscall_attaches;
	update_syscall_probes(e);
	if (e->st.syscall_attaches != before) {
		/* from the runtime's exec to the programs attached: the race with the workload's start */
		struct timespec ts;
		clock_gettime(CLOCK_BOOTTIME, &ts);
		int64_t lag = ((int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec - (int64_t)n->ts_boot_ns) / 1000;
		if (lag > e->st.syscall_attach_lag_us_max)
			e->st.syscall_attach_lag_us_max = lag;
	}
}

static int on_docker_event(const struct docker_event *ev, void *user)
{
	struct rt_engine *e = user;
	e->st.docker_events++;
	if (ev->time > e->last_event_time)
		e->last_event_time = ev->time;
	if (strcmp(ev->type, "container") != 0 || !ev->actor_id[0])
		return 0;
	if (strcmp(ev->action, "create") == 0) {
		/* no inspect here: the engine is busy starting it; the runtime's note comes next */
		if (!e->o.containers || fnmatch(e->o.containers, ev->name, 0) == 0 ||
		    wanted_container(e, NULL, ev->actor_id))
			snprintf(e->created[e->created_next++ % CREATED_IDS], RT_CONTAINER_ID_LEN + 1, "%s", ev->actor_id);
	} else if (strcmp(ev->action, "destroy") == 0) {
		rt_containers_remove(&e->containers, ev->actor_id);
	} else if (strcmp(ev->action, "start") == 0) {
		struct rt_container *c = refresh_container(e, ev->actor_id);
		if (c)
			launch_rules(e, c);
	} else if (strcmp(ev->action, "rename") == 0 || strcmp(ev->action, "die") == 0 ||
		   strcmp(ev->action, "update") == 0) {
		refresh_container(e, ev->actor_id);
	}
	update_syscall_probes(e);
	return 0;
}

/* ---- processes ---- */

static const char *proc_exe(struct rt_engine *e, uint32_t tgid, char *buf, size_t len)
{
	for (size_t i = 0; i < PROC_CACHE; i++)
		if (e->procs[i].tgid == tgid && tgid)
			return e->procs[i].exe;
	char p[4200];
	snprintf(p, sizeof(p), "%s/proc/%u/exe", e->o.host_root ? e->o.host_root : "", tgid);
	ssize_t n = readlink(p, buf, len - 1);
	if (n < 0)
		return "";
	buf[n] = 0;
	return buf;
}

static void proc_remember(struct rt_engine *e, uint32_t tgid, const char *exe)
{
	struct proc_entry *pe = &e->procs[e->proc_next++ % PROC_CACHE];
	pe->tgid = tgid;
	snprintf(pe->exe, sizeof(pe->exe), "%s", exe);
}

static void join_args(const struct rt_event *ev, char *out, size_t outlen)
{
	size_t n = ev->args_len < RT_ARGS_LEN ? ev->args_len : RT_ARGS_LEN - 1;
	if (n >= outlen)
		n = outlen - 1;
	for (size_t i = 0; i < n; i++)
		out[i] = ev->args[i] ? ev->args[i] : ' ';
	while (n && out[n - 1] == ' ')
		n--;
	out[n] = 0;
}

static int on_kernel_event(const struct rt_event *ev, void *user)
{
	struct rt_engine *e = user;
	e->st.events++;
	char cid[RT_CONTAINER_ID_LEN + 1] = "";
	struct rt_container *c = NULL;
	if (!(ev->flags & RT_F_HOST)) {
		char leaf[RT_CGROUP_LEN + 1], parent[RT_COMM_LEN + 1];
		snprintf(leaf, sizeof(leaf), "%.*s", RT_CGROUP_LEN, ev->cgroup);
		snprintf(parent, sizeof(parent), "%.*s", RT_COMM_LEN, ev->cgroup_parent);
		if (rt_cgroup_leaf_container_id(leaf, parent, cid) == 0) {
			c = rt_containers_find(&e->containers, cid);
			if (!c)
				c = refresh_container(e, cid);  /* started before its start event reached us */
		}
		if (!c)
			c = rt_containers_find_key(&e->containers, ev->cgroup_id, ev->mntns);
		if (c && !cid[0])
			snprintf(cid, sizeof(cid), "%s", c->id);
		if (!c)
			e->st.unattributed++;
	}
	if (!wanted_container(e, c, cid))
		return 0;
	char exebuf[RT_PATH_LEN];
	const char *exe = "";
	if (ev->type == RT_EV_EXEC) {
		char p[RT_PATH_LEN + 1];
		snprintf(p, sizeof(p), "%.*s", RT_PATH_LEN, ev->path2[0] ? ev->path2 : ev->path);
		proc_remember(e, ev->tgid, p);
	} else if (!ev->exe[0]) {
		exe = proc_exe(e, ev->tgid, exebuf, sizeof(exebuf));
	}
	struct rt_event_view v;
	rt_event_view_init(&v, ev, exe);
	char cmdline[RT_ARGS_LEN + 1];
	join_args(ev, cmdline, sizeof(cmdline));
	for (size_t i = 0; i < e->o.rules->n; i++)
		if (e->active[i] && rt_rule_match_event(&e->o.rules->rules[i], &v, c ? c->image : "", c ? c->name : ""))
			raise_alert(e, i, c, cid, &v, cmdline);
	return 0;
}

/* ---- Docker event stream on the epoll set ---- */

static int sock_cb(CURL *easy, curl_socket_t s, int what, void *userp, void *socketp)
{
	struct rt_engine *e = userp;
	(void)easy;
	if (what == CURL_POLL_REMOVE) {
		epoll_ctl(e->epfd, EPOLL_CTL_DEL, s, NULL);
		curl_multi_assign(e->multi, s, NULL);
		return 0;
	}
	struct epoll_event ev = { .data.fd = s };
	if (what & CURL_POLL_IN)
		ev.events |= EPOLLIN;
	if (what & CURL_POLL_OUT)
		ev.events |= EPOLLOUT;
	if (epoll_ctl(e->epfd, socketp ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, s, &ev) < 0 && errno == ENOENT)
		epoll_ctl(e->epfd, EPOLL_CTL_ADD, s, &ev);
	curl_multi_assign(e->multi, s, e);
	return 0;
}

static int timer_cb(CURLM *m, long timeout_ms, void *userp)
{
	struct rt_engine *e = userp;
	(void)m;
	e->curl_deadline_ms = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
	return 0;
}

static int stream_start(struct rt_engine *e)
{
	docker_event_parser_free(&e->parser);
	docker_event_parser_init(&e->parser, on_docker_event, e);
	int r = docker_events_stream_new(e->dc, e->last_event_time, "{\"type\":[\"container\"]}", &e->parser,
					 &e->stream);
	if (r < 0)
		return r;
	if (curl_multi_add_handle(e->multi, docker_events_stream_handle(e->stream)) != CURLM_OK) {
		docker_events_stream_free(e->stream);
		e->stream = NULL;
		return -ENOMEM;
	}
	return 0;
}

static void stream_stop(struct rt_engine *e)
{
	if (!e->stream)
		return;
	curl_multi_remove_handle(e->multi, docker_events_stream_handle(e->stream));
	docker_events_stream_free(e->stream);
	e->stream = NULL;
}

static void curl_done(struct rt_engine *e)
{
	CURLMsg *m;
	int left;
	while ((m = curl_multi_info_read(e->multi, &left))) {
		if (m->msg != CURLMSG_DONE || !e->stream || m->easy_handle != docker_events_stream_handle(e->stream))
			continue;
		int code = m->data.result;
		curl_multi_remove_handle(e->multi, m->easy_handle);
		docker_events_stream_finish(e->dc, e->stream, code);
		docker_events_stream_free(e->stream);
		e->stream = NULL;
		/* the engine restarted or the connection broke: try again, from the last event seen */
		e->reconnect_at_ms = now_ms() + RECONNECT_MS;
		return;
	}
}

/* ---- lifecycle ---- */

int rt_engine_new(struct docker_client *dc, const struct rt_engine_options *o, struct rt_engine **out,
		  char *err, size_t errlen)
{
	*out = NULL;
	struct rt_engine *e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	size_t n = o->rules->n;
	e->o = *o;
	e->dc = dc;
	e->epfd = -1;
	e->curl_deadline_ms = -1;
	e->boot_to_real = rt_probes_boot_to_real_ns();
	docker_event_parser_init(&e->parser, on_docker_event, e);
	struct rt_probe_config pc = { 0 };
	int r = -ENOMEM;
	e->status = calloc(n ? n : 1, sizeof(*e->status));
	e->active = calloc(n ? n : 1, sizeof(*e->active));
	e->per_rule = calloc(n ? n : 1, sizeof(*e->per_rule));
	e->last = calloc(n ? n : 1, sizeof(*e->last));
	if (!e->status || !e->active || !e->per_rule || !e->last)
		goto fail;
	rt_rules_status(o->rules, e->status);
	for (size_t i = 0; i < n; i++)
		e->active[i] = e->status[i].state == RT_RULE_ACTIVE;
	r = rt_rules_probe_config(o->rules, e->active, &pc);
	if (r < 0) {
		snprintf(err, errlen, "the rules need more kernel filter entries than the probes hold: %s", strerror(-r));
		goto fail;
	}
	pc.ringbuf_bytes = o->ringbuf_bytes;
	e->syscalls_always = pc.include_host || o->syscalls_always;
	bool attached[RT_EV__COUNT];
	r = rt_probes_open(&pc, on_kernel_event, e, &e->probes, attached, err, errlen);
	rt_probe_config_free(&pc);
	if (r < 0)
		goto fail;
	for (size_t i = 0; i < n; i++) {
		int ev = o->rules->rules[i].event;
		if (e->active[i] && ev < RT_EV__COUNT && !attached[ev]) {
			e->active[i] = false;
			e->status[i].state = RT_RULE_UNAVAILABLE;
			snprintf(e->status[i].reason, sizeof(e->status[i].reason),
				 "not evaluable: attaching to %s failed", rt_probes_event_sources(ev));
		}
	}
	e->probes_fd = rt_probes_fd(e->probes);
	e->epfd = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event pev = { .events = EPOLLIN, .data.fd = e->probes_fd };
	if (e->epfd < 0 || epoll_ctl(e->epfd, EPOLL_CTL_ADD, e->probes_fd, &pev) < 0) {
		r = -errno;
		snprintf(err, errlen, "epoll: %s", strerror(-r));
		goto fail;
	}

	/* the containers as they are now (one snapshot), then their changes from the event stream */
	struct snapshot snap;
	struct snapshot_request req = { 0 };
	int64_t since = time(NULL);
	r = snapshot_collect(dc, &req, &snap);
	if (r < 0) {
		snprintf(err, errlen, "%s", docker_client_error(dc));
		goto fail;
	}
	for (size_t i = 0; i < snap.n_containers; i++) {
		struct rt_container *c = NULL;
		if (rt_containers_upsert(&e->containers, &snap.containers[i], e->o.host_root ? e->o.host_root : "") == 0)
			c = rt_containers_find(&e->containers, snap.containers[i].id);
		if (c && e->o.posture)
			e->o.posture(c, e->o.posture_user);
	}
	snapshot_free(&snap);
	/* rt_probes_open attached everything (proving it can); keep what is needed now */
	e->syscalls_since_ms = now_ms();
	rt_probes_on_runtime(e->probes, on_runtime_note);
	update_syscall_probes(e);
	e->last_event_time = since;
	e->multi = curl_multi_init();
	if (!e->multi) {
		r = -ENOMEM;
		goto fail;
	}
	curl_multi_setopt(e->multi, CURLMOPT_SOCKETFUNCTION, sock_cb);
	curl_multi_setopt(e->multi, CURLMOPT_SOCKETDATA, e);
	curl_multi_setopt(e->multi, CURLMOPT_TIMERFUNCTION, timer_cb);
	curl_multi_setopt(e->multi, CURLMOPT_TIMERDATA, e);
	r = stream_start(e);
	if (r < 0) {
		snprintf(err, errlen, "%s", docker_client_error(dc));
		goto fail;
	}
	*out = e;
	return 0;
fail:
	rt_engine_free(e);
	return r;
}

int rt_engine_fd(const struct rt_engine *e)
{
	return e->epfd;
}

int rt_engine_timeout_ms(const struct rt_engine *e)
{
	int64_t now = now_ms(), t = 1000;
	if (e->curl_deadline_ms >= 0 && e->curl_deadline_ms - now < t)
		t = e->curl_deadline_ms - now;
	if (e->reconnect_at_ms && e->reconnect_at_ms - now < t)
		t = e->reconnect_at_ms - now;
	return t < 0 ? 0 : (int)t;
}

int rt_engine_handle(struct rt_engine *e, char *err, size_t errlen)
{
	struct epoll_event evs[16];
	int running, n = epoll_wait(e->epfd, evs, 16, 0);
	for (int i = 0; i < n; i++) {
		if (evs[i].data.fd == e->probes_fd) {
			int r = rt_probes_consume(e->probes);
			if (r < 0 && r != -EINTR) {
				snprintf(err, errlen, "reading the ring buffer: %s", strerror(-r));
				return r;
			}
			continue;
		}
		int flags = 0;
		if (evs[i].events & EPOLLIN)
			flags |= CURL_CSELECT_IN;
		if (evs[i].events & EPOLLOUT)
			flags |= CURL_CSELECT_OUT;
		if (evs[i].events & (EPOLLERR | EPOLLHUP))
			flags |= CURL_CSELECT_ERR;
		curl_multi_socket_action(e->multi, evs[i].data.fd, flags, &running);
	}
	int64_t now = now_ms();
	if (e->curl_deadline_ms >= 0 && now >= e->curl_deadline_ms) {
		e->curl_deadline_ms = -1;
		curl_multi_socket_action(e->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	}
	curl_done(e);
	update_syscall_probes(e);       /* the runtime's grace period may have run out */
	if (!e->stream && e->reconnect_at_ms && now_ms() >= e->reconnect_at_ms) {
		e->reconnect_at_ms = 0;
		e->st.docker_reconnects++;
		if (stream_start(e) < 0)
			e->reconnect_at_ms = now_ms() + RECONNECT_MS;
	}
	return 0;
}

void rt_engine_drain(struct rt_engine *e)
{
	if (e->probes)
		rt_probes_consume(e->probes);
}

const struct rt_rule_status *rt_engine_rule_status(const struct rt_engine *e)
{
	return e->status;
}

void rt_engine_stats(const struct rt_engine *e, struct rt_engine_stats *s)
{
	*s = e->st;
	if (e->probes) {
		rt_probes_counters(e->probes, &s->emitted, &s->dropped, &s->kernel_repeats);
		s->syscalls_on = rt_probes_syscalls_on(e->probes);
		if (s->syscalls_on)
			s->syscall_attached_ms += now_ms() - e->syscalls_since_ms;
	}
	s->per_rule = e->per_rule;
	s->per_rule_cap = e->o.rules->n;
}

void rt_engine_free(struct rt_engine *e)
{
	if (!e)
		return;
	stream_stop(e);
	if (e->multi)
		curl_multi_cleanup(e->multi);
	docker_event_parser_free(&e->parser);
	rt_probes_close(e->probes);
	if (e->epfd >= 0)
		close(e->epfd);
	rt_containers_free(&e->containers);
	free(e->status);
	free(e->active);
	free(e->per_rule);
	free(e->last);
	free(e);
}
