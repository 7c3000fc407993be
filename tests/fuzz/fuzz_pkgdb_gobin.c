/* fuzz_pkgdb_gobin.c: libFuzzer target: ELF files through the Go build info reader (section table, .go.buildinfo, module info). */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#include "fuzz_pkgdb_check.h"

struct mem {
	const uint8_t *data;
	size_t size;
};

static int mem_read_at(void *user, uint64_t off, size_t len, unsigned char *dst)
{
	const struct mem *m = user;
	/* the reader is only asked for ranges inside the file size it was given */
	if (off > m->size || len > m->size - off)
		abort();
	memcpy(dst, m->data + off, len);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct package_list l = { 0 };
	char err[512] = "";
	struct mem m = { data, size };
	int r = pkgdb_parse_go_binary(mem_read_at, &m, size, "bin", &l, err, sizeof(err));
	pkgdb_fuzz_check(r, err, "bin", &l);
	r = pkgdb_parse_go_buildinfo(data, size, "bi", &l, err, sizeof(err));
	pkgdb_fuzz_check(r, err, "bi", &l);
	return 0;
}
