/* runtime.bpf.c: dockward's runtime probes: per-syscall tracepoints and the sched lifecycle, filtered in the kernel. */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "runtime.h"

char LICENSE[] SEC("license") = "GPL";

#define S_IFMT 00170000
#define S_IFSOCK 0140000
#define S_ISUID 04000
#define S_ISGID 02000
#define O_ACCMODE 00000003
#define AT_FDCWD -100
#define O_RDONLY 00000000
#define O_CREAT 00000100
#define O_TRUNC 00001000
#define O_WRONLY 00000001
#define AF_UNIX 1
#define AF_INET 2
#define AF_INET6 10
#define AF_PACKET 17
#define PTRACE_POKETEXT 4
#define PTRACE_POKEUSER 6
#define PTRACE_ATTACH 16
#define PTRACE_SEIZE 0x4206
#define CAP_SYS_MODULE 16
#define TCP_SYN_SENT 2
#define TCP_CLOSE 7

/* Set by the loader before load. */
const volatile __u64 host_mntns = 0;
const volatile bool cgroup_v2 = false;
const volatile bool include_host = false;
const volatile __s64 boot_to_real_ns = 0;
const volatile bool exec_pass_all = false;
const volatile __u32 exec_pass_flags = 0;
const volatile __u32 cap_arg_index = 2;         /* of cap in cap_capable's arguments */
const volatile __s64 module_syscall_a = -1;     /* init_module */
const volatile __s64 module_syscall_b = -1;     /* finit_module */
const volatile __u32 suffix_ops = ~0u;          /* RT_PM_* bits some suffix entry watches */

/* kernels before 6.15 / 6.11 / 6.6 spell these fields differently */
struct kernfs_node___old {
	struct kernfs_node *parent;
} __attribute__((preserve_access_index));
struct inode___v66 {
	struct timespec64 __i_ctime;
} __attribute__((preserve_access_index));
struct inode___old {
	struct timespec64 i_ctime;
} __attribute__((preserve_access_index));

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, RT_CNT__COUNT);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

/* tgids of the container runtime's own processes until they exec the workload */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, __u32);
	__type(value, __u8);
} setup_tasks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 512);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct rt_path_key);
	__type(value, __u32);
} path_prefixes SEC(".maps");

/* suffixes ("/release_agent", program names "/sh"), keyed by the reversed text */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 512);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct rt_path_key);
	__type(value, __u32);
} path_suffixes SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u16);
	__type(value, __u8);
} ports SEC(".maps");

#define DP_LEVELS 16
#define DP_NAME 64
#define DP_BUF 512

struct scratch {
	struct rt_event ev;
	struct rt_path_key key;
	char tmp[DP_BUF + DP_NAME];     /* a path assembled from its end */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
} scratch_map SEC(".maps");

static __always_inline void count(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&counters, &idx);
	if (v)
		*v += 1;
}

static __always_inline struct scratch *get_scratch(void)
{
	__u32 zero = 0;
	return bpf_map_lookup_elem(&scratch_map, &zero);
}

static __always_inline __u64 task_mntns(struct task_struct *t)
{
	return BPF_CORE_READ(t, nsproxy, mnt_ns, ns.inum);
}

/* Cheap first cut, on every watched syscall of the host: host tasks are out unless rules want
 * them (plain loads through the task's BTF pointers, no helper calls); runtime setup is out. */
static __always_inline bool early_out(void)
{
	struct task_struct *bt = bpf_get_current_task_btf();
	if (!include_host && bt->nsproxy->mnt_ns->ns.inum == host_mntns)
		return true;
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	return bpf_map_lookup_elem(&setup_tasks, &tgid) != NULL;
}

static __always_inline struct kernfs_node *kn_parent(struct kernfs_node *kn)
{
	if (bpf_core_field_exists(kn->__parent))
		return BPF_CORE_READ(kn, __parent);
	struct kernfs_node___old *o = (void *)kn;
	return BPF_CORE_READ(o, parent);
}

/* The path of d up to the root of its mount (a container's root for its own files), into out. */
static __always_inline long dentry_path(struct scratch *s, struct dentry *d, char *out)
{
	int pos = DP_BUF - 1;
	s->tmp[pos] = 0;
	for (int i = 0; i < DP_LEVELS; i++) {
		struct dentry *parent = BPF_CORE_READ(d, d_parent);
		if (!parent || parent == d)
			break;
		unsigned int len = BPF_CORE_READ(d, d_name.len);
		if (len > DP_NAME - 1)
			len = DP_NAME - 1;
		int np = pos - (int)len - 1;
		if (np < 0)
			break;
		bpf_probe_read_kernel(&s->tmp[(np + 1) & (DP_BUF - 1)], len & (DP_NAME - 1), BPF_CORE_READ(d, d_name.name));
		s->tmp[np & (DP_BUF - 1)] = '/';
		pos = np;
		d = parent;
	}
	if (pos == DP_BUF - 1) {
		out[0] = '/';
		out[1] = 0;
		return 2;
	}
	return bpf_probe_read_kernel_str(out, RT_PATH_LEN, &s->tmp[pos & (DP_BUF - 1)]);
}

/* Scratch space for an event of the current task, or NULL when the task is out of scope. */
static __always_inline struct scratch *begin(struct task_struct **t)
{
	if (early_out())
		return NULL;
	*t = (struct task_struct *)bpf_get_current_task();
	return get_scratch();
}

/* Fills identity and attribution; returns false when the task is on the host and rules do not want host events. */
static __always_inline bool fill_common(struct scratch *s, struct task_struct *t, __u32 type)
{
	struct rt_event *e = &s->ev;
	e->type = type;
	e->flags = 0;
	e->ts_boot_ns = bpf_ktime_get_boot_ns();
	__u64 pt = bpf_get_current_pid_tgid();
	e->pid = (__u32)pt;
	e->tgid = pt >> 32;
	__u64 ug = bpf_get_current_uid_gid();
	e->uid = (__u32)ug;
	e->gid = ug >> 32;
	e->mntns = task_mntns(t);
	bpf_get_current_comm(e->comm, sizeof(e->comm));

	struct kernfs_node *kn;
	if (cgroup_v2) {
		kn = BPF_CORE_READ(t, cgroups, dfl_cgrp, kn);
	} else {
		int id = bpf_core_enum_value(enum cgroup_subsys_id, memory_cgrp_id);
		struct css_set *cset = BPF_CORE_READ(t, cgroups);
		struct cgroup_subsys_state *css = NULL;
		if (id >= 0 && id < 16)
			bpf_probe_read_kernel(&css, sizeof(css), &cset->subsys[id]);
		kn = css ? BPF_CORE_READ(css, cgroup, kn) : NULL;
	}
	e->cgroup[0] = 0;
	e->cgroup_parent[0] = 0;
	e->cgroup_id = 0;
	if (kn) {
		e->cgroup_id = BPF_CORE_READ(kn, id);
		bpf_probe_read_kernel_str(e->cgroup, sizeof(e->cgroup), BPF_CORE_READ(kn, name));
		struct kernfs_node *p = kn_parent(kn);
		if (p)
			bpf_probe_read_kernel_str(e->cgroup_parent, sizeof(e->cgroup_parent), BPF_CORE_READ(p, name));
	}
	/* dockerd's cgroupfs driver: .../docker/<id>; systemd driver: docker-<id>.scope */
	bool in_container =
		(e->cgroup_parent[0] == 'd' && e->cgroup_parent[1] == 'o' && e->cgroup_parent[2] == 'c' &&
		 e->cgroup_parent[3] == 'k' && e->cgroup_parent[4] == 'e' && e->cgroup_parent[5] == 'r' &&
		 e->cgroup_parent[6] == 0) ||
		(e->cgroup[0] == 'd' && e->cgroup[1] == 'o' && e->cgroup[2] == 'c' && e->cgroup[3] == 'k' &&
		 e->cgroup[4] == 'e' && e->cgroup[5] == 'r' && e->cgroup[6] == '-');
	if (!in_container) {
		if (!include_host)
			return false;
		e->flags |= RT_F_HOST;
	}

	struct task_struct *p = BPF_CORE_READ(t, real_parent);
	e->ppid = BPF_CORE_READ(p, tgid);
#pragma unroll
	for (int i = 0; i < RT_ANCESTORS; i++) {
		e->ancestors[i][0] = 0;
		e->ancestor_pids[i] = 0;
		if (!p)
			continue;
		e->ancestor_pids[i] = BPF_CORE_READ(p, tgid);
		bpf_probe_read_kernel_str(e->ancestors[i], RT_COMM_LEN, &p->comm);
		struct task_struct *next = BPF_CORE_READ(p, real_parent);
		p = next == p ? NULL : next;
	}

	e->args_len = 0;
	e->args[0] = 0;
	e->exe[0] = 0;
	struct mm_struct *mm = BPF_CORE_READ(t, mm);
	if (mm) {
		struct dentry *d = BPF_CORE_READ(mm, exe_file, f_path.dentry);
		if (d)
			dentry_path(s, d, e->exe);
		unsigned long start = BPF_CORE_READ(mm, arg_start), end = BPF_CORE_READ(mm, arg_end);
		unsigned long len = end > start ? end - start : 0;
		if (len > RT_ARGS_LEN - 1)
			len = RT_ARGS_LEN - 1;
		if (len && bpf_probe_read_user(e->args, len & (RT_ARGS_LEN - 1), (void *)start) == 0)
			e->args_len = len;
		e->args[len & (RT_ARGS_LEN - 1)] = 0;
	}
	return true;
}

/* the last event of each process: the same thing again within a second is folded, so that a
 * loop cannot flood the ring buffer (and make it drop other events) by repeating itself */
struct recent {
	__u64 hash;
	__u64 ts;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, __u32);
	__type(value, struct recent);
} recent_events SEC(".maps");

static __always_inline __u64 event_hash(const struct rt_event *e)
{
	__u64 h = 1469598103934665603ULL ^ e->type;
	h = (h ^ (__u64)e->arg[0]) * 1099511628211ULL;
	h = (h ^ (__u64)e->arg[1]) * 1099511628211ULL;
	for (int i = 0; i < 64; i++) {
		char c = e->path[i];
		if (!c)
			break;
		h = (h ^ (__u8)c) * 1099511628211ULL;
	}
	return h;
}

static __always_inline bool is_repeat(const struct rt_event *e)
{
	if (e->type == RT_EV_EXEC)
		return false;   /* every exec is a new program */
	struct recent now = { .hash = event_hash(e), .ts = e->ts_boot_ns };
	struct recent *r = bpf_map_lookup_elem(&recent_events, &e->tgid);
	if (r && r->hash == now.hash && now.ts - r->ts < 1000000000ULL) {
		count(RT_CNT_REPEATS);
		return true;
	}
	bpf_map_update_elem(&recent_events, &e->tgid, &now, BPF_ANY);
	return false;
}

static __always_inline int emit(struct rt_event *e)
{
	if (is_repeat(e))
		return 0;
	if (bpf_ringbuf_output(&events, e, sizeof(*e), 0) < 0)
		count(RT_CNT_DROPPED);
	else
		count(RT_CNT_EMITTED);
	return 0;
}

/* Looks the end of path up in the suffix trie; with slash, as if path had a leading '/' (a bare name). */
static __always_inline __u32 suffix_lookup(struct scratch *s, const char *path, long len, bool slash)
{
	long n = len - 1;       /* without the NUL */
	for (int j = 0; j < RT_PATH_LEN - 1; j++) {
		if (j >= n)
			break;
		s->key.data[j] = path[(n - 1 - j) & (RT_PATH_LEN - 1)];
	}
	if (slash && n >= 0 && n < RT_PATH_LEN)
		s->key.data[n & (RT_PATH_LEN - 1)] = '/';
	s->key.prefixlen = (__u32)(n + (slash ? 1 : 0)) * 8;
	__u32 *v = bpf_map_lookup_elem(&path_suffixes, &s->key);
	return v ? *v : 0;
}

static __always_inline __u32 suffix_mask(struct scratch *s, const char *path, long len)
{
	return suffix_lookup(s, path, len, false);
}

static __always_inline __u32 suffix_mask_slash(struct scratch *s, const char *path, long len)
{
	return suffix_lookup(s, path, len, true);
}

/* The watched-operation mask for a path (prefix trie, then suffix trie when a suffix entry
 * watches one of the operations in want); len includes the NUL. */
static __always_inline __u32 path_mask(struct scratch *s, const char *path, long len, __u32 want)
{
	__u32 mask = 0;
	if (len <= 1 || len > RT_PATH_LEN)
		return 0;
	s->key.prefixlen = (__u32)len * 8;
	bpf_probe_read_kernel(s->key.data, sizeof(s->key.data), path);
	__u32 *v = bpf_map_lookup_elem(&path_prefixes, &s->key);
	if (v)
		mask |= *v;
	if (want & suffix_ops)
		mask |= suffix_mask(s, path, len);
	return mask;
}

/* The dentry a relative path starts from: the task's working directory for AT_FDCWD, else dirfd's file
 * (for ftruncate, the file itself). */
static __always_inline struct dentry *dir_dentry(struct task_struct *t, __s64 dirfd)
{
	if ((int)dirfd == AT_FDCWD)
		return BPF_CORE_READ(t, fs, pwd.dentry);
	int fd = (int)dirfd;
	unsigned int max_fds = BPF_CORE_READ(t, files, fdt, max_fds);
	if (fd < 0 || (unsigned int)fd >= max_fds)
		return NULL;
	struct file **fds = BPF_CORE_READ(t, files, fdt, fd);
	struct file *f = NULL;
	bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]);
	return f ? BPF_CORE_READ(f, f_path.dentry) : NULL;
}

/* A relative e->path (len with its NUL) made absolute from dirfd's directory, as far as dentries tell
 * (a leading "./" dropped; ".." is not folded). Returns the new length, or len when it cannot. */
static __always_inline long absolute_path(struct scratch *s, struct task_struct *t, __s64 dirfd, long len)
{
	struct rt_event *e = &s->ev;
	struct dentry *d = dir_dentry(t, dirfd);
	if (!d)
		return len;
	int skip = e->path[0] == '.' && e->path[1] == '/' ? 2 : 0;
	/* the relative part waits in path2 while the directory's path is assembled */
	bpf_probe_read_kernel_str(e->path2, sizeof(e->path2), &e->path[skip]);
	long blen = dentry_path(s, d, e->path);
	if (blen <= 0)
		return len;
	bpf_probe_read_kernel(s->tmp, RT_PATH_LEN, e->path);
	long off = blen - 1;
	if (off > 1) {
		s->tmp[off & (RT_PATH_LEN - 1)] = '/';
		off++;
	}
	if (off >= RT_PATH_LEN)
		return len;
	/* tmp holds RT_PATH_LEN more bytes past any offset below RT_PATH_LEN */
	bpf_probe_read_kernel_str(&s->tmp[off & (RT_PATH_LEN - 1)], RT_PATH_LEN, e->path2);
	return bpf_probe_read_kernel_str(e->path, sizeof(e->path), s->tmp);
}

/* An open whose path has a ".." component (or "." or "//", or is too long to see whole) and
 * matched no rule as passed: its sys_exit program names the file it opened from the file's
 * dentries instead. Keyed by thread. */
struct pending_open {
	__u32 want;
	__u32 pad;
	__s64 a0, a1;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, struct pending_open);
} pending_opens SEC(".maps");

/* Whether an absolute path (len with its NUL) names its file in another way than the rules spell
 * it: a ".." component ("/../" or "/..<NUL>"), a "." one ("/./") or a doubled slash, found in a
 * window of its last bytes (few branches: the verifier walks each byte). */
static __always_inline bool is_roundabout(const char *path, long len)
{
	const __u32 dotdot = '/' << 24 | '.' << 16 | '.' << 8 | '/', dotdot_end = '/' << 24 | '.' << 16 | '.' << 8;
	const __u32 dot = '/' << 16 | '.' << 8 | '/', slashes = '/' << 8 | '/';
	__u32 w = 0;
	for (int i = 0; i < RT_PATH_LEN; i++) {
		if (i >= len)
			break;
		w = w << 8 | (__u8)path[i];
		if (w == dotdot || w == dotdot_end || (w & 0xffffff) == dot || (w & 0xffff) == slashes)
			return true;
	}
	return false;
}

/* Reads a user path into e->path (absolute: a relative one is taken from dirfd's directory) and
 * reports it when a rule watches one of the operations in want; an open (defer) whose path has a
 * ".." component (is_roundabout) is left to its sys_exit program. */
static __always_inline int path_event_d(__u32 type, __s64 dirfd, const char *upath, __u32 want, __s64 a0, __s64 a1,
					bool defer)
{
	struct task_struct *t;
	struct scratch *s = begin(&t);
	if (!s)
		return 0;
	struct rt_event *e = &s->ev;
	long len = bpf_probe_read_user_str(e->path, sizeof(e->path), upath);
	if (len <= 1)
		return 0;
	if (e->path[0] != '/')
		len = absolute_path(s, t, dirfd, len);
	if (!(path_mask(s, e->path, len, want) & want)) {
		/* a path cut at RT_PATH_LEN may hide its ".." past the cut */
		if (defer && (len >= RT_PATH_LEN || is_roundabout(e->path, len))) {
			__u64 id = bpf_get_current_pid_tgid();
			struct pending_open po = { .want = want, .a0 = a0, .a1 = a1 };
			bpf_map_update_elem(&pending_opens, &id, &po, BPF_ANY);
		}
		return 0;
	}
	if (!fill_common(s, t, type))
		return 0;
	e->arg[0] = a0;
	e->arg[1] = a1;
	e->path2[0] = 0;
	return emit(e);
}

static __always_inline int path_event(__u32 type, __s64 dirfd, const char *upath, __u32 want, __s64 a0, __s64 a1)
{
	return path_event_d(type, dirfd, upath, want, a0, a1, false);
}

static __always_inline int open_event(__s64 dirfd, const char *upath, __s64 flags, __s64 mode)
{
	__u32 want = (flags & O_ACCMODE) == O_RDONLY ? RT_PM_READ : RT_PM_WRITE;
	if (flags & O_CREAT)
		want |= RT_PM_WRITE;
	if (flags & O_TRUNC)
		want |= RT_PM_TRUNC;
	return path_event_d(RT_EV_OPEN, dirfd, upath, want, flags, mode, true);
}

/* The exit of an open its sys_enter program left pending: the opened file's path from its
 * dentries ("..", resolved by the kernel, is gone), matched and reported as at sys_enter. */
static __always_inline int open_exit(struct trace_event_raw_sys_exit *ctx)
{
	if (early_out())
		return 0;
	__u64 id = bpf_get_current_pid_tgid();
	struct pending_open *pp = bpf_map_lookup_elem(&pending_opens, &id);
	if (!pp)
		return 0;
	struct pending_open po = *pp;
	bpf_map_delete_elem(&pending_opens, &id);
	long fd = ctx->ret;
	if (fd < 0)
		return 0;
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	struct scratch *s = get_scratch();
	if (!s)
		return 0;
	struct dentry *d = dir_dentry(t, fd);
	if (!d)
		return 0;
	struct rt_event *e = &s->ev;
	long len = dentry_path(s, d, e->path);
	if (len <= 1 || !(path_mask(s, e->path, len, po.want) & po.want))
		return 0;
	if (!fill_common(s, t, RT_EV_OPEN))
		return 0;
	e->arg[0] = po.a0;
	e->arg[1] = po.a1;
	e->path2[0] = 0;
	return emit(e);
}

SEC("tracepoint/syscalls/sys_enter_open")
int tp_open(struct trace_event_raw_sys_enter *ctx)
{
	return open_event(AT_FDCWD, (const char *)ctx->args[0], ctx->args[1], ctx->args[2]);
}

SEC("tracepoint/syscalls/sys_enter_openat")
int tp_openat(struct trace_event_raw_sys_enter *ctx)
{
	return open_event(ctx->args[0], (const char *)ctx->args[1], ctx->args[2], ctx->args[3]);
}

SEC("tracepoint/syscalls/sys_enter_openat2")
int tp_openat2(struct trace_event_raw_sys_enter *ctx)
{
	if (early_out())
		return 0;       /* before reading user memory */
	__u64 flags = 0;
	bpf_probe_read_user(&flags, sizeof(flags), (void *)ctx->args[2]);
	return open_event(ctx->args[0], (const char *)ctx->args[1], (__s64)flags, 0);
}

SEC("tracepoint/syscalls/sys_enter_creat")
int tp_creat(struct trace_event_raw_sys_enter *ctx)
{
	return open_event(AT_FDCWD, (const char *)ctx->args[0], O_CREAT | O_WRONLY | O_TRUNC, ctx->args[1]);
}

SEC("tracepoint/syscalls/sys_exit_open")
int tp_exit_open(struct trace_event_raw_sys_exit *ctx)
{
	return open_exit(ctx);
}

SEC("tracepoint/syscalls/sys_exit_openat")
int tp_exit_openat(struct trace_event_raw_sys_exit *ctx)
{
	return open_exit(ctx);
}

SEC("tracepoint/syscalls/sys_exit_openat2")
int tp_exit_openat2(struct trace_event_raw_sys_exit *ctx)
{
	return open_exit(ctx);
}

SEC("tracepoint/syscalls/sys_exit_creat")
int tp_exit_creat(struct trace_event_raw_sys_exit *ctx)
{
	return open_exit(ctx);
}

SEC("tracepoint/syscalls/sys_enter_truncate")
int tp_truncate(struct trace_event_raw_sys_enter *ctx)
{
	return path_event(RT_EV_TRUNCATE, AT_FDCWD, (const char *)ctx->args[0], RT_PM_TRUNC, ctx->args[1], 0);
}

/* ftruncate(fd, 0): the file's path comes from its dentries */
SEC("tracepoint/syscalls/sys_enter_ftruncate")
int tp_ftruncate(struct trace_event_raw_sys_enter *ctx)
{
	if (ctx->args[1] != 0)
		return 0;
	struct task_struct *t;
	struct scratch *s = begin(&t);
	if (!s)
		return 0;
	int fd = (int)ctx->args[0];
	struct dentry *d = fd == AT_FDCWD ? NULL : dir_dentry(t, fd);
	if (!d)
		return 0;
	struct rt_event *e = &s->ev;
	long len = dentry_path(s, d, e->path);
	if (len <= 1 || !(path_mask(s, e->path, len, RT_PM_TRUNC) & RT_PM_TRUNC))
		return 0;
	if (!fill_common(s, t, RT_EV_TRUNCATE))
		return 0;
	e->arg[0] = 0;
	e->arg[1] = fd;
	e->path2[0] = 0;
	return emit(e);
}

static __always_inline int chmod_event(const char *upath, __s64 fd, __s64 mode)
{
	if (!(mode & (S_ISUID | S_ISGID)))
		return 0;
	struct task_struct *t;
	struct scratch *s = begin(&t);
	if (!s)
		return 0;
	struct rt_event *e = &s->ev;
	e->path[0] = 0;
	if (upath)
		bpf_probe_read_user_str(e->path, sizeof(e->path), upath);
	if (!fill_common(s, t, RT_EV_CHMOD))
		return 0;
	e->flags |= RT_F_SETID;
	e->arg[0] = mode;
	e->arg[1] = fd;
	e->path2[0] = 0;
	return emit(e);
}

SEC("tracepoint/syscalls/sys_enter_chmod")
int tp_chmod(struct trace_event_raw_sys_enter *ctx)
{
	return chmod_event((const char *)ctx->args[0], -1, ctx->args[1]);
}

SEC("tracepoint/syscalls/sys_enter_fchmodat")
int tp_fchmodat(struct trace_event_raw_sys_enter *ctx)
{
	return chmod_event((const char *)ctx->args[1], -1, ctx->args[2]);
}

SEC("tracepoint/syscalls/sys_enter_fchmodat2")
int tp_fchmodat2(struct trace_event_raw_sys_enter *ctx)
{
	return chmod_event((const char *)ctx->args[1], -1, ctx->args[2]);
}

SEC("tracepoint/syscalls/sys_enter_fchmod")
int tp_fchmod(struct trace_event_raw_sys_enter *ctx)
{
	return chmod_event(NULL, ctx->args[0], ctx->args[1]);
}

static __always_inline int symlink_event(const char *target, const char *linkpath)
{
	struct task_struct *t;
	struct scratch *s = begin(&t);
	if (!s)
		return 0;
	struct rt_event *e = &s->ev;
	long len = bpf_probe_read_user_str(e->path, sizeof(e->path), target);
	if (len <= 0 || !(path_mask(s, e->path, len, RT_PM_SYMLINK) & RT_PM_SYMLINK))
		return 0;
	if (!fill_common(s, t, RT_EV_SYMLINK))
		return 0;
	bpf_probe_read_user_str(e->path2, sizeof(e->path2), linkpath);
	return emit(e);
}

SEC("tracepoint/syscalls/sys_enter_symlink")
int tp_symlink(struct trace_event_raw_sys_enter *ctx)
{
	return symlink_event((const char *)ctx->args[0], (const char *)ctx->args[1]);
}

SEC("tracepoint/syscalls/sys_enter_symlinkat")
int tp_symlinkat(struct trace_event_raw_sys_enter *ctx)
{
	return symlink_event((const char *)ctx->args[0], (const char *)ctx->args[2]);
}

/* connect() to a unix socket: no hook off the syscall path sees its path */
SEC("tracepoint/syscalls/sys_enter_connect")
int tp_connect(struct trace_event_raw_sys_enter *ctx)
{
	struct task_struct *t;
	struct scratch *s = begin(&t);     /* host tasks out before reading user memory */
	if (!s)
		return 0;
	const void *uaddr = (const void *)ctx->args[1];
	__u16 family = 0;
	if (bpf_probe_read_user(&family, sizeof(family), uaddr) < 0 || family != AF_UNIX)
		return 0;
	struct rt_event *e = &s->ev;
	e->path[0] = 0;
	__builtin_memset(e->addr, 0, sizeof(e->addr));
	long len = bpf_probe_read_user_str(e->path, 108, uaddr + 2);
	if (len <= 1 || !(path_mask(s, e->path, len, RT_PM_UNIX) & RT_PM_UNIX))
		return 0;
	if (!fill_common(s, t, RT_EV_CONNECT))
		return 0;
	e->arg[0] = family;
	e->arg[1] = 0;
	e->path2[0] = 0;
	return emit(e);
}

/* A TCP connection being opened (SYN sent: connect(), or sendto with TCP Fast Open) to a watched
 * port: on the socket's state change, in the connecting task, not on the syscall path. UDP has
 * no such state: connected UDP sockets are not seen. */
SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(inet_connect, const struct sock *sk, const int oldstate, const int newstate)
{
	if (newstate != TCP_SYN_SENT || oldstate != TCP_CLOSE)
		return 0;
	__u16 port = __builtin_bswap16(BPF_CORE_READ(sk, __sk_common.skc_dport));
	if (!bpf_map_lookup_elem(&ports, &port))
		return 0;
	struct task_struct *t;
	struct scratch *s = begin(&t);
	if (!s)
		return 0;
	struct rt_event *e = &s->ev;
	__u16 family = BPF_CORE_READ(sk, __sk_common.skc_family);
	__builtin_memset(e->addr, 0, sizeof(e->addr));
	if (family == AF_INET)
		bpf_core_read(e->addr, 4, &sk->__sk_common.skc_daddr);
	else if (family == AF_INET6)
		bpf_core_read(e->addr, 16, &sk->__sk_common.skc_v6_daddr);
	else
		return 0;
	if (!fill_common(s, t, RT_EV_CONNECT))
		return 0;
	e->arg[0] = family;
	e->arg[1] = port;
	e->path[0] = 0;
	e->path2[0] = 0;
	return emit(e);
}

/* Events whose syscall alone is the signal: only container-ness and the arguments. */
static __always_inline int simple_event(__u32 type, __s64 a0, __s64 a1, __s64 a2)
{
	struct task_struct *t;
	struct scratch *s = begin(&t);
	if (!s)
		return 0;
	struct rt_event *e = &s->ev;
	if (!fill_common(s, t, type))
		return 0;
	e->arg[0] = a0;
	e->arg[1] = a1;
	e->arg[2] = a2;
	e->path[0] = 0;
	e->path2[0] = 0;
	return emit(e);
}

SEC("tracepoint/syscalls/sys_enter_ptrace")
int tp_ptrace(struct trace_event_raw_sys_enter *ctx)
{
	__s64 req = ctx->args[0];
	if (req != PTRACE_ATTACH && req != PTRACE_SEIZE && (req < PTRACE_POKETEXT || req > PTRACE_POKEUSER))
		return 0;
	return simple_event(RT_EV_PTRACE, req, ctx->args[1], 0);
}

SEC("tracepoint/syscalls/sys_enter_unshare")
int tp_unshare(struct trace_event_raw_sys_enter *ctx)
{
	return simple_event(RT_EV_UNSHARE, ctx->args[0], 0, 0);
}

SEC("tracepoint/syscalls/sys_enter_setns")
int tp_setns(struct trace_event_raw_sys_enter *ctx)
{
	return simple_event(RT_EV_SETNS, ctx->args[1], ctx->args[0], 0);
}

SEC("tracepoint/syscalls/sys_enter_socket")
int tp_socket(struct trace_event_raw_sys_enter *ctx)
{
	if (ctx->args[0] != AF_PACKET)
		return 0;
	return simple_event(RT_EV_SOCKET, ctx->args[0], ctx->args[1], ctx->args[2]);
}

SEC("tracepoint/syscalls/sys_enter_bpf")
int tp_bpf(struct trace_event_raw_sys_enter *ctx)
{
	return simple_event(RT_EV_BPF, ctx->args[0], 0, 0);
}

SEC("tracepoint/syscalls/sys_enter_userfaultfd")
int tp_userfaultfd(struct trace_event_raw_sys_enter *ctx)
{
	return simple_event(RT_EV_USERFAULTFD, ctx->args[0], 0, 0);
}

SEC("tracepoint/syscalls/sys_enter_process_vm_writev")
int tp_process_vm_writev(struct trace_event_raw_sys_enter *ctx)
{
	return simple_event(RT_EV_VM_WRITEV, ctx->args[0], 0, 0);
}

SEC("tracepoint/syscalls/sys_enter_mount")
int tp_mount(struct trace_event_raw_sys_enter *ctx)
{
	struct task_struct *t;
	struct scratch *s = begin(&t);
	if (!s)
		return 0;
	struct rt_event *e = &s->ev;
	if (!fill_common(s, t, RT_EV_MOUNT))
		return 0;
	e->path[0] = 0;
	e->path2[0] = 0;
	if (ctx->args[0])
		bpf_probe_read_user_str(e->path, sizeof(e->path), (void *)ctx->args[0]);
	if (ctx->args[1])
		bpf_probe_read_user_str(e->path2, sizeof(e->path2), (void *)ctx->args[1]);
	/* the file-system type goes into addr (16 bytes, NUL-padded) */
	__builtin_memset(e->addr, 0, sizeof(e->addr));
	if (ctx->args[2])
		bpf_probe_read_user_str(e->addr, sizeof(e->addr), (void *)ctx->args[2]);
	e->arg[0] = ctx->args[3];
	return emit(e);
}

/* No per-syscall tracepoint exists for module loading: init_module and finit_module begin
 * with capable(CAP_SYS_MODULE), whose tracepoint fires only on capability checks. Kernels
 * before 6.14 pass (cred, ns, cap, ret), later ones (cred, ns, capable_ns, cap, ret). */
SEC("raw_tp/cap_capable")
int raw_cap_capable(struct bpf_raw_tracepoint_args *ctx)
{
	__u64 a2 = ctx->args[2], a3 = ctx->args[3];
	/* two plain loads: a ctx offset computed at run time is refused by the verifier */
	asm volatile("" : "+r"(a2), "+r"(a3));
	__s64 cap = (__s64)(cap_arg_index == 3 ? a3 : a2);
	if (cap != CAP_SYS_MODULE)
		return 0;
	return simple_event(RT_EV_MODULE, cap, 0, 0);
}

/* For kernels without loadable modules (no capability check happens) and for attempts
 * seccomp lets through: the loader attaches this only when a rule asks, since a program
 * on raw_syscalls:sys_enter runs on every syscall of the host. */
SEC("raw_tracepoint/sys_enter")
int raw_sys_enter(struct bpf_raw_tracepoint_args *ctx)
{
	__s64 id = (__s64)ctx->args[1];
	if (id != module_syscall_a && id != module_syscall_b)
		return 0;
	return simple_event(RT_EV_MODULE_SYSCALL, id, 0, 0);
}

static __always_inline bool is_runtime_name(const char *c)
{
	/* runc, crun, docker-runc: the OCI runtimes dockerd drives */
	if (c[0] == 'r' && c[1] == 'u' && c[2] == 'n' && c[3] == 'c' && c[4] == 0)
		return true;
	if (c[0] == 'c' && c[1] == 'r' && c[2] == 'u' && c[3] == 'n' && c[4] == 0)
		return true;
	return c[0] == 'd' && c[1] == 'o' && c[2] == 'c' && c[3] == 'k' && c[4] == 'e' && c[5] == 'r' &&
	       c[6] == '-' && c[7] == 'r' && c[8] == 'u' && c[9] == 'n' && c[10] == 'c' && c[11] == 0;
}

static __always_inline bool fd_is_socket(struct file **fds, int fd)
{
	struct file *f = NULL;
	bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]);
	if (!f)
		return false;
	umode_t m = BPF_CORE_READ(f, f_inode, i_mode);
	return (m & S_IFMT) == S_IFSOCK;
}

static __always_inline __s64 inode_ctime_ns(struct inode *ino)
{
	if (bpf_core_field_exists(ino->i_ctime_sec))
		return BPF_CORE_READ(ino, i_ctime_sec) * 1000000000LL + BPF_CORE_READ(ino, i_ctime_nsec);
	struct inode___v66 *a = (void *)ino;
	if (bpf_core_field_exists(a->__i_ctime))
		return BPF_CORE_READ(a, __i_ctime.tv_sec) * 1000000000LL + BPF_CORE_READ(a, __i_ctime.tv_nsec);
	struct inode___old *b = (void *)ino;
	return BPF_CORE_READ(b, i_ctime.tv_sec) * 1000000000LL + BPF_CORE_READ(b, i_ctime.tv_nsec);
}

/* memfd, deleted and changed-since-start flags of one executed file */
static __always_inline __u32 file_flags(struct file *f, __s64 started_real_ns)
{
	if (!f)
		return 0;
	__u32 flags = 0;
	char name[8] = {};
	bpf_probe_read_kernel_str(name, sizeof(name), BPF_CORE_READ(f, f_path.dentry, d_name.name));
	struct inode *ino = BPF_CORE_READ(f, f_inode);
	if (name[0] == 'm' && name[1] == 'e' && name[2] == 'm' && name[3] == 'f' && name[4] == 'd' && name[5] == ':')
		flags |= RT_F_MEMFD;
	else if (BPF_CORE_READ(ino, __i_nlink) == 0)
		flags |= RT_F_DELETED;
	if (started_real_ns && inode_ctime_ns(ino) >= started_real_ns)
		flags |= RT_F_NEW_FILE;
	return flags;
}

/* The runtime's argv (its start and its end, where a container id goes) to the loader: a
 * container may be about to start, and its first process must find the per-syscall programs
 * attached. Only runtime execs come here: a few per container start or exec. */
static __always_inline void runtime_note(struct task_struct *p)
{
	struct rt_note *n = bpf_ringbuf_reserve(&events, sizeof(*n), 0);
	if (!n)
		return;
	n->ts_boot_ns = bpf_ktime_get_boot_ns();
	n->type = RT_NOTE_RUNTIME;
	unsigned long start = BPF_CORE_READ(p, mm, arg_start), end = BPF_CORE_READ(p, mm, arg_end);
	unsigned long len = end > start ? end - start : 0;
	n->args_len = (__u32)len;
	unsigned long hl = len < RT_NOTE_HEAD ? len : RT_NOTE_HEAD;
	n->head[0] = 0;
	if (hl)
		bpf_probe_read_user(n->head, hl & (RT_NOTE_HEAD * 2 - 1), (void *)start);
	unsigned long from = len > RT_NOTE_TAIL ? end - RT_NOTE_TAIL : start;
	if (bpf_probe_read_user(n->tail, sizeof(n->tail), (void *)from) < 0)
		n->tail[0] = 0;
	bpf_ringbuf_submit(n, 0);
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(sched_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	__u32 tgid = BPF_CORE_READ(p, tgid);
	__u64 mntns = task_mntns(p);
	if (mntns == host_mntns) {
		char comm[RT_COMM_LEN];
		bpf_probe_read_kernel_str(comm, sizeof(comm), &p->comm);
		if (is_runtime_name(comm)) {
			__u8 one = 1;
			bpf_map_update_elem(&setup_tasks, &tgid, &one, BPF_ANY);
			runtime_note(p);
		}
		if (!include_host)
			return 0;
	} else {
		/* the runtime's init becomes the workload here */
		bpf_map_delete_elem(&setup_tasks, &tgid);
	}
	struct scratch *s = get_scratch();
	if (!s)
		return 0;
	struct rt_event *e = &s->ev;
	int flen = bpf_probe_read_kernel_str(e->path, sizeof(e->path), BPF_CORE_READ(bprm, filename));
	int ilen = bpf_probe_read_kernel_str(e->path2, sizeof(e->path2), BPF_CORE_READ(bprm, interp));
	if (flen <= 0)
		return 0;

	struct task_struct *reaper = BPF_CORE_READ(p, nsproxy, pid_ns_for_children, child_reaper);
	__s64 started = reaper ? (__s64)BPF_CORE_READ(reaper, start_boottime) + boot_to_real_ns : 0;
	__u32 flags = file_flags(BPF_CORE_READ(bprm, file), started);
	struct file *orig = BPF_CORE_READ(bprm, executable);
	if (orig && orig != BPF_CORE_READ(bprm, file))
		flags |= file_flags(orig, started);
	if (BPF_CORE_READ(p, signal, tty))
		flags |= RT_F_TTY;
	struct file **fds = BPF_CORE_READ(p, files, fdt, fd);
	unsigned int max_fds = BPF_CORE_READ(p, files, fdt, max_fds);
	if (fds && max_fds > 1) {
		if (fd_is_socket(fds, 0))
			flags |= RT_F_STDIN_SOCK;
		if (fd_is_socket(fds, 1))
			flags |= RT_F_STDOUT_SOCK;
	}

	bool pass = exec_pass_all || (flags & exec_pass_flags);
	if (!pass && flen > 1 && flen <= RT_PATH_LEN)
		pass = suffix_mask(s, e->path, flen) & RT_PM_EXEC;
	if (!pass && ilen > 1 && ilen <= RT_PATH_LEN)
		pass = suffix_mask(s, e->path2, ilen) & RT_PM_EXEC;
	if (!pass) {
		/* multi-call binaries (busybox) run applets as /proc/self/exe with argv[0] naming them */
		unsigned long argv0 = BPF_CORE_READ(p, mm, arg_start);
		long alen = bpf_probe_read_user_str(e->args, RT_ARGS_LEN, (void *)argv0);
		if (alen > 1 && alen < RT_PATH_LEN) {
			pass = suffix_mask_slash(s, e->args, alen) & RT_PM_EXEC;
		}
	}
	if (!pass)
		return 0;
	if (!fill_common(s, p, RT_EV_EXEC))
		return 0;
	e->flags |= flags;
	e->arg[0] = old_pid;
	return emit(e);
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(sched_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 ptgid = BPF_CORE_READ(parent, tgid);
	if (!bpf_map_lookup_elem(&setup_tasks, &ptgid))
		return 0;
	__u32 ctgid = BPF_CORE_READ(child, tgid);
	__u8 one = 1;
	bpf_map_update_elem(&setup_tasks, &ctgid, &one, BPF_ANY);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(sched_exit, struct task_struct *p)
{
	__u32 pid = BPF_CORE_READ(p, pid), tgid = BPF_CORE_READ(p, tgid);
	if (pid == tgid)
		bpf_map_delete_elem(&setup_tasks, &tgid);
	return 0;
}
