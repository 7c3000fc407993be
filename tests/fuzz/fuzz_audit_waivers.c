/* fuzz_audit_waivers.c: libFuzzer target: waivers-file text through the waivers loader. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "audit/waivers.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct audit_waivers ws;
	char err[512] = "";
	int r = audit_waivers_load_text(&ws, "fuzz.ini", (const char *)data, size, err, sizeof(err));
	if (r < 0 && strncmp(err, "fuzz.ini", 8) != 0)
		abort();
	if (r < 0)
		return 0;
	/* every accepted waiver names a rule and a reason */
	for (size_t i = 0; i < ws.n; i++)
		if (!ws.w[i].rule || !ws.w[i].reason || !ws.w[i].reason[0] || !ws.w[i].name)
			abort();
	audit_waivers_free(&ws);
	return 0;
}
