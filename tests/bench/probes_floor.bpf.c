/* probes_floor.bpf.c: empty programs for tests/bench/probes.sh's floor: on syscall tracepoints the loops never call, and on openat. */
#include <linux/types.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("tracepoint/syscalls/sys_enter_acct")
int enter_acct(void *ctx)
{
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_acct")
int exit_acct(void *ctx)
{
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_openat")
int enter_openat(void *ctx)
{
	return 0;
}

SEC("raw_tracepoint/sys_enter")
int raw_enter(void *ctx)
{
	return 0;
}
