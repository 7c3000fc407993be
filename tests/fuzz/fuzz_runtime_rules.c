/* fuzz_runtime_rules.c: libFuzzer target: runtime rule INI text through the parser, the kernel filter derivation and the matcher. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/match.h"
#include "runtime/rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rt_ruleset rs = { 0 };
	char err[512];
	err[0] = '\0';
	int r = rt_rules_parse_text(&rs, "fuzz.ini", (const char *)data, size, err, sizeof(err));
	/* a refusal says why, naming the file, and keeps nothing */
	if (r < 0 && (strncmp(err, "fuzz.ini", 8) != 0 || rs.n != 0))
		abort();
	for (size_t i = 0; i < rs.n; i++) {
		const struct rt_rule *rule = &rs.rules[i];
		if (!rule->event || rule->event >= RT_RULE_EV__COUNT || !rule->description || rule->severity < 0)
			abort();
	}
	struct rt_probe_config cfg;
	if (rt_rules_probe_config(&rs, NULL, &cfg) == 0) {
		for (size_t i = 0; i < cfg.n_paths; i++)
			if (strnlen(cfg.paths[i].path, RT_PATH_LEN) >= RT_PATH_LEN)
				abort();
		rt_probe_config_free(&cfg);
	}
	/* every rule against one event of each type with strings taken from the input */
	struct rt_event ev;
	memset(&ev, 0, sizeof(ev));
	memcpy(ev.path, data, size < sizeof(ev.path) - 1 ? size : sizeof(ev.path) - 1);
	memcpy(ev.comm, data, size < sizeof(ev.comm) - 1 ? size : sizeof(ev.comm) - 1);
	ev.args_len = (uint32_t)(size < sizeof(ev.args) ? size : sizeof(ev.args));
	memcpy(ev.args, data, ev.args_len);
	struct rt_posture p = { .known = true, .vulnerable = -1 };
	for (uint32_t t = 1; t < RT_EV__COUNT; t++) {
		ev.type = t;
		ev.arg[1] = t * 1000;
		struct rt_event_view v;
		rt_event_view_init(&v, &ev, ev.path);
		for (size_t i = 0; i < rs.n; i++) {
			rt_rule_match_event(&rs.rules[i], &v, v.path, v.comm);
			rt_rule_match_launch(&rs.rules[i], &p, v.path, v.comm);
		}
	}
	rt_rules_free(&rs);
	return 0;
}
