/* fuzz_image_config.c: libFuzzer target: an image config blob (or inspect document) through the configuration risk checks. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "json.h"
#include "scan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	yajl_val v;
	char err[128];
	if (json_parse((const char *)data, size, &v, err, sizeof(err)) < 0)
		return 0;
	static const struct {
		const char *config, *history, *key;
		bool newest_first;
	} shapes[] = { { "config", "history", "created_by", false }, { "Config", "History", "CreatedBy", true } };
	for (size_t k = 0; k < 2; k++) {
		struct risk_list l = { 0 };
		if (scan_risks_from_config(json_get(v, shapes[k].config), json_get(v, shapes[k].history),
					   shapes[k].newest_first, shapes[k].key, &l) == 0) {
			for (size_t i = 0; i < l.len; i++) {
				const struct image_risk *r = &l.items[i];
				if ((unsigned)r->kind >= RISK_KIND_COUNT || (unsigned)r->severity >= SEV_COUNT ||
				    !r->subject || !r->detail || !risk_id(r->kind))
					abort();
			}
		}
		risk_list_free(&l);
	}
	yajl_tree_free(v);
	return 0;
}
