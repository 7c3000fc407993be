/* vmlinux_fallback.h: fallback kernel types (copied to the build's vmlinux.h) for hosts without /sys/kernel/btf/vmlinux; CO-RE relocates every field at load time. */
#ifndef __VMLINUX_H__
#define __VMLINUX_H__

typedef unsigned char __u8;
typedef short int __s16;
typedef short unsigned int __u16;
typedef int __s32;
typedef unsigned int __u32;
typedef long long int __s64;
typedef long long unsigned int __u64;
typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;
typedef __s64 s64;
typedef _Bool bool;
enum { false = 0, true = 1 };
typedef int pid_t;
typedef unsigned short umode_t;
typedef long long time64_t;
typedef __u16 __be16;
typedef __u32 __be32;
typedef __u32 __wsum;

enum bpf_map_type {
	BPF_MAP_TYPE_HASH = 1,
	BPF_MAP_TYPE_ARRAY = 2,
	BPF_MAP_TYPE_PERCPU_ARRAY = 6,
	BPF_MAP_TYPE_LPM_TRIE = 11,
	BPF_MAP_TYPE_LRU_HASH = 9,
	BPF_MAP_TYPE_RINGBUF = 27,
};
enum { BPF_ANY = 0, BPF_NOEXIST = 1, BPF_EXIST = 2 };
enum { BPF_F_NO_PREALLOC = 1 };

#pragma clang attribute push(__attribute__((preserve_access_index)), apply_to = record)

struct bpf_raw_tracepoint_args {
	__u64 args[0];
};

struct trace_entry {
	short unsigned int type;
	unsigned char flags;
	unsigned char preempt_count;
	int pid;
};

struct trace_event_raw_sys_enter {
	struct trace_entry ent;
	long int id;
	long unsigned int args[6];
	char __data[0];
};

struct trace_event_raw_sys_exit {
	struct trace_entry ent;
	long int id;
	long int ret;
	char __data[0];
};

enum cgroup_subsys_id {
	cpuset_cgrp_id = 0,
	cpu_cgrp_id = 1,
	cpuacct_cgrp_id = 2,
	io_cgrp_id = 3,
	memory_cgrp_id = 4,
};

struct timespec64 {
	time64_t tv_sec;
	long int tv_nsec;
};

struct qstr {
	unsigned int len;
	const unsigned char *name;
};

struct dentry {
	struct dentry *d_parent;
	struct qstr d_name;
};

struct inode {
	umode_t i_mode;
	unsigned int __i_nlink;
	time64_t i_ctime_sec;
	u32 i_ctime_nsec;
};

struct path {
	struct dentry *dentry;
};

struct fs_struct {
	struct path pwd;
};

struct file {
	struct path f_path;
	struct inode *f_inode;
};

struct fdtable {
	unsigned int max_fds;
	struct file **fd;
};

struct files_struct {
	struct fdtable *fdt;
};

struct tty_struct;

struct signal_struct {
	struct tty_struct *tty;
};

struct file;

struct mm_struct {
	struct file *exe_file;
	long unsigned int arg_start;
	long unsigned int arg_end;
};

struct kernfs_node {
	struct kernfs_node *__parent;
	const char *name;
	u64 id;
};

struct cgroup {
	struct kernfs_node *kn;
};

struct cgroup_subsys_state {
	struct cgroup *cgroup;
};

struct css_set {
	struct cgroup_subsys_state *subsys[12];
	struct cgroup *dfl_cgrp;
};

struct ns_common {
	unsigned int inum;
};

struct mnt_namespace {
	struct ns_common ns;
};

struct task_struct;

struct pid_namespace {
	struct task_struct *child_reaper;
};

struct nsproxy {
	struct mnt_namespace *mnt_ns;
	struct pid_namespace *pid_ns_for_children;
};

struct task_struct {
	pid_t pid;
	pid_t tgid;
	struct task_struct *real_parent;
	struct mm_struct *mm;
	u64 start_boottime;
	char comm[16];
	struct nsproxy *nsproxy;
	struct signal_struct *signal;
	struct fs_struct *fs;
	struct files_struct *files;
	struct css_set *cgroups;
};

struct in6_addr {
	__u8 s6_addr[16];
};

struct sock_common {
	__be32 skc_daddr;
	__be16 skc_dport;
	short unsigned int skc_family;
	struct in6_addr skc_v6_daddr;
};

struct sock {
	struct sock_common __sk_common;
};

struct linux_binprm {
	struct file *executable;
	struct file *file;
	const char *filename;
	const char *interp;
};

#pragma clang attribute pop

#endif /* __VMLINUX_H__ */
