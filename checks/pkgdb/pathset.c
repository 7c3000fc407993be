/* pathset.c: a set of image paths (the files the OS package manager installed), open addressing over one string buffer. */
#include "pathset.h"

#include "pkgdb.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t path_hash(const char *p, size_t n)
{
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)p[i];
		h *= 1099511628211ull;
	}
	return h;
}

void pathset_init(struct pathset *s, size_t max_bytes)
{
	memset(s, 0, sizeof(*s));
	buf_init(&s->names, max_bytes);
}

void pathset_free(struct pathset *s)
{
	if (!s)
		return;
	buf_free(&s->names);
	free(s->slots);
	s->slots = NULL;
	s->nslots = s->count = 0;
}

static size_t *pathset_find(const struct pathset *s, const char *path, size_t n)
{
	if (!s->nslots)
		return NULL;
	size_t i = (size_t)path_hash(path, n) & (s->nslots - 1);
	for (;;) {
		size_t *slot = &s->slots[i];
		if (!*slot)
			return slot;
		const char *name = s->names.data + *slot - 1;
		if (strncmp(name, path, n) == 0 && name[n] == '\0')
			return slot;
		i = (i + 1) & (s->nslots - 1);
	}
}

static int pathset_grow(struct pathset *s)
{
	size_t n = s->nslots ? s->nslots * 2 : 1024;
	size_t *slots = calloc(n, sizeof(*slots));
	if (!slots)
		return -ENOMEM;
	size_t *old = s->slots, oldn = s->nslots;
	s->slots = slots;
	s->nslots = n;
	for (size_t i = 0; i < oldn; i++) {
		if (!old[i])
			continue;
		const char *name = s->names.data + old[i] - 1;
		*pathset_find(s, name, strlen(name)) = old[i];
	}
	free(old);
	return 0;
}

int pathset_add(struct pathset *s, const char *path, size_t len)
{
	/* "/usr/lib/x/" and "/usr/lib/x" are the same entry */
	while (len > 1 && path[len - 1] == '/')
		len--;
	if (!len || memchr(path, '\0', len))
		return 0;
	if ((s->count + 1) * 2 > s->nslots) {
		int r = pathset_grow(s);
		if (r < 0)
			return r;
	}
	size_t *slot = pathset_find(s, path, len);
	if (*slot)
		return 0;
	size_t off = s->names.len;
	int r = buf_append(&s->names, path, len);
	if (r == 0)
		r = buf_append(&s->names, "", 1);
	if (r < 0) {
		s->names.len = off;
		return r;
	}
	*slot = off + 1;
	s->count++;
	return 0;
}

int pathset_add_lines(struct pathset *s, const char *text, size_t len)
{
	size_t i = 0;
	const char *line;
	size_t n;
	while (pkgdb_next_line(text, len, &i, &line, &n)) {
		if (n && line[n - 1] == '\r')
			n--;
		if (n && line[0] == '/') {
			int r = pathset_add(s, line, n);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

bool pathset_has(const struct pathset *s, const char *path)
{
	size_t n = strlen(path);
	while (n > 1 && path[n - 1] == '/')
		n--;
	size_t *slot = pathset_find(s, path, n);
	return slot && *slot;
}
