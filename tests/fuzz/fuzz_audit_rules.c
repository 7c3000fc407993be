/* fuzz_audit_rules.c: libFuzzer target: rule-file text through the audit rule loader, for both benchmark profiles. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "audit/rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const benches[] = { NULL, "1.8.0" };
	for (size_t b = 0; b < 2; b++) {
		struct audit_ruleset rs;
		char err[512] = "";
		int r = audit_ruleset_load_text(&rs, "fuzz.ini", (const char *)data, size, benches[b], err, sizeof(err));
		/* a refusal always says why */
		if (r < 0 && !err[0])
			abort();
		if (r < 0)
			continue;
		/* what was accepted is complete and sorted */
		for (size_t i = 0; i < rs.n_rules; i++) {
			const struct audit_rule *rule = &rs.rules[i];
			if (!rule->title || !rule->section || (rule->level != 1 && rule->level != 2) ||
			    rule->severity >= SEV_N || rule->scope >= SCOPE_N)
				abort();
			if (i && audit_id_cmp(rs.rules[i - 1].id, rule->id) >= 0)
				abort();
			if (audit_ruleset_find(&rs, rule->id) != rule)
				abort();
		}
		audit_ruleset_free(&rs);
	}
	return 0;
}
