/* probes_floor.c: attaches the named programs of probes_floor.bpf.o (argv[1]), prints "ready" and waits for SIGTERM: the kernel's floor for probes.sh. */
#include <bpf/libbpf.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

static void on_signal(int sig)
{
	(void)sig;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	struct bpf_object *o = bpf_object__open_file(argv[1], NULL);
	if (!o || bpf_object__load(o) < 0) {
		fprintf(stderr, "probes_floor: cannot load %s\n", argv[1]);
		return 1;
	}
	for (int i = 2; i < argc; i++) {
		struct bpf_program *p = bpf_object__find_program_by_name(o, argv[i]);
		if (!p || !bpf_program__attach(p)) {
			fprintf(stderr, "probes_floor: cannot attach %s\n", argv[i]);
			return 1;
		}
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	printf("ready\n");
	fflush(stdout);
	pause();
	bpf_object__close(o);
	return 0;
}
