/* watch_helper.c: a static test program that performs, inside a test container, the behaviours `dockward watch` detects. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

static int copy_file(const char *src, int out)
{
	int in = open(src, O_RDONLY);
	if (in < 0)
		return -1;
	char buf[65536];
	ssize_t n;
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			return -1;
	close(in);
	return 0;
}

int main(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "";
	if (strcmp(what, "memfd") == 0) {
		/* run busybox's `true` from an anonymous memory file */
		int fd = memfd_create("payload", 0);
		if (fd < 0 || copy_file("/bin/busybox", fd) < 0)
			return 2;
		char *args[] = { "true", NULL }, *env[] = { NULL };
		fexecve(fd, args, env);
		return 3;
	}
	if (strcmp(what, "openat") == 0 && argc > 3) {
		/* openat(DIR's fd, NAME): a path relative to a directory descriptor */
		int dfd = open(argv[2], O_RDONLY | O_DIRECTORY);
		int fd = dfd < 0 ? -1 : openat(dfd, argv[3], O_RDONLY);
		return fd < 0 ? 1 : 0;
	}
	if (strcmp(what, "deleted") == 0) {
		/* run a copy of busybox whose only name was removed before the exec */
		int fd = open("/tmp/gone", O_RDWR | O_CREAT | O_TRUNC, 0755);
		if (fd < 0 || copy_file("/bin/busybox", fd) < 0)
			return 2;
		close(fd);
		fd = open("/tmp/gone", O_RDONLY | O_CLOEXEC);
		unlink("/tmp/gone");
		char *args[] = { "true", NULL }, *env[] = { NULL };
		syscall(SYS_execveat, fd, "", args, env, AT_EMPTY_PATH);
		return 3;
	}
	if (strcmp(what, "ptrace") == 0) {
		pid_t child = fork();
		if (child == 0) {
			pause();
			_exit(0);
		}
		int r = (int)ptrace(PTRACE_ATTACH, child, NULL, NULL);
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
		return r == 0 ? 0 : 1;
	}
	if (strcmp(what, "vmwrite") == 0) {
		static char target[16] = "before";
		char src[16] = "after";
		struct iovec local = { src, sizeof(src) }, remote = { target, sizeof(target) };
		return process_vm_writev(getpid(), &local, 1, &remote, 1, 0) < 0;
	}
	if (strcmp(what, "userfaultfd") == 0)
		return syscall(SYS_userfaultfd, 0) < 0;
	if (strcmp(what, "bpf") == 0) {
		union bpf_attr attr;
		memset(&attr, 0, sizeof(attr));
		attr.map_type = BPF_MAP_TYPE_ARRAY;
		attr.key_size = 4;
		attr.value_size = 4;
		attr.max_entries = 1;
		return syscall(SYS_bpf, BPF_MAP_CREATE, &attr, sizeof(attr)) < 0;
	}
	if (strcmp(what, "packet") == 0)
		return socket(AF_PACKET, SOCK_RAW, 0) < 0;
	if (strcmp(what, "unix") == 0 && argc > 2) {
		int s = socket(AF_UNIX, SOCK_STREAM, 0);
		struct sockaddr_un a = { .sun_family = AF_UNIX };
		snprintf(a.sun_path, sizeof(a.sun_path), "%s", argv[2]);
		return connect(s, (struct sockaddr *)&a, sizeof(a)) < 0;
	}
	if (strcmp(what, "module") == 0) {
		int fd = open("/tmp/fake.ko", O_RDWR | O_CREAT | O_TRUNC, 0644);
		if (fd < 0 || write(fd, "not a module", 12) != 12)
			return 2;
		return syscall(SYS_finit_module, fd, "", 0) < 0;
	}
	fprintf(stderr, "usage: watch_helper memfd|openat DIR NAME|deleted|ptrace|vmwrite|userfaultfd|bpf|packet|unix PATH|module\n");
	return 2;
}
