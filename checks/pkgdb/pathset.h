/* pathset.h: a set of image paths (the files the OS package manager installed). */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

struct pathset {
	struct buf names;       /* the paths, NUL-separated */
	size_t *slots;          /* offset + 1 into names; 0 = empty */
	size_t nslots;
	size_t count;
};

void pathset_init(struct pathset *s, size_t max_bytes);
void pathset_free(struct pathset *s);
/* Adds one path (duplicates are ignored). Returns 0, -ENOMEM or -EFBIG (set full). */
int pathset_add(struct pathset *s, const char *path, size_t len);
/* Adds every line of text (one path per line, empty lines skipped). */
int pathset_add_lines(struct pathset *s, const char *text, size_t len);
bool pathset_has(const struct pathset *s, const char *path);
