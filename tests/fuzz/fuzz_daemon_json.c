/* fuzz_daemon_json.c: libFuzzer target: daemon.json text and dockerd command-line words into the effective daemon options. */
#include <stddef.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "audit/host_daemon.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct daemon_options d = { 0 };
	char err[256] = "";
	int r = host_daemon_apply_json(&d, (const char *)data, size, "daemon.json", err, sizeof(err));
	if (r < 0 && r != -ENOMEM && !err[0])
		abort();        /* a refusal says why */
	for (size_t i = 0; i < d.n; i++)
		if (!d.opts[i].name || !d.opts[i].value || d.opts[i].origin != DOPT_CONFIG_FILE)
			abort();
	/* the same bytes as an ExecStart / DOCKER_OPTS word list over it */
	char *text = malloc(size + 1);
	if (text) {
		memcpy(text, data, size);
		text[size] = '\0';
		char **argv;
		size_t argc;
		if (host_daemon_split_words(text, &argv, &argc) == 0) {
			if (host_daemon_apply_args(&d, argv, argc, DOPT_CMDLINE, "cmd") == 0)
				for (size_t i = 0; i < d.n; i++)
					if (!daemon_options_get(&d, d.opts[i].name))
						abort();
			host_daemon_free_words(argv, argc);
		}
		free(text);
	}
	daemon_options_free(&d);
	return 0;
}
