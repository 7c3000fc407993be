/* osv_source.h: the OSV JSON documents of an import source: a directory tree, an osv.dev zip, or one file. */
#pragma once
#include <stddef.h>

#include "osv.h"

#define OSV_SOURCE_MAX_DEPTH 16
#define OSV_SOURCE_MAX_FILES 2000000

/* Called once per *.json document, in a stable order (sorted paths for a
 * directory, archive order for a zip). name is the path below src or the
 * member name. read_err is 0 with the document in data[0..len), or a
 * negative errno (data NULL) when the document could not be read or is over
 * OSV_MAX_RECORD_BYTES. A negative return stops the walk with that value. */
typedef int (*osv_source_fn)(void *user, const char *name, const char *data, size_t len, int read_err);

/* Returns 0, or a negative errno with a reason in err when src itself cannot be read. */
int osv_source_walk(const char *src, osv_source_fn fn, void *user, char *err, size_t errlen);
