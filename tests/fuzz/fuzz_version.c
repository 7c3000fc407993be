/* fuzz_version.c: libFuzzer target: pairs of version strings through every scheme's comparison and validation. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vuln/version.h"

static int sign(int v)
{
	return (v > 0) - (v < 0);
}

/* Input: two versions separated by a NUL byte (or the whole input twice). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 4096)
		return 0;
	char *a = malloc(size + 1);
	if (!a)
		return 0;
	memcpy(a, data, size);
	a[size] = '\0';
	size_t alen = strlen(a);
	const char *b = alen < size ? a + alen + 1 : a;
	for (int s = 0; s < VERSION_SCHEME_COUNT; s++) {
		version_valid((enum version_scheme)s, a);
		version_valid((enum version_scheme)s, b);
		int ab = sign(version_compare((enum version_scheme)s, a, b));
		int ba = sign(version_compare((enum version_scheme)s, b, a));
		/* an order is antisymmetric, and everything equals itself */
		if (ab != -ba || version_compare((enum version_scheme)s, a, a) != 0)
			abort();
	}
	static const char *const ops[] = { "<", "<=", "=", ">=", ">", "~", "<~", ">~", "!~", "!<" };
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		version_apk_match(a, ops[i], b);
	free(a);
	return 0;
}
