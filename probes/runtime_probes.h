/* runtime_probes.h: loading runtime.bpf.c, feeding its filter maps and reading its ring buffer. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "probes/runtime.h"

/* One entry of the kernel's path filter: a prefix, an exact path or a
 * suffix ("/release_agent", "/sh" for programs) and the RT_PM_* operations
 * watched on it. */
struct rt_path_filter {
	char path[RT_PATH_LEN];
	bool exact;             /* the whole path, not a prefix */
	bool suffix;            /* matched at the end of paths */
	uint32_t mask;
};

struct rt_probe_config {
	bool want[RT_EV__COUNT];        /* event types some active rule needs */
	bool connect_unix, connect_inet;        /* connect: unix paths (a syscall probe), TCP ports (not one) */
	bool include_host;              /* report tasks outside containers too */
	bool exec_pass_all;             /* every exec in a container crosses (else: RT_PM_EXEC suffixes) */
	uint32_t exec_pass_flags;       /* execs with any of these RT_F_* cross */
	const struct rt_path_filter *paths; size_t n_paths;
	const uint16_t *ports; size_t n_ports;
	uint32_t ringbuf_bytes;         /* power of two; 0 = 1 MiB */
};

/* Why a kernel lacks what an event type needs ("" when it has it). */
struct rt_probe_support {
	bool btf;                       /* /sys/kernel/btf/vmlinux */
	bool tracefs;                   /* syscall tracepoints are listed */
	bool event[RT_EV__COUNT];
	char reason[RT_EV__COUNT][96];
};

/* Looks at the kernel (BTF, tracefs — mounted when absent and we may — and
 * each tracepoint) without loading anything. */
void rt_probes_support(struct rt_probe_support *s);
/* Kernel tracepoints an event type attaches to, for messages ("sys_enter_openat, ..."). */
const char *rt_probes_event_sources(int type);

typedef int (*rt_event_fn)(const struct rt_event *ev, void *user);
/* The container runtime was exec'd on the host: its argv, args_len bytes, NUL-separated (of
 * which the first RT_NOTE_HEAD and the last RT_NOTE_TAIL are in n). */
typedef void (*rt_note_fn)(const struct rt_note *n, void *user);

struct rt_probes;

/* Loads and attaches what cfg wants. Returns 0, -EPERM (not privileged),
 * -ENOTSUP (no BTF) or another -errno, with the reason in err. On success
 * attached[type] tells which event types are really live. */
int rt_probes_open(const struct rt_probe_config *cfg, rt_event_fn cb, void *user, struct rt_probes **out,
		   bool attached[RT_EV__COUNT], char *err, size_t errlen);
/* Where the runtime notice goes (NULL: nowhere); user is the one given to rt_probes_open. */
void rt_probes_on_runtime(struct rt_probes *p, rt_note_fn fn);
/* Attaches (on) or detaches the per-syscall tracepoint programs; the sched and other
 * non-syscall programs stay. Any syscalls:* tracepoint puts every task of the host on the
 * kernel's syscall-tracing slow path, so they are attached only while there is something
 * to watch. rt_probes_open leaves them attached. Returns 0 or the first attach's -errno. */
int rt_probes_set_syscalls(struct rt_probes *p, bool on);
bool rt_probes_syscalls_on(const struct rt_probes *p);
/* Whether any per-syscall program is loaded (none: nothing to attach or detach). */
bool rt_probes_has_syscalls(const struct rt_probes *p);
/* The ring buffer's epoll fd: readable when events wait. */
int rt_probes_fd(const struct rt_probes *p);
/* Delivers what is waiting; returns the count or the callback's negative answer. */
int rt_probes_consume(struct rt_probes *p);
/* Totals over all CPUs since load: sent, lost (ring buffer full), folded repeats. */
void rt_probes_counters(const struct rt_probes *p, uint64_t *emitted, uint64_t *dropped, uint64_t *repeats);
/* CLOCK_REALTIME - CLOCK_BOOTTIME in ns: turns ts_boot_ns into wall time. */
int64_t rt_probes_boot_to_real_ns(void);
void rt_probes_close(struct rt_probes *p);
