/* probes_loop.c: the loops tests/bench/probes.sh times (getpid, open+close, fork+exec, opens of a watched file); prints CPU ns per iteration. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* CPU time of this process and its waited-for children: on a busy machine, wall time measures the neighbours */
static double now(void)
{
	struct timespec ts;
	struct rusage ru;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	getrusage(RUSAGE_CHILDREN, &ru);
	return ts.tv_sec + ts.tv_nsec / 1e9 + ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec +
	       ru.ru_stime.tv_usec / 1e6;
}

int main(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	long n = atol(argv[2]);
	double t0 = now();
	if (strcmp(argv[1], "getpid") == 0) {
		for (long i = 0; i < n; i++)
			syscall(SYS_getpid);
	} else if (strcmp(argv[1], "openclose") == 0) {
		for (long i = 0; i < n; i++)
			close(open("/etc/hostname", O_RDONLY));
	} else if (strcmp(argv[1], "opensensitive") == 0) {
		/* every iteration is an event a rule alerts on: the ring buffer's throughput */
		for (long i = 0; i < n; i++)
			close(open("/etc/shadow", O_RDONLY));
	} else if (strcmp(argv[1], "forkexec") == 0) {
		for (long i = 0; i < n; i++) {
			pid_t p = fork();
			if (p == 0) {
				execl(argv[0], argv[0], "noop", "0", (char *)NULL);
				_exit(127);
			}
			waitpid(p, NULL, 0);
		}
	} else if (strcmp(argv[1], "noop") == 0) {
		return 0;
	} else {
		return 2;
	}
	printf("%.1f\n", (now() - t0) * 1e9 / (double)n);
	return 0;
}
