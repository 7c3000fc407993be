/* imagefs.c: overlay2-style merged lookup, resolved component by component inside the image root; stat, readlink, open and read of one path. */
#include "image/imagefs_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

int imagefs_fail(struct imagefs *fs, int r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(fs->err, sizeof(fs->err), fmt, ap);
	va_end(ap);
	return r;
}

void imagefs_node_release(struct node *nd)
{
	if (nd && nd->owned)
		for (size_t i = 0; i < nd->n; i++)
			close(nd->fd[i]);
	if (nd)
		nd->n = 0;
}

bool imagefs_dir_is_opaque(int fd)
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

bool imagefs_has_whiteout_for(int dirfd, const char *name)
{
	char wh[NAME_MAX + 8];
	if (snprintf(wh, sizeof(wh), WH_PREFIX "%s", name) >= (int)sizeof(wh))
		return false;
	struct stat st;
	return fstatat(dirfd, wh, &st, AT_SYMLINK_NOFOLLOW) == 0;
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
		if (i + 1 < nd->n && imagefs_has_whiteout_for(nd->fd[i], name))
			return -ENOENT;
	}
	return -ENOENT;
}

/* The merged directory name (a directory in layer nd->fd[pos]) below nd. */
int imagefs_node_child(const struct node *nd, size_t pos, const char *name, struct node *child)
{
	child->n = 0;
	child->owned = true;
	for (size_t i = pos; i < nd->n; i++) {
		struct stat st;
		if (i > pos) {
			if (imagefs_has_whiteout_for(nd->fd[i], name))
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
				imagefs_node_release(child);
				return r;
			}
			break;
		}
		child->fd[child->n++] = fd;
		/* opacity only matters when a lower layer could show through */
		if (i + 1 < nd->n && imagefs_dir_is_opaque(fd))
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
		if (imagefs_dir_is_opaque(fs->layer_fd[i]))
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
	imagefs_node_release(&r->parent);
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
		return imagefs_fail(fs, -ENAMETOOLONG, "%.64s...: path too long", path);
	lv = malloc(sizeof(*lv) * (IMAGEFS_MAX_DEPTH + 1));
	rest = malloc(restsz);
	tmp = malloc(restsz);
	if (!lv || !rest || !tmp) {
		r = imagefs_fail(fs, -ENOMEM, "out of memory");
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
					r = imagefs_fail(fs, -errno, "%s: %s", path, strerror(errno));
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
			r = imagefs_fail(fs, -ENAMETOOLONG, "%s: name too long", path);
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
				imagefs_node_release(&lv[depth--].nd);
			continue;
		}
		size_t pos = 0;
		struct stat st;
		r = node_lookup(&lv[depth].nd, comp, &pos, &st);
		if (r < 0) {
			r = imagefs_fail(fs, r, "%s: %s", path, r == -ENOENT ? "no such file or directory in the image" : strerror(-r));
			goto out;
		}
		if (S_ISLNK(st.st_mode) && (!last || follow_last)) {
			if (++links > IMAGEFS_MAX_SYMLINKS) {
				r = imagefs_fail(fs, -ELOOP, "%s: too many levels of symbolic links", path);
				goto out;
			}
			char target[IMAGEFS_MAX_PATH];
			ssize_t n = readlinkat(lv[depth].nd.fd[pos], comp, target, sizeof(target) - 1);
			if (n < 0) {
				r = imagefs_fail(fs, -errno, "%s: readlink: %s", path, strerror(errno));
				goto out;
			}
			target[n] = '\0';
			if (target[0] == '/')
				while (depth > 0)
					imagefs_node_release(&lv[depth--].nd);
			int w = snprintf(tmp, restsz, "%s/%s", target, p);
			if (w < 0 || (size_t)w >= restsz - 1) {
				r = imagefs_fail(fs, -ENAMETOOLONG, "%s: path too long after symlinks", path);
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
			r = imagefs_fail(fs, -ENOTDIR, "%s: not a directory in the image", path);
			goto out;
		}
		if (depth + 1 > IMAGEFS_MAX_DEPTH) {
			r = imagefs_fail(fs, -ELOOP, "%s: path too deep", path);
			goto out;
		}
		r = imagefs_node_child(&lv[depth].nd, pos, comp, &lv[depth + 1].nd);
		if (r < 0) {
			r = imagefs_fail(fs, r, "%s: %s", path, strerror(-r));
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
				imagefs_node_release(&lv[i].nd);
	free(lv);
	free(rest);
	free(tmp);
	return r;
}

int imagefs_resolve_dir(struct imagefs *fs, const char *path, struct node *nd)
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
		return imagefs_fail(fs, -ENOTDIR, "%s: not a directory in the image", path);
	}
	r = imagefs_node_child(&res.parent, res.pos, res.name, nd);
	resolved_release(&res);
	if (r < 0)
		return imagefs_fail(fs, r, "%s: %s", path, strerror(-r));
	return 0;
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
		r = imagefs_fail(fs, -EINVAL, "%s: not a symbolic link", path);
		goto out;
	}
	ssize_t n = readlinkat(res.parent.fd[res.pos], res.name, buf, len - 1);
	if (n < 0) {
		r = imagefs_fail(fs, -errno, "%s: readlink: %s", path, strerror(errno));
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
		r = imagefs_fail(fs, -EISDIR, "%s: is a directory", path);
		goto out;
	}
	/* never open FIFOs, devices or sockets: they could block or touch the host */
	if (!S_ISREG(res.st.st_mode)) {
		r = imagefs_fail(fs, -EINVAL, "%s: not a regular file", path);
		goto out;
	}
	int f = openat(res.parent.fd[res.pos], res.name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (f < 0) {
		r = imagefs_fail(fs, -errno, "%s: %s", path, strerror(errno));
		goto out;
	}
	struct stat fst;
	if (fstat(f, &fst) < 0 || !S_ISREG(fst.st_mode)) {
		close(f);
		r = imagefs_fail(fs, -EINVAL, "%s: not a regular file", path);
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
		return imagefs_fail(fs, -EFBIG, "%s: %lld bytes, more than the %zu allowed", path, (long long)st.st_size, cap);
	}
	size_t want = (size_t)st.st_size, got = 0;
	char *buf = malloc(want + 1);
	if (!buf) {
		close(fd);
		return imagefs_fail(fs, -ENOMEM, "out of memory");
	}
	while (got < want) {
		ssize_t n = read(fd, buf + got, want - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = imagefs_fail(fs, -errno, "%s: %s", path, strerror(errno));
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
