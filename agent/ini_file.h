/* ini_file.h: inih over a bounded in-memory file, with the line number of every key. */
#pragma once
#include <stddef.h>

#define INI_FILE_MAX_BYTES ((size_t)4 << 20)

/* Called once per name=value (continuation lines call again with the same
 * name). Return 0 to accept, or a negative errno after writing a reason to
 * err (the caller prefixes FILE:LINE). */
typedef int (*ini_file_handler)(void *user, const char *section, const char *name,
				const char *value, unsigned line, char *err, size_t errlen);

/* Parses text (len bytes) named `origin` in messages. Returns 0, or -EINVAL
 * with "ORIGIN:LINE: reason" for the first problem in err. */
int ini_file_parse_text(const char *origin, const char *text, size_t len,
			ini_file_handler handler, void *user, char *err, size_t errlen);
/* Reads path (at most INI_FILE_MAX_BYTES) and parses it. -ENOENT etc. when
 * it cannot be read, with the reason in err. */
int ini_file_parse_path(const char *path, ini_file_handler handler, void *user,
			char *err, size_t errlen);
/* Reads a whole regular file of at most cap bytes into a NUL-terminated heap string. */
int read_file_capped(const char *path, size_t cap, char **out, size_t *len);
