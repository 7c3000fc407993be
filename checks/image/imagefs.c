/* imagefs.c: overlay2-style merged lookup over layer directories, resolved component by component inside the image root. */
#include "image/imagefs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#define WH_PREFIX ".wh."
#define WH_OPAQUE ".wh..wh..opq"

struct imagefs {
	int *layer_fd;          /* root directory of each layer, lowest first */
	size_t n_layers;
	size_t max_entries;
	char err[512];
};

/* A merged directory: the layers that contribute to it, top-most first. */
struct node {
	size_t n;
	int fd[IMAGEFS_MAX_LAYERS];
	bool owned;             /* fds are ours to close (the root's are the fs's) */
};

static int fail(struct imagefs *fs, int r, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(struct imagefs *fs, int r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(fs->err, sizeof(fs->err), fmt, ap);
	va_end(ap);
	return r;
}

static void node_release(struct node *nd)
{
	if (nd && nd->owned)
		for (size_t i = 0; i < nd->n; i++)
			close(nd->fd[i]);
	if (nd)
		nd->n = 0;
}

static bool is_whiteout_dev(const struct stat *st)
{
	return S_ISCHR(st->st_mode) && major(st->st_rdev) == 0 && minor(st->st_rdev) == 0;
}

static bool dir_is_opaque(int fd)
{
	struct stat st;
	if (fstatat(fd, WH_OPAQUE, &st, AT_SYMLINK_NOFOLLOW) == 0)
		return true;
	char v[4];
	ssize_t n = fgetxattr(fd, "trusted.overlay.opaque", v, sizeof(v));
	if (n == 1 && v[0] == 'y')
		return true;
	n = fgetxattr(fd, "user.overlay.opaque", v, sizeof(v));
	return n == 1 && v[0] == 'y';
}

static bool has_whiteout_for(int dirfd, const char *name)
{
	char wh[NAME_MAX + 8];
	if (snprintf(wh, sizeof(wh), WH_PREFIX "%s", name) >= (int)sizeof(wh))
		return false;
	struct stat st;
	return fstatat(dirfd, wh, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

static int open_dir_at(int dirfd, const char *name)
{
	return openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
}

/* Finds name in the merged directory nd: *pos = index of the layer in nd
 * holding it (top-most), *st its lstat. -ENOENT when absent or whited out. */
static int node_lookup(const struct node *nd, const char *name, size_t *pos, struct stat *st)
{
	for (size_t i = 0; i < nd->n; i++) {
		if (fstatat(nd->fd[i], name, st, AT_SYMLINK_NOFOLLOW) == 0) {
			if (is_whiteout_dev(st))
				return -ENOENT;
			*pos = i;
			return 0;
		}
		if (errno != ENOENT && errno != ENOTDIR)
			return -errno;
		/* a whiteout only hides what lies below: none below the last layer */
		if (i + 1 < nd->n && has_whiteout_for(nd->fd[i], name))
			return -ENOENT;
	}
	return -ENOENT;
}

/* The merged directory name (a directory in layer nd->fd[pos]) below nd. */
static int node_child(const struct node *nd, size_t pos, const char *name, struct node *child)
{
	child->n = 0;
	child->owned = true;
	for (size_t i = pos; i < nd->n; i++) {
		struct stat st;
		if (i > pos) {
			if (has_whiteout_for(nd->fd[i], name))
				break;
			if (fstatat(nd->fd[i], name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
				if (errno == ENOENT)
					continue;
				break;
			}
			if (!S_ISDIR(st.st_mode))
				break;  /* a file or whiteout device hides what lies below */
		}
		int fd = open_dir_at(nd->fd[i], name);
		if (fd < 0) {
			int r = -errno;
			if (i == pos) {
				node_release(child);
				return r;
			}
			break;
		}
		child->fd[child->n++] = fd;
		/* opacity only matters when a lower layer could show through */
		if (i + 1 < nd->n && dir_is_opaque(fd))
			break;
	}
	return 0;
}

static void root_node(const struct imagefs *fs, struct node *nd)
{
	nd->n = 0;
	nd->owned = false;
	for (size_t i = fs->n_layers; i-- > 0;) {
		nd->fd[nd->n++] = fs->layer_fd[i];
		if (dir_is_opaque(fs->layer_fd[i]))
			break;
	}
}

/* The outcome of resolving a path: the merged directory holding the final
 * entry (parent), the entry's name and layer position in it, and its lstat.
 * For "/" is_root is set and parent is the root itself. */
struct resolved {
	struct node parent;
	char name[NAME_MAX + 1];
	size_t pos;
	struct stat st;
	bool is_root;
};

static void resolved_release(struct resolved *r)
{
	node_release(&r->parent);
}

struct level {
	struct node nd;
	char name[NAME_MAX + 1];        /* the component that led here */
	size_t pos;                     /* its layer position in the level above */
	struct stat st;                 /* its lstat */
};

static int resolve(struct imagefs *fs, const char *path, bool follow_last, struct resolved *out)
{
	/* Levels from the root down to the current directory; large (one fd
	 * array per level), so on the heap. */
	struct level *lv = NULL;
	char *rest = NULL, *tmp = NULL;
	int depth = 0, keep = -1, r = 0;
	size_t links = 0;
	const size_t restsz = 2 * IMAGEFS_MAX_PATH + 2;

	memset(out, 0, sizeof(*out));
	size_t plen = strlen(path);
	if (plen >= IMAGEFS_MAX_PATH)
		return fail(fs, -ENAMETOOLONG, "%.64s...: path too long", path);
	lv = malloc(sizeof(*lv) * (IMAGEFS_MAX_DEPTH + 1));
	rest = malloc(restsz);
	tmp = malloc(restsz);
	if (!lv || !rest || !tmp) {
		r = fail(fs, -ENOMEM, "out of memory");
		goto out;
	}
	root_node(fs, &lv[0].nd);
	memcpy(rest, path, plen + 1);
	char *p = rest;

	for (;;) {
		while (*p == '/')
			p++;
		if (!*p) {
			/* the path ends in a directory we descended into */
			if (depth == 0) {
				out->is_root = true;
				out->parent = lv[0].nd;
				if (fstat(lv[0].nd.fd[0], &out->st) < 0)
					r = fail(fs, -errno, "%s: %s", path, strerror(errno));
				goto out;
			}
			keep = depth - 1;
			out->parent = lv[keep].nd;
			memcpy(out->name, lv[depth].name, sizeof(out->name));
			out->pos = lv[depth].pos;
			out->st = lv[depth].st;
			goto out;
		}
		char *slash = strchr(p, '/');
		size_t clen = slash ? (size_t)(slash - p) : strlen(p);
		char *next = p + clen;
		while (*next == '/')
			next++;
		bool last = *next == '\0';
		if (clen > NAME_MAX) {
			r = fail(fs, -ENAMETOOLONG, "%s: name too long", path);
			goto out;
		}
		char comp[NAME_MAX + 1];
		memcpy(comp, p, clen);
		comp[clen] = '\0';
		p = next;
		if (strcmp(comp, ".") == 0)
			continue;
		if (strcmp(comp, "..") == 0) {
			/* at the root ".." stays at the root, as in a chroot */
			if (depth > 0)
				node_release(&lv[depth--].nd);
			continue;
		}
		size_t pos = 0;
		struct stat st;
		r = node_lookup(&lv[depth].nd, comp, &pos, &st);
		if (r < 0) {
			r = fail(fs, r, "%s: %s", path, r == -ENOENT ? "no such file or directory in the image" : strerror(-r));
			goto out;
		}
		if (S_ISLNK(st.st_mode) && (!last || follow_last)) {
			if (++links > IMAGEFS_MAX_SYMLINKS) {
				r = fail(fs, -ELOOP, "%s: too many levels of symbolic links", path);
				goto out;
			}
			char target[IMAGEFS_MAX_PATH];
			ssize_t n = readlinkat(lv[depth].nd.fd[pos], comp, target, sizeof(target) - 1);
			if (n < 0) {
				r = fail(fs, -errno, "%s: readlink: %s", path, strerror(errno));
				goto out;
			}
			target[n] = '\0';
			if (target[0] == '/')
				while (depth > 0)
					node_release(&lv[depth--].nd);
			int w = snprintf(tmp, restsz, "%s/%s", target, p);
			if (w < 0 || (size_t)w >= restsz - 1) {
				r = fail(fs, -ENAMETOOLONG, "%s: path too long after symlinks", path);
				goto out;
			}
			memcpy(rest, tmp, (size_t)w + 1);
			p = rest;
			continue;
		}
		if (last) {
			keep = depth;
			out->parent = lv[depth].nd;
			memcpy(out->name, comp, clen + 1);
			out->pos = pos;
			out->st = st;
			goto out;
		}
		if (!S_ISDIR(st.st_mode)) {
			r = fail(fs, -ENOTDIR, "%s: not a directory in the image", path);
			goto out;
		}
		if (depth + 1 > IMAGEFS_MAX_DEPTH) {
			r = fail(fs, -ELOOP, "%s: path too deep", path);
			goto out;
		}
		r = node_child(&lv[depth].nd, pos, comp, &lv[depth + 1].nd);
		if (r < 0) {
			r = fail(fs, r, "%s: %s", path, strerror(-r));
			goto out;
		}
		depth++;
		memcpy(lv[depth].name, comp, clen + 1);
		lv[depth].pos = pos;
		lv[depth].st = st;
	}
out:
	if (lv)
		for (int i = 0; i <= depth; i++)
			if (i != keep)
				node_release(&lv[i].nd);
	free(lv);
	free(rest);
	free(tmp);
	return r;
}

static int resolve_dir(struct imagefs *fs, const char *path, struct node *nd)
{
	struct resolved res;
	int r = resolve(fs, path, true, &res);
	if (r < 0)
		return r;
	if (res.is_root) {
		*nd = res.parent;
		return 0;
	}
	if (!S_ISDIR(res.st.st_mode)) {
		resolved_release(&res);
		return fail(fs, -ENOTDIR, "%s: not a directory in the image", path);
	}
	r = node_child(&res.parent, res.pos, res.name, nd);
	resolved_release(&res);
	if (r < 0)
		return fail(fs, r, "%s: %s", path, strerror(-r));
	return 0;
}

/* --- opening --- */

static int open_layers(const char *const *dirs, size_t n, struct imagefs **out)
{
	*out = NULL;
	if (n == 0 || n > IMAGEFS_MAX_LAYERS)
		return -EINVAL;
	struct imagefs *fs = calloc(1, sizeof(*fs));
	if (!fs)
		return -ENOMEM;
	fs->layer_fd = malloc(n * sizeof(int));
	if (!fs->layer_fd) {
		free(fs);
		return -ENOMEM;
	}
	fs->max_entries = IMAGEFS_DEFAULT_MAX_ENTRIES;
	for (size_t i = 0; i < n; i++) {
		int fd = open(dirs[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0) {
			int r = -errno;
			imagefs_close(fs);
			return r;
		}
		fs->layer_fd[fs->n_layers++] = fd;
	}
	*out = fs;
	return 0;
}

int imagefs_open_dir(const char *root, struct imagefs **out)
{
	return open_layers(&root, 1, out);
}

int imagefs_open_layers(const char *const *dirs, size_t n, struct imagefs **out)
{
	return open_layers(dirs, n, out);
}

/* A new handle on layers [from, from + n) of fs. */
static int dup_layers(const struct imagefs *fs, size_t from, size_t n, struct imagefs **out)
{
	*out = NULL;
	struct imagefs *d = calloc(1, sizeof(*d));
	if (!d || !(d->layer_fd = malloc(n * sizeof(int)))) {
		free(d);
		return -ENOMEM;
	}
	d->max_entries = fs->max_entries;
	for (size_t i = from; i < from + n; i++) {
		int fd = fcntl(fs->layer_fd[i], F_DUPFD_CLOEXEC, 0);
		if (fd < 0) {
			int r = -errno;
			imagefs_close(d);
			return r;
		}
		d->layer_fd[d->n_layers++] = fd;
	}
	*out = d;
	return 0;
}

int imagefs_dup(const struct imagefs *fs, struct imagefs **out)
{
	return dup_layers(fs, 0, fs->n_layers, out);
}

void imagefs_close(struct imagefs *fs)
{
	if (!fs)
		return;
	for (size_t i = 0; i < fs->n_layers; i++)
		close(fs->layer_fd[i]);
	free(fs->layer_fd);
	free(fs);
}

const char *imagefs_error(const struct imagefs *fs)
{
	return fs ? fs->err : "";
}

void imagefs_set_max_entries(struct imagefs *fs, size_t max_entries)
{
	fs->max_entries = max_entries ? max_entries : IMAGEFS_DEFAULT_MAX_ENTRIES;
}

size_t imagefs_n_layers(const struct imagefs *fs)
{
	return fs->n_layers;
}

/* --- single entries --- */

static int stat_common(struct imagefs *fs, const char *path, bool follow, struct stat *st)
{
	struct resolved res;
	int r = resolve(fs, path, follow, &res);
	if (r < 0)
		return r;
	*st = res.st;
	resolved_release(&res);
	return 0;
}

int imagefs_stat(struct imagefs *fs, const char *path, struct stat *st)
{
	return stat_common(fs, path, true, st);
}

int imagefs_lstat(struct imagefs *fs, const char *path, struct stat *st)
{
	return stat_common(fs, path, false, st);
}

int imagefs_readlink(struct imagefs *fs, const char *path, char *buf, size_t len)
{
	struct resolved res;
	if (len == 0)
		return -EINVAL;
	int r = resolve(fs, path, false, &res);
	if (r < 0)
		return r;
	if (res.is_root || !S_ISLNK(res.st.st_mode)) {
		r = fail(fs, -EINVAL, "%s: not a symbolic link", path);
		goto out;
	}
	ssize_t n = readlinkat(res.parent.fd[res.pos], res.name, buf, len - 1);
	if (n < 0) {
		r = fail(fs, -errno, "%s: readlink: %s", path, strerror(errno));
		goto out;
	}
	buf[n] = '\0';
out:
	resolved_release(&res);
	return r;
}

int imagefs_open(struct imagefs *fs, const char *path, int *fd, struct stat *st)
{
	struct resolved res;
	*fd = -1;
	int r = resolve(fs, path, true, &res);
	if (r < 0)
		return r;
	if (res.is_root || S_ISDIR(res.st.st_mode)) {
		r = fail(fs, -EISDIR, "%s: is a directory", path);
		goto out;
	}
	/* never open FIFOs, devices or sockets: they could block or touch the host */
	if (!S_ISREG(res.st.st_mode)) {
		r = fail(fs, -EINVAL, "%s: not a regular file", path);
		goto out;
	}
	int f = openat(res.parent.fd[res.pos], res.name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (f < 0) {
		r = fail(fs, -errno, "%s: %s", path, strerror(errno));
		goto out;
	}
	struct stat fst;
	if (fstat(f, &fst) < 0 || !S_ISREG(fst.st_mode)) {
		close(f);
		r = fail(fs, -EINVAL, "%s: not a regular file", path);
		goto out;
	}
	if (st)
		*st = fst;
	*fd = f;
out:
	resolved_release(&res);
	return r;
}

int imagefs_read(struct imagefs *fs, const char *path, size_t cap, char **data, size_t *len)
{
	*data = NULL;
	*len = 0;
	int fd;
	struct stat st;
	int r = imagefs_open(fs, path, &fd, &st);
	if (r < 0)
		return r;
	if ((uint64_t)st.st_size > cap) {
		close(fd);
		return fail(fs, -EFBIG, "%s: %lld bytes, more than the %zu allowed", path, (long long)st.st_size, cap);
	}
	size_t want = (size_t)st.st_size, got = 0;
	char *buf = malloc(want + 1);
	if (!buf) {
		close(fd);
		return fail(fs, -ENOMEM, "out of memory");
	}
	while (got < want) {
		ssize_t n = read(fd, buf + got, want - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = fail(fs, -errno, "%s: %s", path, strerror(errno));
			close(fd);
			free(buf);
			return r;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	buf[got] = '\0';
	*data = buf;
	*len = got;
	return 0;
}

/* --- listings --- */

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
			r = fail(fs, -errno, "opendir: %s", strerror(errno));
			goto out;
		}
		DIR *dir = fdopendir(dfd);
		if (!dir) {
			close(dfd);
			r = fail(fs, -ENOMEM, "out of memory");
			goto out;
		}
		struct dirent *e;
		while ((e = readdir(dir))) {
			const char *nm = e->d_name;
			if (strcmp(nm, ".") == 0 || strcmp(nm, "..") == 0 || strcmp(nm, WH_OPAQUE) == 0)
				continue;
			if (*budget == 0) {
				closedir(dir);
				r = fail(fs, -E2BIG, "more than %zu entries in the image", fs->max_entries);
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
					r = fail(fs, -ENOMEM, "out of memory");
					goto out;
				}
				d = nd2;
				alloc = na;
			}
			d[n].name = strdup(nm);
			if (!d[n].name) {
				closedir(dir);
				r = fail(fs, -ENOMEM, "out of memory");
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
		if (node_child(nd, d[i].layer, d[i].name, &child) < 0)
			continue;       /* vanished or unreadable: nothing below to report */
		r = walk_node(w, &child, plen + 1 + nl, depth + 1);
		node_release(&child);
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
		r = fail(fs, -ENOMEM, "out of memory");
		goto out;
	}
	r = resolve_dir(fs, dir, nd);
	if (r < 0)
		goto out;
	w->fs = fs;
	w->cb = cb;
	w->user = user;
	w->max_depth = max_depth;
	w->budget = fs->max_entries;
	size_t plen = dir_prefix(dir, w->path, sizeof(w->path));
	r = walk_node(w, nd, plen, 0);
	node_release(nd);
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
		return fail(fs, -ENOMEM, "out of memory");
	struct glob_ctx g = { .fs = fs, .cb = cb, .user = user };
	int r = 0;
	for (char *save = NULL, *c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		if (g.n == IMAGEFS_MAX_DEPTH) {
			r = fail(fs, -ELOOP, "%s: pattern too deep", pattern);
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

int imagefs_layer_view(const struct imagefs *fs, size_t i, struct imagefs **out)
{
	*out = NULL;
	return i < fs->n_layers ? dup_layers(fs, i, 1, out) : -EINVAL;
}

/* Whether layer fd (one above the path's own layer) hides path: the same
 * rules as node_lookup / node_child, applied along the path's components. */
static int layer_hides(int root, const char *path)
{
	if (dir_is_opaque(root))
		return 1;
	char comp[NAME_MAX + 1];
	int dirfd = root, r = 0;
	const char *p = path;
	while (*p == '/')
		p++;
	while (*p) {
		size_t n = strcspn(p, "/");
		if (n > NAME_MAX) {
			r = -ENAMETOOLONG;
			break;
		}
		memcpy(comp, p, n);
		comp[n] = '\0';
		p += n;
		while (*p == '/')
			p++;
		struct stat st;
		if (has_whiteout_for(dirfd, comp)) {
			r = 1;
			break;
		}
		if (fstatat(dirfd, comp, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			r = errno == ENOENT || errno == ENOTDIR ? 0 : -errno;
			break;
		}
		if (!*p || !S_ISDIR(st.st_mode)) {
			r = 1;          /* the entry itself, or a file, link or whiteout in place of a parent */
			break;
		}
		int fd = open_dir_at(dirfd, comp);
		if (fd < 0) {
			r = -errno;
			break;
		}
		if (dirfd != root)
			close(dirfd);
		dirfd = fd;
		if (dir_is_opaque(dirfd)) {
			r = 1;
			break;
		}
	}
	if (dirfd != root)
		close(dirfd);
	return r;
}

int imagefs_hidden_above(const struct imagefs *fs, size_t i, const char *path)
{
	for (size_t j = i + 1; j < fs->n_layers; j++) {
		int r = layer_hides(fs->layer_fd[j], path);
		if (r != 0)
			return r;
	}
	return 0;
}

int imagefs_layer_touches(const struct imagefs *fs, size_t i, const char *path)
{
	return i < fs->n_layers ? layer_hides(fs->layer_fd[i], path) : -EINVAL;
}
