/* fuzz_config.c: libFuzzer target: dockward.conf text through config_load_text over the defaults. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config cfg;
	char err[512];
	if (config_defaults(&cfg) < 0)
		abort();
	err[0] = '\0';
	int r = config_load_text(&cfg, "fuzz.conf", (const char *)data, size, err, sizeof(err));
	/* a refusal always says why, naming the file */
	if (r < 0 && strncmp(err, "fuzz.conf", 9) != 0)
		abort();
	/* whatever was accepted is in range */
	if (r == 0 && (cfg.connect_timeout_ms < 100 || cfg.connect_timeout_ms > 600000 ||
		       cfg.max_response_bytes < 4096 || !cfg.docker_host || !cfg.state_dir))
		abort();
	config_free(&cfg);
	return 0;
}
