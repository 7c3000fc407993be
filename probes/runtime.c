/* runtime.c: the loader of runtime.bpf.c: kernel feature probing, filter maps, attach, ring buffer. */
#include "probes/runtime_probes.h"

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <linux/magic.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include "lazy_bpf.h"
#include "runtime.skel.h"

#define BTF_PATH "/sys/kernel/btf/vmlinux"

/* Each event type and the programs that produce it; the first program is
 * the one whose tracepoint must exist for the type to be evaluable. */
struct source {
	int type;
	const char *tracepoint;         /* syscalls/NAME, NULL for tp_btf / raw tracepoints */
	size_t prog_off;                /* offsetof(struct runtime, progs.X) */
};

#define P(field) offsetof(struct runtime, progs.field)
static const struct source sources[] = {
	{ RT_EV_EXEC, NULL, P(sched_exec) },
	{ RT_EV_OPEN, "sys_enter_openat", P(tp_openat) },
	{ RT_EV_OPEN, "sys_enter_open", P(tp_open) },
	{ RT_EV_OPEN, "sys_enter_openat2", P(tp_openat2) },
	{ RT_EV_OPEN, "sys_enter_creat", P(tp_creat) },
	/* opens through "..", "." or "//" are matched at their exit */
	{ RT_EV_OPEN, "sys_exit_openat", P(tp_exit_openat) },
	{ RT_EV_OPEN, "sys_exit_open", P(tp_exit_open) },
	{ RT_EV_OPEN, "sys_exit_openat2", P(tp_exit_openat2) },
	{ RT_EV_OPEN, "sys_exit_creat", P(tp_exit_creat) },
	{ RT_EV_TRUNCATE, "sys_enter_truncate", P(tp_truncate) },
	{ RT_EV_TRUNCATE, "sys_enter_ftruncate", P(tp_ftruncate) },
	{ RT_EV_CHMOD, "sys_enter_fchmodat", P(tp_fchmodat) },
	{ RT_EV_CHMOD, "sys_enter_chmod", P(tp_chmod) },
	{ RT_EV_CHMOD, "sys_enter_fchmodat2", P(tp_fchmodat2) },
	{ RT_EV_CHMOD, "sys_enter_fchmod", P(tp_fchmod) },
	{ RT_EV_SYMLINK, "sys_enter_symlinkat", P(tp_symlinkat) },
	{ RT_EV_SYMLINK, "sys_enter_symlink", P(tp_symlink) },
	{ RT_EV_CONNECT, NULL, P(inet_connect) },
	{ RT_EV_CONNECT, "sys_enter_connect", P(tp_connect) },
	{ RT_EV_PTRACE, "sys_enter_ptrace", P(tp_ptrace) },
	{ RT_EV_MOUNT, "sys_enter_mount", P(tp_mount) },
	{ RT_EV_UNSHARE, "sys_enter_unshare", P(tp_unshare) },
	{ RT_EV_SETNS, "sys_enter_setns", P(tp_setns) },
	{ RT_EV_SOCKET, "sys_enter_socket", P(tp_socket) },
	{ RT_EV_BPF, "sys_enter_bpf", P(tp_bpf) },
	{ RT_EV_USERFAULTFD, "sys_enter_userfaultfd", P(tp_userfaultfd) },
	{ RT_EV_VM_WRITEV, "sys_enter_process_vm_writev", P(tp_process_vm_writev) },
	{ RT_EV_MODULE, NULL, P(raw_cap_capable) },
	{ RT_EV_MODULE_SYSCALL, NULL, P(raw_sys_enter) },
};
#define N_SOURCES (sizeof(sources) / sizeof(sources[0]))

static struct bpf_program *prog_of(struct runtime *skel, const struct source *s)
{
	return *(struct bpf_program **)((char *)skel + s->prog_off);
}

struct rt_probes {
	struct runtime *skel;
	struct ring_buffer *rb;
	rt_event_fn cb;
	rt_note_fn note_cb;
	void *user;
	int cb_err;
	bool syscalls_on;
	bool on_demand[N_SOURCES];      /* a syscalls:* program that attached at open */
	/* Destroying a link waits for RCU grace periods (~70 ms each here, ~1.5 s for all): a
	 * thread does it, one link after the other; until it gets to a link, that link is live. */
	bool reaping;
	pthread_t reaper;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	size_t doomed_next, doomed_n;           /* under mu */
	bool destroying;                        /* under mu: one link is being destroyed now */
	struct bpf_link *doomed[N_SOURCES];
	size_t doomed_src[N_SOURCES];
};

static void *destroy_links(void *arg)
{
	struct rt_probes *p = arg;
	pthread_mutex_lock(&p->mu);
	while (p->doomed_next < p->doomed_n) {
		struct bpf_link *l = p->doomed[p->doomed_next++];
		p->destroying = true;
		pthread_mutex_unlock(&p->mu);
		bpf_link__destroy(l);
		pthread_mutex_lock(&p->mu);
		p->destroying = false;
		pthread_cond_broadcast(&p->cv);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

static struct bpf_link **link_of(struct runtime *skel, const struct source *s)
{
	/* links are kept in the skeleton so that runtime__destroy frees them */
	return (struct bpf_link **)((char *)skel + offsetof(struct runtime, links) +
				    (s->prog_off - offsetof(struct runtime, progs)));
}

/* Waits for the reaper; with reclaim, takes back the links it has not got to (still attached)
 * into the skeleton and waits only for the one it is destroying. */
static void reaper_join(struct rt_probes *p, bool reclaim)
{
	if (!p->reaping)
		return;
	if (reclaim) {
		pthread_mutex_lock(&p->mu);
		for (size_t i = p->doomed_next; i < p->doomed_n; i++)
			*link_of(p->skel, &sources[p->doomed_src[i]]) = p->doomed[i];
		p->doomed_n = p->doomed_next;
		while (p->destroying)
			pthread_cond_wait(&p->cv, &p->mu);
		pthread_mutex_unlock(&p->mu);
	}
	pthread_join(p->reaper, NULL);
	p->reaping = false;
}

static const char *const tracefs_dirs[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };

static bool tracepoint_exists(const char *name)
{
	char p[256];
	for (size_t i = 0; i < 2; i++) {
		snprintf(p, sizeof(p), "%s/events/syscalls/%s/id", tracefs_dirs[i], name);
		if (access(p, R_OK) == 0)
			return true;
	}
	return false;
}

static bool tracefs_ready(void)
{
	char p[256];
	for (size_t i = 0; i < 2; i++) {
		snprintf(p, sizeof(p), "%s/events", tracefs_dirs[i]);
		if (access(p, F_OK) == 0)
			return true;
	}
	/* the per-syscall tracepoints are listed in tracefs only; mount it where the kernel expects it */
	if (access("/sys/kernel/tracing", F_OK) == 0 &&
	    mount("tracefs", "/sys/kernel/tracing", "tracefs", 0, NULL) == 0)
		return access("/sys/kernel/tracing/events", F_OK) == 0;
	return false;
}

/* x86_64 and arm64 numbers of init_module and finit_module */
static void module_syscalls(long *a, long *b)
{
#if defined(__x86_64__)
	*a = 175;
	*b = 313;
#elif defined(__aarch64__)
	*a = 105;
	*b = 273;
#else
	*a = -1;
	*b = -1;
#endif
}

/* Where cap sits among cap_capable's arguments: the count of the tracepoint's parameters
 * (btf_trace_cap_capable's, less its leading data pointer) minus two. -1: no such tracepoint. */
static int cap_capable_cap_index(void)
{
	struct btf *btf = btf__load_vmlinux_btf();
	if (!btf)
		return -1;
	int idx = -1;
	int id = btf__find_by_name_kind(btf, "btf_trace_cap_capable", BTF_KIND_TYPEDEF);
	const struct btf_type *t = id > 0 ? btf__type_by_id(btf, id) : NULL;
	if (t)
		t = btf__type_by_id(btf, t->type);     /* pointer */
	if (t && btf_is_ptr(t))
		t = btf__type_by_id(btf, t->type);     /* function prototype */
	if (t && btf_is_func_proto(t) && (btf_vlen(t) == 5 || btf_vlen(t) == 6))
		idx = (int)btf_vlen(t) - 1 - 2;
	btf__free(btf);
	return idx;
}

void rt_probes_support(struct rt_probe_support *s)
{
	memset(s, 0, sizeof(*s));
	s->btf = access(BTF_PATH, R_OK) == 0;
	s->tracefs = tracefs_ready();
	for (int t = 1; t < RT_EV__COUNT; t++)
		snprintf(s->reason[t], sizeof(s->reason[t]), "no tracepoint for it on this kernel");
	for (size_t i = 0; i < N_SOURCES; i++) {
		const struct source *src = &sources[i];
		bool ok;
		if (src->type == RT_EV_MODULE) {
			/* without CONFIG_MODULES the syscalls fail before any capability check */
			bool modules = access("/proc/modules", F_OK) == 0;
			ok = s->btf && modules && cap_capable_cap_index() >= 0;
			if (!ok)
				snprintf(s->reason[src->type], sizeof(s->reason[0]), "%s",
					 !modules ? "the kernel cannot load modules (no /proc/modules); see module_syscall"
						  : "no capability:cap_capable tracepoint of a known shape");
		} else if (src->type == RT_EV_MODULE_SYSCALL) {
			long a, b;
			module_syscalls(&a, &b);
			ok = s->btf && a >= 0;
			if (!ok)
				snprintf(s->reason[src->type], sizeof(s->reason[0]),
					 "module syscall numbers unknown on this architecture");
		} else if (!src->tracepoint) {
			ok = s->btf;        /* tp_btf */
		} else {
			ok = s->tracefs && tracepoint_exists(src->tracepoint);
		}
		if (ok) {
			s->event[src->type] = true;
			s->reason[src->type][0] = 0;
		}
	}
	for (int t = 1; t < RT_EV__COUNT; t++) {
		if (s->event[t])
			continue;
		if (!s->btf)
			snprintf(s->reason[t], sizeof(s->reason[t]), "the kernel has no BTF (%s)", BTF_PATH);
		else if (!s->tracefs && t != RT_EV_EXEC && t != RT_EV_MODULE && t != RT_EV_MODULE_SYSCALL)
			snprintf(s->reason[t], sizeof(s->reason[t]), "tracefs is not mounted and cannot be");
	}
}

const char *rt_probes_event_sources(int type)
{
	switch (type) {
	case RT_EV_EXEC: return "tp_btf/sched_process_exec";
	case RT_EV_OPEN: return "syscalls/sys_{enter,exit}_open{,at,at2}, sys_{enter,exit}_creat";
	case RT_EV_TRUNCATE: return "syscalls/sys_enter_{f,}truncate";
	case RT_EV_CHMOD: return "syscalls/sys_enter_{f,}chmod{,at,at2}";
	case RT_EV_SYMLINK: return "syscalls/sys_enter_symlink{,at}";
	case RT_EV_CONNECT: return "tp_btf/inet_sock_set_state (TCP), syscalls/sys_enter_connect (unix)";
	case RT_EV_PTRACE: return "syscalls/sys_enter_ptrace";
	case RT_EV_MOUNT: return "syscalls/sys_enter_mount";
	case RT_EV_UNSHARE: return "syscalls/sys_enter_unshare";
	case RT_EV_SETNS: return "syscalls/sys_enter_setns";
	case RT_EV_SOCKET: return "syscalls/sys_enter_socket";
	case RT_EV_BPF: return "syscalls/sys_enter_bpf";
	case RT_EV_USERFAULTFD: return "syscalls/sys_enter_userfaultfd";
	case RT_EV_VM_WRITEV: return "syscalls/sys_enter_process_vm_writev";
	case RT_EV_MODULE: return "raw_tp/cap_capable (CAP_SYS_MODULE checks)";
	case RT_EV_MODULE_SYSCALL: return "raw_syscalls/sys_enter (every syscall: costly)";
	}
	return "";
}

int64_t rt_probes_boot_to_real_ns(void)
{
	struct timespec r, b;
	clock_gettime(CLOCK_REALTIME, &r);
	clock_gettime(CLOCK_BOOTTIME, &b);
	return ((int64_t)r.tv_sec - b.tv_sec) * 1000000000LL + (r.tv_nsec - b.tv_nsec);
}

static int on_sample(void *ctx, void *data, size_t size)
{
	struct rt_probes *p = ctx;
	if (size == sizeof(struct rt_note) && ((const struct rt_note *)data)->type == RT_NOTE_RUNTIME) {
		if (p->note_cb)
			p->note_cb(data, p->user);
		return 0;
	}
	if (size < sizeof(struct rt_event))
		return 0;
	int r = p->cb((const struct rt_event *)data, p->user);
	if (r < 0)
		p->cb_err = r;
	return r < 0 ? r : 0;
}

static int fill_maps(struct runtime *skel, const struct rt_probe_config *cfg, char *err, size_t errlen)
{
	for (size_t i = 0; i < cfg->n_ports; i++) {
		uint8_t one = 1;
		if (bpf_map__update_elem(skel->maps.ports, &cfg->ports[i], sizeof(uint16_t), &one, 1, BPF_ANY) < 0)
			goto fail;
	}
	for (size_t i = 0; i < cfg->n_paths; i++) {
		const struct rt_path_filter *f = &cfg->paths[i];
		struct rt_path_key k;
		memset(&k, 0, sizeof(k));
		size_t n = strnlen(f->path, sizeof(k.data) - 1);
		for (size_t j = 0; j < n; j++)
			k.data[j] = f->suffix ? f->path[n - 1 - j] : f->path[j];
		k.prefixlen = (uint32_t)(n + (f->exact && !f->suffix ? 1 : 0)) * 8;
		struct bpf_map *m = f->suffix ? skel->maps.path_suffixes : skel->maps.path_prefixes;
		if (bpf_map__update_elem(m, &k, sizeof(k), &f->mask, 4, BPF_ANY) < 0)
			goto fail;
	}
	return 0;
fail:;
	int r = -errno;
	snprintf(err, errlen, "filling the probes' filter maps: %s", strerror(-r));
	return r;
}

int rt_probes_open(const struct rt_probe_config *cfg, rt_event_fn cb, void *user, struct rt_probes **out,
		   bool attached[RT_EV__COUNT], char *err, size_t errlen)
{
	struct rt_probe_support sup;
	struct stat st;
	struct statfs sfs;
	int r;
	*out = NULL;
	memset(attached, 0, sizeof(bool) * RT_EV__COUNT);
	/* a missing libbpf is named here, not left to libbpf's debug log */
	if ((r = lazy_bpf_load(err, errlen)) < 0)
		return r;
	rt_probes_support(&sup);
	if (!sup.btf) {
		snprintf(err, errlen, "the kernel has no BTF (%s): runtime probes need CONFIG_DEBUG_INFO_BTF", BTF_PATH);
		return -ENOTSUP;
	}
	/* the host's mount namespace: init's, or ours when init's is hidden from us */
	if (stat("/proc/1/ns/mnt", &st) < 0 && stat("/proc/self/ns/mnt", &st) < 0) {
		r = -errno;
		snprintf(err, errlen, "cannot read the host's mount namespace (/proc/{1,self}/ns/mnt): %s%s", strerror(-r),
			 r == -EACCES || r == -EPERM ? "; runtime probes need root" : "");
		return r == -EACCES ? -EPERM : r;
	}
	struct rt_probes *p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	p->cb = cb;
	p->user = user;
	p->skel = runtime__open();
	if (!p->skel) {
		r = -errno;
		snprintf(err, errlen, "opening the runtime probes: %s", strerror(-r));
		goto fail;
	}
	struct runtime *s = p->skel;
	s->rodata->host_mntns = st.st_ino;
	s->rodata->cgroup_v2 = statfs("/sys/fs/cgroup", &sfs) == 0 && sfs.f_type == CGROUP2_SUPER_MAGIC;
	s->rodata->include_host = cfg->include_host;
	s->rodata->boot_to_real_ns = rt_probes_boot_to_real_ns();
	s->rodata->exec_pass_all = cfg->exec_pass_all;
	s->rodata->exec_pass_flags = cfg->exec_pass_flags;
	int cap_idx = cfg->want[RT_EV_MODULE] ? cap_capable_cap_index() : -1;
	s->rodata->cap_arg_index = cap_idx >= 0 ? (uint32_t)cap_idx : 2;
	long ma, mb;
	module_syscalls(&ma, &mb);
	s->rodata->module_syscall_a = ma;
	s->rodata->module_syscall_b = mb;
	uint32_t suffix_ops = 0;
	for (size_t i = 0; i < cfg->n_paths; i++)
		if (cfg->paths[i].suffix)
			suffix_ops |= cfg->paths[i].mask;
	s->rodata->suffix_ops = suffix_ops;
	uint32_t rb = cfg->ringbuf_bytes ? cfg->ringbuf_bytes : 1u << 20;
	if (bpf_map__set_max_entries(s->maps.events, rb) < 0) {
		r = -EINVAL;
		snprintf(err, errlen, "ring buffer size %u: must be a power of two of at least a page", rb);
		goto fail;
	}
	/* load only what the rules need and the kernel has; the sched lifecycle always */
	bool load[N_SOURCES];
	for (size_t i = 0; i < N_SOURCES; i++) {
		const struct source *src = &sources[i];
		load[i] = cfg->want[src->type] && sup.event[src->type] &&
			  (!src->tracepoint || tracepoint_exists(src->tracepoint));
		if (src->prog_off == P(tp_connect))
			load[i] = load[i] && cfg->connect_unix;
		if (src->prog_off == P(inet_connect))
			load[i] = load[i] && cfg->connect_inet;
		bpf_program__set_autoload(prog_of(s, src), load[i]);
	}
	bpf_program__set_autoload(s->progs.sched_exec, true);
	r = runtime__load(s);
	if (r < 0) {
		bool unprivileged = geteuid() != 0 && (r == -EPERM || r == -EACCES);
		snprintf(err, errlen, "loading the runtime probes: %s%s", strerror(-r),
			 unprivileged ? " (runtime probes need root: CAP_BPF and CAP_PERFMON)"
				      : " (the kernel refused a probe; -vv shows libbpf's log)");
		if (unprivileged)
			r = -EPERM;
		goto fail;
	}
	r = fill_maps(s, cfg, err, errlen);
	if (r < 0)
		goto fail;
	if (!(s->links.sched_fork = bpf_program__attach(s->progs.sched_fork)) ||
	    !(s->links.sched_exit = bpf_program__attach(s->progs.sched_exit)) ||
	    !(s->links.sched_exec = bpf_program__attach(s->progs.sched_exec))) {
		r = -errno;
		snprintf(err, errlen, "attaching to the sched tracepoints: %s", strerror(-r));
		goto fail;
	}
	attached[RT_EV_EXEC] = cfg->want[RT_EV_EXEC];
	bool connect_failed = false;
	for (size_t i = 0; i < N_SOURCES; i++) {
		const struct source *src = &sources[i];
		if (!load[i] || src->type == RT_EV_EXEC)
			continue;
		struct bpf_link *l = bpf_program__attach(prog_of(s, src));
		/* connect's two sources serve different rules (ports, unix paths): both must work */
		connect_failed |= !l && src->type == RT_EV_CONNECT;
		if (!l)
			continue;   /* the type stays unattached unless another source of it works */
		*link_of(s, src) = l;
		attached[src->type] = true;
		/* raw_syscalls:sys_enter is on the syscall path too */
		p->on_demand[i] = src->tracepoint != NULL || src->type == RT_EV_MODULE_SYSCALL;
	}
	if (connect_failed)
		attached[RT_EV_CONNECT] = false;
	p->syscalls_on = rt_probes_has_syscalls(p);
	p->rb = ring_buffer__new(bpf_map__fd(s->maps.events), on_sample, p, NULL);
	if (!p->rb) {
		r = -errno;
		snprintf(err, errlen, "opening the ring buffer: %s", strerror(-r));
		goto fail;
	}
	*out = p;
	return 0;
fail:
	rt_probes_close(p);
	return r < 0 ? r : -EINVAL;
}

void rt_probes_on_runtime(struct rt_probes *p, rt_note_fn fn)
{
	p->note_cb = fn;
}

bool rt_probes_has_syscalls(const struct rt_probes *p)
{
	for (size_t i = 0; i < N_SOURCES; i++)
		if (p->on_demand[i])
			return true;
	return false;
}

int rt_probes_set_syscalls(struct rt_probes *p, bool on)
{
	struct runtime *s = p->skel;
	int r = 0;
	if (on == p->syscalls_on)
		return 0;
	if (on) {
		reaper_join(p, true);   /* a container came back before all were detached */
		for (size_t i = 0; i < N_SOURCES; i++) {
			struct bpf_link **l = link_of(s, &sources[i]);
			if (p->on_demand[i] && !*l && !(*l = bpf_program__attach(prog_of(s, &sources[i]))) && !r)
				r = -errno;
		}
		p->syscalls_on = true;
		return r;
	}
	/* unregistering a tracepoint waits for grace periods: ~1.5 s for all of them, in which the
	 * ring buffer and the next container's attach would wait too; a thread destroys them instead */
	reaper_join(p, false);
	p->doomed_next = p->doomed_n = 0;
	for (size_t i = 0; i < N_SOURCES; i++) {
		struct bpf_link **l = link_of(s, &sources[i]);
		if (p->on_demand[i] && *l) {
			p->doomed_src[p->doomed_n] = i;
			p->doomed[p->doomed_n++] = *l;
			*l = NULL;
		}
	}
	if (pthread_create(&p->reaper, NULL, destroy_links, p) == 0)
		p->reaping = true;
	else
		destroy_links(p);
	p->syscalls_on = false;
	return 0;
}

bool rt_probes_syscalls_on(const struct rt_probes *p)
{
	return p->syscalls_on;
}

int rt_probes_fd(const struct rt_probes *p)
{
	return ring_buffer__epoll_fd(p->rb);
}

int rt_probes_consume(struct rt_probes *p)
{
	p->cb_err = 0;
	int n = ring_buffer__consume(p->rb);
	if (p->cb_err < 0)
		return p->cb_err;
	return n;
}

void rt_probes_counters(const struct rt_probes *p, uint64_t *emitted, uint64_t *dropped, uint64_t *repeats)
{
	uint64_t *out[RT_CNT__COUNT] = { emitted, dropped, repeats };
	*emitted = *dropped = *repeats = 0;
	int ncpu = libbpf_num_possible_cpus();
	if (ncpu <= 0 || ncpu > 4096)
		return;
	uint64_t *vals = calloc((size_t)ncpu, sizeof(uint64_t));
	if (!vals)
		return;
	for (uint32_t idx = 0; idx < RT_CNT__COUNT; idx++) {
		if (bpf_map__lookup_elem(p->skel->maps.counters, &idx, sizeof(idx), vals,
					 sizeof(uint64_t) * (size_t)ncpu, 0) < 0)
			continue;
		for (int c = 0; c < ncpu; c++)
			*out[idx] += vals[c];
	}
	free(vals);
}

void rt_probes_close(struct rt_probes *p)
{
	if (!p)
		return;
	reaper_join(p, false);
	ring_buffer__free(p->rb);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->cv);
	runtime__destroy(p->skel);
	free(p);
}
