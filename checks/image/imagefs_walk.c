/* imagefs_walk.c: merged directory listings of an imagefs: depth-first walks, one directory's entries, component-wise globs. */
#include "image/imagefs_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct dent {
	char *name;
	size_t layer;           /* position in the node: lower = higher layer */
	bool whiteout;
	struct stat st;
};

static int dent_cmp(const void *a, const void *b)
{
	const struct dent *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	if (c)
		return c;
	return x->layer < y->layer ? -1 : x->layer > y->layer;
}

static void dents_free(struct dent *d, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(d[i].name);
	free(d);
}

/* The merged, sorted, visible entries of nd. *budget counts down the entries
 * the caller may still visit. */
static int node_entries(struct imagefs *fs, const struct node *nd, size_t *budget, struct dent **out, size_t *nout)
{
	struct dent *d = NULL;
	size_t n = 0, alloc = 0;
	int r = 0;
	*out = NULL;
	*nout = 0;
	for (size_t i = 0; i < nd->n; i++) {
		int dfd = openat(nd->fd[i], ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd < 0) {
			r = imagefs_fail(fs, -errno, "opendir: %s", strerror(errno));
			goto out;
		}
		DIR *dir = fdopendir(dfd);
		if (!dir) {
			close(dfd);
			r = imagefs_fail(fs, -ENOMEM, "out of memory");
			goto out;
		}
		struct dirent *e;
		while ((e = readdir(dir))) {
			const char *nm = e->d_name;
			if (strcmp(nm, ".") == 0 || strcmp(nm, "..") == 0 || strcmp(nm, WH_OPAQUE) == 0)
				continue;
			if (*budget == 0) {
				closedir(dir);
				r = imagefs_fail(fs, -E2BIG, "more than %zu entries in the image", fs->max_entries);
				goto out;
			}
			(*budget)--;
			struct stat st;
			if (fstatat(nd->fd[i], nm, &st, AT_SYMLINK_NOFOLLOW) < 0)
				continue;
			bool wh = false;
			if (strncmp(nm, WH_PREFIX, 4) == 0 && nm[4]) {
				nm += 4;
				wh = true;
			} else if (is_whiteout_dev(&st)) {
				wh = true;
			}
			if (n == alloc) {
				size_t na = alloc ? alloc * 2 : 64;
				struct dent *nd2 = realloc(d, na * sizeof(*d));
				if (!nd2) {
					closedir(dir);
					r = imagefs_fail(fs, -ENOMEM, "out of memory");
					goto out;
				}
				d = nd2;
				alloc = na;
			}
			d[n].name = strdup(nm);
			if (!d[n].name) {
				closedir(dir);
				r = imagefs_fail(fs, -ENOMEM, "out of memory");
				goto out;
			}
			d[n].layer = i;
			d[n].whiteout = wh;
			d[n].st = st;
			n++;
		}
		closedir(dir);
	}
	if (n)
		qsort(d, n, sizeof(*d), dent_cmp);
	/* keep the top-most record of each name, and only when it is not a whiteout */
	size_t w = 0;
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;
		while (j < n && strcmp(d[j].name, d[i].name) == 0)
			j++;
		for (size_t k = i + 1; k < j; k++)
			free(d[k].name);
		if (d[i].whiteout)
			free(d[i].name);
		else
			d[w++] = d[i];
		i = j;
	}
	*out = d;
	*nout = w;
	d = NULL;
	n = 0;
out:
	dents_free(d, n);
	return r;
}

struct walk_ctx {
	struct imagefs *fs;
	imagefs_walk_cb cb;
	void *user;
	unsigned max_depth;
	size_t budget;
	char path[IMAGEFS_MAX_PATH];
};

static int walk_node(struct walk_ctx *w, const struct node *nd, size_t plen, unsigned depth)
{
	struct dent *d;
	size_t n;
	int r = node_entries(w->fs, nd, &w->budget, &d, &n);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n && r >= 0; i++) {
		size_t nl = strlen(d[i].name);
		if (plen + 1 + nl >= sizeof(w->path))
			continue;       /* cannot be named within the path limit */
		w->path[plen] = '/';
		memcpy(w->path + plen + 1, d[i].name, nl + 1);
		int c = w->cb(w->path, &d[i].st, w->user);
		if (c < 0) {
			r = c;
			break;
		}
		if (c > 0 || !S_ISDIR(d[i].st.st_mode) || depth + 1 >= w->max_depth)
			continue;
		struct node child;
		if (imagefs_node_child(nd, d[i].layer, d[i].name, &child) < 0)
			continue;       /* vanished or unreadable: nothing below to report */
		r = walk_node(w, &child, plen + 1 + nl, depth + 1);
		imagefs_node_release(&child);
	}
	w->path[plen] = '\0';
	dents_free(d, n);
	return r;
}

/* The canonical form of dir for prefixing callback paths: "" for the root. */
static size_t dir_prefix(const char *dir, char *out, size_t outlen)
{
	size_t o = 0;
	const char *p = dir;
	while (*p) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		const char *e = strchrnul(p, '/');
		size_t l = (size_t)(e - p);
		if (!(l == 1 && p[0] == '.') && o + 1 + l < outlen) {
			out[o++] = '/';
			memcpy(out + o, p, l);
			o += l;
		}
		p = e;
	}
	out[o] = '\0';
	return o;
}

static int walk_dir(struct imagefs *fs, const char *dir, unsigned max_depth, imagefs_walk_cb cb, void *user)
{
	if (max_depth == 0)
		return 0;
	if (max_depth > IMAGEFS_MAX_DEPTH)
		max_depth = IMAGEFS_MAX_DEPTH;
	struct walk_ctx *w = calloc(1, sizeof(*w));
	struct node *nd = malloc(sizeof(*nd));
	int r;
	if (!w || !nd) {
		r = imagefs_fail(fs, -ENOMEM, "out of memory");
		goto out;
	}
	r = imagefs_resolve_dir(fs, dir, nd);
	if (r < 0)
		goto out;
	w->fs = fs;
	w->cb = cb;
	w->user = user;
	w->max_depth = max_depth;
	w->budget = fs->max_entries;
	size_t plen = dir_prefix(dir, w->path, sizeof(w->path));
	r = walk_node(w, nd, plen, 0);
	imagefs_node_release(nd);
out:
	free(w);
	free(nd);
	return r;
}

int imagefs_walk(struct imagefs *fs, const char *dir, unsigned max_depth, imagefs_walk_cb cb, void *user)
{
	return walk_dir(fs, dir, max_depth, cb, user);
}

int imagefs_list_dir(struct imagefs *fs, const char *dir, imagefs_walk_cb cb, void *user)
{
	return walk_dir(fs, dir, 1, cb, user);
}

/* --- glob --- */

struct glob_ctx {
	struct imagefs *fs;
	imagefs_walk_cb cb;
	void *user;
	const char *comps[IMAGEFS_MAX_DEPTH];
	size_t n;
	size_t level;
	char *prefix;           /* the directory being matched */
	int result;
};

static int glob_level(struct glob_ctx *g, const char *dir, size_t level);

struct glob_list {
	struct glob_ctx *g;
	size_t level;
};

static int glob_entry(const char *path, const struct stat *st, void *user)
{
	struct glob_list *gl = user;
	struct glob_ctx *g = gl->g;
	const char *name = strrchr(path, '/');
	name = name ? name + 1 : path;
	if (fnmatch(g->comps[gl->level], name, FNM_PERIOD) != 0)
		return 0;
	if (gl->level + 1 == g->n)
		return g->cb(path, st, g->user);
	struct stat tst;
	const struct stat *dst = st;
	if (S_ISLNK(st->st_mode)) {
		if (imagefs_stat(g->fs, path, &tst) < 0)
			return 0;
		dst = &tst;
	}
	if (!S_ISDIR(dst->st_mode))
		return 0;
	return glob_level(g, path, gl->level + 1);
}

static bool has_magic(const char *s)
{
	return strpbrk(s, "*?[\\") != NULL;
}

static int glob_level(struct glob_ctx *g, const char *dir, size_t level)
{
	/* a literal component needs no listing */
	if (!has_magic(g->comps[level])) {
		char path[IMAGEFS_MAX_PATH];
		if (snprintf(path, sizeof(path), "%s/%s", strcmp(dir, "/") ? dir : "", g->comps[level]) >= (int)sizeof(path))
			return 0;
		struct stat st;
		if (imagefs_lstat(g->fs, path, &st) < 0)
			return 0;
		struct glob_list gl = { g, level };
		return glob_entry(path, &st, &gl);
	}
	struct glob_list gl = { g, level };
	int r = imagefs_list_dir(g->fs, dir, glob_entry, &gl);
	if (r == -ENOENT || r == -ENOTDIR)
		return 0;
	return r;
}

int imagefs_glob(struct imagefs *fs, const char *pattern, imagefs_walk_cb cb, void *user)
{
	char *copy = strdup(pattern);
	if (!copy)
		return imagefs_fail(fs, -ENOMEM, "out of memory");
	struct glob_ctx g = { .fs = fs, .cb = cb, .user = user };
	int r = 0;
	for (char *save = NULL, *c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		if (g.n == IMAGEFS_MAX_DEPTH) {
			r = imagefs_fail(fs, -ELOOP, "%s: pattern too deep", pattern);
			goto out;
		}
		g.comps[g.n++] = c;
	}
	if (g.n)
		r = glob_level(&g, "/", 0);
out:
	free(copy);
	return r;
}
