/* fuzz_osv.c: libFuzzer target: OSV JSON through the record reader, then its ranges through the database encoding and the matcher. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vuln/affected_ranges.h"
#include "vuln/osv.h"
#include "vuln/version.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const versions[] = { "0", "1.0.0", "v1.2.3", "2.5.0-1+deb12u1", "1:1.0-1", "3.1.4-r0",
						"1.0rc1", "0.0.0-20210101000000-abcdefabcdef", "1-SNAPSHOT", "" };
	struct osv_record rec;
	char err[256] = "";
	int r = osv_parse((const char *)data, size, &rec, err, sizeof(err));
	if (r < 0) {
		if (!err[0])
			abort();        /* a refusal always says why */
		return 0;
	}
	if (!rec.id || !*rec.id || !rec.severity || !rec.cvss_vector || !rec.summary)
		abort();
	for (size_t i = 0; i < rec.n_affected; i++) {
		const struct osv_affected *a = &rec.affected[i];
		if (!a->n_ranges && !a->n_versions)
			abort();
		struct buf enc;
		buf_init(&enc, 0);
		int scheme = version_scheme_for_ecosystem(a->ecosystem);
		if (affected_ranges_encode(a, &enc) == 0) {
			for (size_t v = 0; v < sizeof(versions) / sizeof(versions[0]); v++) {
				char *fixed = NULL;
				int m = affected_ranges_match(enc.data ? enc.data : "",
							      scheme >= 0 ? (enum version_scheme)scheme : VERSION_SEMVER,
							      versions[v], &fixed);
				if ((m == 1) != (fixed != NULL))
					abort();
				free(fixed);
			}
		}
		buf_free(&enc);
	}
	osv_record_free(&rec);
	return 0;
}
