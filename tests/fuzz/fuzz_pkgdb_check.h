/* fuzz_pkgdb_check.h: what every package database fuzz target checks of a parser's result. */
#pragma once
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "pkgdb/pkgdb.h"

/* A failure names the file; every listed package is complete. Frees the list. */
static inline void pkgdb_fuzz_check(int r, const char *err, const char *location, struct package_list *l)
{
	if (r < 0 && r != -ENOENT && strncmp(err, location, strlen(location)) != 0)
		abort();
	for (size_t i = 0; i < l->len; i++) {
		const struct package *p = &l->items[i];
		if (!p->name[0] || !p->ecosystem || !p->version || !p->source_name || !p->location ||
		    strncmp(p->purl, "pkg:", 4) != 0)
			abort();
	}
	package_list_free(l);
}

static inline const struct pkgdb_os *pkgdb_fuzz_os(const char *text)
{
	static struct pkgdb_os os;  /* constant after the first call */
	char err[128];
	if (!os.id[0] && pkgdb_parse_os_release(text, strlen(text), &os, err, sizeof(err)) < 0)
		abort();
	return &os;
}
