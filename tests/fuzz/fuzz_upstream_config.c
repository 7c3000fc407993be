/* fuzz_upstream_config.c: libFuzzer target: dockward.conf with [upstream] and [sink.NAME] sections, then each sink's validation; and Retry-After values. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "upstream/sink_config.h"
#include "upstream/uploader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config cfg;
	char err[512];
	if (config_defaults(&cfg) < 0)
		return 0;
	if (config_load_text(&cfg, "fuzz.conf", (const char *)data, size, err, sizeof(err)) == 0) {
		if (cfg.n_sinks > SINK_MAX)
			abort();
		for (size_t i = 0; i < cfg.n_sinks; i++)
			sink_config_validate(&cfg.sinks[i], err, sizeof(err));
	}
	config_free(&cfg);
	/* the same bytes as a collector's Retry-After header */
	char v[256];
	size_t n = size < sizeof(v) - 1 ? size : sizeof(v) - 1;
	memcpy(v, data, n);
	v[n] = '\0';
	int64_t ms = uploader_parse_retry_after(v, 1700000000);
	if (ms < -1 || ms > 3600 * 1000)
		abort();
	return 0;
}
