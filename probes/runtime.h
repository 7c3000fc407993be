/* runtime.h: the event record and filter-map layouts shared by runtime.bpf.c and its loader. */
#pragma once

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define RT_COMM_LEN 16
#define RT_CGROUP_LEN 80
#define RT_PATH_LEN 256
#define RT_ARGS_LEN 256
#define RT_ANCESTORS 4

/* What the kernel side reports. Numbering is part of the loader ABI only. */
enum rt_event_type {
	RT_EV_NONE = 0,
	RT_EV_EXEC,
	RT_EV_OPEN,
	RT_EV_CONNECT,
	RT_EV_PTRACE,
	RT_EV_MOUNT,
	RT_EV_UNSHARE,
	RT_EV_SETNS,
	RT_EV_SOCKET,
	RT_EV_BPF,
	RT_EV_CHMOD,
	RT_EV_SYMLINK,
	RT_EV_TRUNCATE,
	RT_EV_USERFAULTFD,
	RT_EV_VM_WRITEV,
	RT_EV_MODULE,           /* the CAP_SYS_MODULE check of init_module/finit_module */
	RT_EV_MODULE_SYSCALL,   /* the syscalls themselves, on raw_syscalls: every syscall pays */
	RT_EV__COUNT,
};

/* rt_event.flags */
#define RT_F_TTY          (1u << 0)     /* has a controlling terminal */
#define RT_F_STDIN_SOCK   (1u << 1)     /* fd 0 is a socket */
#define RT_F_STDOUT_SOCK  (1u << 2)     /* fd 1 is a socket */
#define RT_F_MEMFD        (1u << 3)     /* exec: the binary is a memfd */
#define RT_F_DELETED      (1u << 4)     /* exec: the binary has no link left */
#define RT_F_NEW_FILE     (1u << 5)     /* exec: the binary changed after the container started */
#define RT_F_HOST         (1u << 6)     /* not in a container */
#define RT_F_SETID        (1u << 7)     /* chmod: mode has setuid or setgid */

/* Bits of the path-filter maps: which operations on a path a rule watches. */
#define RT_PM_READ     (1u << 0)        /* open for reading */
#define RT_PM_WRITE    (1u << 1)        /* open for writing or creation */
#define RT_PM_TRUNC    (1u << 2)        /* open with O_TRUNC, truncate() */
#define RT_PM_SYMLINK  (1u << 3)        /* symlink pointing at the path */
#define RT_PM_UNIX     (1u << 4)        /* connect() to a unix socket at the path */
#define RT_PM_CHMOD    (1u << 5)        /* chmod of the path */
#define RT_PM_EXEC     (1u << 6)        /* exec of a program whose path ends so ("/sh") */

/* One record on the ring buffer. Strings are NUL-terminated or full. */
struct rt_event {
	__u64 ts_boot_ns;
	__u32 type;             /* enum rt_event_type */
	__u32 flags;            /* RT_F_* */
	__u32 pid, tgid, ppid, uid, gid;
	__u32 ancestor_pids[RT_ANCESTORS];
	__u64 mntns;
	__u64 cgroup_id;        /* kernfs id of the hierarchy the loader chose */
	__s64 arg[3];           /* per type: open flags/mode, port/family, ptrace request/pid, ns flags, syscall */
	__u8 addr[16];          /* connect: IPv4 (first 4 bytes) or IPv6 address */
	char comm[RT_COMM_LEN];
	char ancestors[RT_ANCESTORS][RT_COMM_LEN];      /* parent, grandparent, ... */
	char cgroup[RT_CGROUP_LEN];                     /* leaf name of the cgroup */
	char cgroup_parent[RT_COMM_LEN];                /* its parent's name */
	char path[RT_PATH_LEN];         /* exec filename, open/chmod/truncate path, unix socket, symlink target, mount source */
	char path2[RT_PATH_LEN];        /* exec interpreter, symlink name, mount target, mount fs type */
	char args[RT_ARGS_LEN];         /* the process's argv, NUL-separated */
	char exe[RT_PATH_LEN];          /* the program's file, up to the root of its mount */
	__u32 args_len;
	__u32 pad;
};

/* Key of the prefix trie (the path) and of the suffix trie (the path reversed). */
struct rt_path_key {
	__u32 prefixlen;        /* in bits */
	char data[RT_PATH_LEN];
};


/* A notice on the ring buffer, not an event: the container runtime (runc, crun) was exec'd on
 * the host, maybe to create a container ("runc ... create ... ID"). Starts like struct rt_event. */
#define RT_NOTE_RUNTIME 0x100
#define RT_NOTE_HEAD 1024
#define RT_NOTE_TAIL 128
struct rt_note {
	__u64 ts_boot_ns;
	__u32 type;             /* RT_NOTE_* */
	__u32 args_len;         /* of the whole argv; head and tail hold its first and last bytes */
	char head[RT_NOTE_HEAD];
	char tail[RT_NOTE_TAIL];
};

/* counters map indexes: sent, lost to a full ring buffer, folded in the kernel as a repeat */
enum rt_counter { RT_CNT_EMITTED, RT_CNT_DROPPED, RT_CNT_REPEATS, RT_CNT__COUNT };
