/* ini_file.c: inih over a bounded in-memory file, with the line number of every key. */
#include "ini_file.h"

#include <stdint.h>

#include "buf.h"

#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct ini_ctx {
	const char *origin;
	const char *p, *end;
	unsigned line;          /* line the parser is on: the one last handed out */
	bool failed;
	unsigned failed_line;   /* the line of our first failure */
	ini_file_handler handler;
	void *user;
	char *err;
	size_t errlen;
};

static void ctx_fail(struct ini_ctx *c, const char *reason)
{
	if (c->failed)
		return;
	c->failed = true;
	c->failed_line = c->line;
	snprintf(c->err, c->errlen, "%s:%u: %s", c->origin, c->line, reason);
}

/* fgets over memory, counting lines; a line longer than inih's buffer would
 * be split by inih into two silently different lines, so it is an error. */
static char *ini_ctx_reader(char *str, int num, void *stream)
{
	struct ini_ctx *c = stream;
	if (c->p >= c->end || num < 2)
		return NULL;
	c->line++;
	const char *nl = memchr(c->p, '\n', (size_t)(c->end - c->p));
	size_t linelen = nl ? (size_t)(nl - c->p) + 1 : (size_t)(c->end - c->p);
	size_t take = linelen;
	if (take > (size_t)num - 1) {
		char why[128];
		snprintf(why, sizeof(why), "line longer than %d characters; continue long values on indented lines",
			 num - 3);
		ctx_fail(c, why);
		take = (size_t)num - 2;
		memcpy(str, c->p, take);
		str[take++] = '\n';
	} else {
		memcpy(str, c->p, take);
	}
	str[take] = '\0';
	c->p += linelen;
	return str;
}

static int ini_ctx_handler(void *user, const char *section, const char *name, const char *value)
{
	struct ini_ctx *c = user;
	char why[384] = "";
	int r = c->handler(c->user, section, name, value, c->line, why, sizeof(why));
	if (r < 0) {
		ctx_fail(c, why[0] ? why : "invalid entry");
		return 0;
	}
	return 1;
}

int ini_file_parse_text(const char *origin, const char *text, size_t len,
			ini_file_handler handler, void *user, char *err, size_t errlen)
{
	struct ini_ctx c = {
		.origin = origin, .p = text, .end = text + len, .handler = handler,
		.user = user, .err = err, .errlen = errlen,
	};
	if (memchr(text, '\0', len)) {
		snprintf(err, errlen, "%s: NUL byte in file", origin);
		return -EINVAL;
	}
	int r = ini_parse_stream(ini_ctx_reader, &c, ini_ctx_handler, &c);
	/* inih goes on after an error and returns the first error's line: ours
	 * or its own syntax error, whichever came first, is the one reported */
	if (c.failed && (r <= 0 || (unsigned)r >= c.failed_line))
		return -EINVAL;
	if (r > 0) {
		/* inih's own syntax error (no '=', unclosed '['); its line counts like ours */
		snprintf(err, errlen, "%s:%d: syntax error (expected [section] or key = value)", origin, r);
		return -EINVAL;
	}
	if (r < 0) {
		snprintf(err, errlen, "%s: out of memory while parsing", origin);
		return -ENOMEM;
	}
	return 0;
}

int read_file_capped(const char *path, size_t cap, char **out, size_t *len)
{
	*out = NULL;
	*len = 0;
	int r = 0;
	struct buf b;
	buf_init(&b, cap);
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	struct stat st;
	if (fstat(fd, &st) < 0)
		r = -errno;
	else if (S_ISDIR(st.st_mode))
		r = -EISDIR;
	else if (!S_ISREG(st.st_mode))
		r = -EINVAL;
	else if ((uint64_t)st.st_size > cap)
		r = -EFBIG;
	/* read to the end rather than st_size bytes: /proc files say their size is 0,
	 * and a file that grows while read is still held to the cap */
	char chunk[8192];
	while (r == 0) {
		ssize_t n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			r = n < 0 ? -errno : 0;
			break;
		}
		r = buf_append(&b, chunk, (size_t)n);
	}
	close(fd);
	if (r == 0 && !b.data)
		r = buf_append(&b, "", 0);
	if (r < 0) {
		buf_free(&b);
		return r;
	}
	*len = b.len;
	*out = buf_steal(&b);
	return 0;
}

int ini_file_parse_path(const char *path, ini_file_handler handler, void *user,
			char *err, size_t errlen)
{
	char *text;
	size_t len;
	int r = read_file_capped(path, INI_FILE_MAX_BYTES, &text, &len);
	if (r < 0) {
		if (r == -EFBIG)
			snprintf(err, errlen, "%s: larger than %zu bytes", path, INI_FILE_MAX_BYTES);
		else
			snprintf(err, errlen, "%s: %s", path, strerror(-r));
		return r;
	}
	r = ini_file_parse_text(path, text, len, handler, user, err, errlen);
	free(text);
	return r;
}
