/* collect.c: the driver: detects the OS, reads every package database of an image, and walks it for language packages. */
#include "pkgdb.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "image/imagefs.h"
#include "pathset.h"
#include "pkgdb_layers.h"

#define OS_RELEASE_MAX ((size_t)64 << 10)
#define OWNED_PATHS_MAX ((size_t)256 << 20)
#define GO_MIN_BINARY 4096

enum candidate_kind { CAND_PYTHON, CAND_NPM, CAND_BINARY, CAND_ARCHIVE };

struct candidate {
	char *path;             /* file to read */
	char *owner_path;       /* path the OS package manager would list (dist-info dir) */
	enum candidate_kind kind;
	uint64_t size;
};

struct collector {
	struct imagefs *fs;
	struct pkgdb_limits lim;
	struct package_list *out;
	struct pkgdb_stats *st;
	const struct pkgdb_os *os;
	struct pathset owned;
	struct candidate *cands;
	size_t ncands, alloc;
	int fatal;              /* -ENOMEM or a full package list */
};

static void note(struct pkgdb_stats *st, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(struct pkgdb_stats *st, const char *fmt, ...)
{
	if (st->nerrors < PKGDB_MAX_ERRORS) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(st->errors[st->nerrors], sizeof(st->errors[0]), fmt, ap);
		va_end(ap);
	}
	st->nerrors++;
}

static void default_limits(struct pkgdb_limits *l, const struct pkgdb_limits *in)
{
	memset(l, 0, sizeof(*l));
	if (in)
		*l = *in;
	if (!l->max_db_bytes)
		l->max_db_bytes = (size_t)256 << 20;
	if (!l->max_text_bytes)
		l->max_text_bytes = (size_t)1 << 20;
	if (!l->max_archive_bytes)
		l->max_archive_bytes = (size_t)128 << 20;
	if (!l->max_archive_entry)
		l->max_archive_entry = (size_t)16 << 20;
	if (!l->max_files)
		l->max_files = 500000;
	if (!l->max_depth)
		l->max_depth = 48;
	if (!l->max_packages)
		l->max_packages = PKGDB_DEFAULT_MAX_PACKAGES;
}

/* Reads a file; -ENOENT quietly, other failures are noted. */
static int read_file(struct collector *c, const char *path, size_t cap, char **data, size_t *len)
{
	int r = imagefs_read(c->fs, path, cap, data, len);
	if (r == -ENOENT || r == -ENOTDIR)
		return -ENOENT;
	if (r < 0) {
		if (r == -ENOMEM)
			c->fatal = r;
		note(c->st, "%s: not read: %s", path, r == -EFBIG ? "larger than the limit" : imagefs_error(c->fs));
	}
	return r;
}

/* Counts a parser's result: the packages are kept either way. */
static void parsed(struct collector *c, int r, const char *err)
{
	if (r == -E2BIG || r == -ENOMEM)
		c->fatal = r;
	if (r < 0 && r != -ENOENT)
		note(c->st, "%s", err);
}

static void detect_os(struct collector *c)
{
	const char *paths[] = { "/etc/os-release", "/usr/lib/os-release" };
	for (size_t i = 0; i < 2; i++) {
		char *text = NULL, err[256];
		size_t len = 0;
		if (read_file(c, paths[i], OS_RELEASE_MAX, &text, &len) < 0)
			continue;
		int r = pkgdb_parse_os_release(text, len, &c->st->os, err, sizeof(err));
		free(text);
		if (r == 0) {
			c->st->os_found = true;
			return;
		}
		note(c->st, "%s: %s", paths[i], err);
	}
	/* images that dropped os-release still name their release here */
	static const struct {
		const char *path, *id;
	} release_files[] = { { "/etc/debian_version", "debian" }, { "/etc/alpine-release", "alpine" } };
	for (size_t i = 0; i < sizeof(release_files) / sizeof(release_files[0]); i++) {
		char *text = NULL, os_release[160], err[256];
		size_t len = 0;
		if (read_file(c, release_files[i].path, OS_RELEASE_MAX, &text, &len) < 0)
			continue;
		/* "12.4\n"; testing/sid (and Ubuntu) write "trixie/sid", which names no release */
		size_t n = strspn(text, "0123456789.");
		if (n == 0) {
			free(text);
			continue;
		}
		snprintf(os_release, sizeof(os_release), "ID=%s\nVERSION_ID=%.*s\n", release_files[i].id,
			 (int)(n < 32 ? n : 32), text);
		free(text);
		if (pkgdb_parse_os_release(os_release, strlen(os_release), &c->st->os, err, sizeof(err)) == 0) {
			c->st->os_found = true;
			return;
		}
	}
}

/* The files of dpkg packages, for telling OS-installed language packages apart. */
static int add_dpkg_list(const char *path, const struct stat *st, void *user)
{
	struct collector *c = user;
	if (!S_ISREG(st->st_mode))
		return 0;
	char *text = NULL;
	size_t len = 0;
	if (read_file(c, path, c->lim.max_db_bytes, &text, &len) == 0) {
		if (pathset_add_lines(&c->owned, text, len) == -ENOMEM)
			c->fatal = -ENOMEM;
		free(text);
	}
	return c->fatal ? c->fatal : 0;
}

static int read_dpkg_status_d(const char *path, const struct stat *st, void *user)
{
	struct collector *c = user;
	size_t n = strlen(path);
	if (!S_ISREG(st->st_mode) || (n > 8 && strcmp(path + n - 8, ".md5sums") == 0))
		return 0;
	char *text = NULL, err[512];
	size_t len = 0;
	if (read_file(c, path, c->lim.max_text_bytes, &text, &len) < 0)
		return c->fatal;
	c->st->databases++;
	parsed(c, pkgdb_parse_dpkg_status_d(text, len, c->os, path, c->out, err, sizeof(err)), err);
	free(text);
	return c->fatal;
}

static void collect_dpkg(struct collector *c)
{
	char *text = NULL, err[512];
	size_t len = 0;
	if (read_file(c, "/var/lib/dpkg/status", c->lim.max_db_bytes, &text, &len) == 0) {
		c->st->databases++;
		parsed(c, pkgdb_parse_dpkg_status(text, len, c->os, "/var/lib/dpkg/status", c->out, err, sizeof(err)),
		       err);
		free(text);
		int r = imagefs_glob(c->fs, "/var/lib/dpkg/info/*.list", add_dpkg_list, c);
		if (r < 0 && r != -ENOENT && !c->fatal)
			note(c->st, "/var/lib/dpkg/info: %s", imagefs_error(c->fs));
	}
	if (c->fatal)
		return;
	int r = imagefs_glob(c->fs, "/var/lib/dpkg/status.d/*", read_dpkg_status_d, c);
	if (r < 0 && r != -ENOENT && !c->fatal)
		note(c->st, "/var/lib/dpkg/status.d: %s", imagefs_error(c->fs));
}

static void collect_apk(struct collector *c)
{
	char *text = NULL, err[512];
	size_t len = 0;
	const char *path = "/lib/apk/db/installed";
	if (read_file(c, path, c->lim.max_db_bytes, &text, &len) < 0)
		return;
	struct buf files;
	buf_init(&files, OWNED_PATHS_MAX);
	c->st->databases++;
	parsed(c, pkgdb_parse_apk_installed(text, len, c->os, path, c->out, &files, err, sizeof(err)), err);
	if (pathset_add_lines(&c->owned, files.data, files.len) == -ENOMEM)
		c->fatal = -ENOMEM;
	buf_free(&files);
	free(text);
}

typedef int (*rpm_parser)(const unsigned char *, size_t, const struct pkgdb_os *, const char *,
			  struct package_list *, struct buf *, char *, size_t);

/* rpm keeps one database, under /var/lib/rpm or (Fedora 36+, SUSE) /usr/lib/sysimage/rpm,
 * often with a symlink from one to the other: the first one found is read. */
static void collect_rpm(struct collector *c)
{
	static const struct {
		const char *path;
		rpm_parser parse;
	} dbs[] = {
		{ "/var/lib/rpm/rpmdb.sqlite", pkgdb_parse_rpm_sqlite },
		{ "/usr/lib/sysimage/rpm/rpmdb.sqlite", pkgdb_parse_rpm_sqlite },
		{ "/var/lib/rpm/Packages", pkgdb_parse_rpm_bdb },
		{ "/usr/lib/sysimage/rpm/Packages", pkgdb_parse_rpm_bdb },
		{ "/var/lib/rpm/Packages.db", pkgdb_parse_rpm_ndb },
		{ "/usr/lib/sysimage/rpm/Packages.db", pkgdb_parse_rpm_ndb },
	};
	for (size_t i = 0; i < sizeof(dbs) / sizeof(dbs[0]); i++) {
		char *data = NULL, err[512];
		size_t len = 0;
		if (read_file(c, dbs[i].path, c->lim.max_db_bytes, &data, &len) < 0) {
			if (c->fatal)
				return;
			continue;
		}
		struct buf files;
		buf_init(&files, OWNED_PATHS_MAX);
		c->st->databases++;
		parsed(c, dbs[i].parse((const unsigned char *)data, len, c->os, dbs[i].path, c->out, &files, err,
				       sizeof(err)), err);
		if (pathset_add_lines(&c->owned, files.data, files.len) == -ENOMEM)
			c->fatal = -ENOMEM;
		buf_free(&files);
		free(data);
		/* rpm checkpoints its write-ahead log when it closes the database; one
		 * left with content holds transactions the copy above does not have */
		char wal[128];
		struct stat st;
		snprintf(wal, sizeof(wal), "%s-wal", dbs[i].path);
		if (dbs[i].parse == pkgdb_parse_rpm_sqlite && imagefs_stat(c->fs, wal, &st) == 0 && st.st_size > 0)
			note(c->st, "%s: write-ahead log of %lld bytes not read: the last rpm transactions may be missing",
			     wal, (long long)st.st_size);
		return;
	}
}

static int add_candidate(struct collector *c, const char *path, const char *owner, enum candidate_kind kind,
			 uint64_t size)
{
	if (c->ncands == c->alloc) {
		size_t n = c->alloc ? c->alloc * 2 : 256;
		struct candidate *p = realloc(c->cands, n * sizeof(*p));
		if (!p)
			return -ENOMEM;
		c->cands = p;
		c->alloc = n;
	}
	struct candidate *k = &c->cands[c->ncands];
	k->path = strdup(path);
	k->owner_path = strdup(owner ? owner : path);
	k->kind = kind;
	k->size = size;
	if (!k->path || !k->owner_path) {
		free(k->path);
		free(k->owner_path);
		return -ENOMEM;
	}
	c->ncands++;
	return 0;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* ".../node_modules/NAME/package.json" or ".../node_modules/@SCOPE/NAME/package.json" */
static bool is_node_module_manifest(const char *path)
{
	const char *tail = NULL, *p = path;
	while ((p = strstr(p, "/node_modules/"))) {
		p += 14;
		tail = p;
	}
	return tail && (fnmatch("[!@]*/package.json", tail, FNM_PATHNAME) == 0 ||
			fnmatch("@*/*/package.json", tail, FNM_PATHNAME) == 0);
}

static int walk_entry(const char *path, const struct stat *st, void *user)
{
	struct collector *c = user;
	int r = 0;
	if (++c->st->files_visited > c->lim.max_files) {
		c->st->walk_truncated = true;
		return -E2BIG;
	}
	if (S_ISDIR(st->st_mode)) {
		if (strcmp(path, "/proc") == 0 || strcmp(path, "/sys") == 0 || strcmp(path, "/dev") == 0)
			return 1;
		const char *base = strrchr(path, '/') + 1;
		char meta[IMAGEFS_MAX_PATH + 16];
		if (ends_with(base, ".dist-info")) {
			snprintf(meta, sizeof(meta), "%s/METADATA", path);
			r = add_candidate(c, meta, path, CAND_PYTHON, 0);
		} else if (ends_with(base, ".egg-info")) {
			snprintf(meta, sizeof(meta), "%s/PKG-INFO", path);
			r = add_candidate(c, meta, path, CAND_PYTHON, 0);
		}
		return r;
	}
	if (!S_ISREG(st->st_mode))
		return 0;
	const char *base = strrchr(path, '/') + 1;
	if (ends_with(base, ".egg-info"))
		r = add_candidate(c, path, NULL, CAND_PYTHON, (uint64_t)st->st_size);
	else if (strcmp(base, "package.json") == 0 && is_node_module_manifest(path))
		r = add_candidate(c, path, NULL, CAND_NPM, (uint64_t)st->st_size);
	else if (ends_with(base, ".jar") || ends_with(base, ".war") || ends_with(base, ".ear"))
		r = add_candidate(c, path, NULL, CAND_ARCHIVE, (uint64_t)st->st_size);
	else if ((st->st_mode & 0111) && st->st_size >= GO_MIN_BINARY)
		r = add_candidate(c, path, NULL, CAND_BINARY, (uint64_t)st->st_size);
	return r;
}

/* Installed by dpkg/apk/rpm: listed as is, or (usr-merge) without its /usr prefix. */
static bool os_owned(const struct collector *c, const char *path)
{
	if (!c->owned.count)
		return false;
	if (pathset_has(&c->owned, path))
		return true;
	return strncmp(path, "/usr/", 5) == 0 && pathset_has(&c->owned, path + 4);
}

struct fd_reader {
	int fd;
};

static int fd_read_at(void *user, uint64_t off, size_t len, unsigned char *dst)
{
	struct fd_reader *f = user;
	size_t done = 0;
	while (done < len) {
		ssize_t n = pread(f->fd, dst + done, len - done, (off_t)(off + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		done += (size_t)n;
	}
	return 0;
}

static void read_candidate(struct collector *c, const struct candidate *k)
{
	char *data = NULL, err[512];
	size_t len = 0;
	int r;
	switch (k->kind) {
	case CAND_PYTHON:
		if (read_file(c, k->path, c->lim.max_text_bytes, &data, &len) < 0)
			return;
		parsed(c, pkgdb_parse_python_metadata(data, len, k->path, c->out, err, sizeof(err)), err);
		break;
	case CAND_NPM:
		if (read_file(c, k->path, c->lim.max_text_bytes, &data, &len) < 0)
			return;
		parsed(c, pkgdb_parse_npm_package_json(data, len, k->path, c->out, err, sizeof(err)), err);
		break;
	case CAND_ARCHIVE:
		if (read_file(c, k->path, c->lim.max_archive_bytes, &data, &len) < 0)
			return;
		c->st->archives_checked++;
		parsed(c, pkgdb_parse_java_archive((const unsigned char *)data, len, k->path, c->lim.max_archive_entry,
						   c->out, err, sizeof(err)), err);
		break;
	case CAND_BINARY: {
		struct fd_reader f = { -1 };
		struct stat st;
		r = imagefs_open(c->fs, k->path, &f.fd, &st);
		if (r < 0) {
			if (r != -ENOENT)
				note(c->st, "%s: not read: %s", k->path, imagefs_error(c->fs));
			return;
		}
		c->st->binaries_checked++;
		r = pkgdb_parse_go_binary(fd_read_at, &f, (uint64_t)st.st_size, k->path, c->out, err, sizeof(err));
		close(f.fd);
		parsed(c, r, err);
		break;
	}
	}
	free(data);
}

static void collect_language_walk(struct collector *c)
{
	imagefs_set_max_entries(c->fs, c->lim.max_files);
	int r = imagefs_walk(c->fs, "/", c->lim.max_depth, walk_entry, c);
	if (r == -ENOMEM) {
		c->fatal = r;
		return;
	}
	if (r == -E2BIG) {
		c->st->walk_truncated = true;
		note(c->st, "image walk stopped after %zu entries: language packages beyond are not listed",
		     c->st->files_visited);
	} else if (r < 0) {
		note(c->st, "image walk: %s", imagefs_error(c->fs));
	}
}

static void collect_language(struct collector *c)
{
	collect_language_walk(c);
	for (size_t i = 0; i < c->ncands && !c->fatal; i++) {
		const struct candidate *k = &c->cands[i];
		if (os_owned(c, k->owner_path) || os_owned(c, k->path)) {
			c->st->os_owned_skipped++;
			continue;
		}
		read_candidate(c, k);
	}
}

static void free_candidates(struct collector *c)
{
	for (size_t i = 0; i < c->ncands; i++) {
		free(c->cands[i].path);
		free(c->cands[i].owner_path);
	}
	free(c->cands);
	c->cands = NULL;
	c->ncands = c->alloc = 0;
}

/* The OS part of pkgdb_collect: os-release and the OS package databases of
 * the merged view, and the files those packages own. */
static void collect_os(struct collector *c)
{
	size_t before = c->out->len;
	detect_os(c);
	if (!c->fatal)
		collect_dpkg(c);
	if (!c->fatal)
		collect_apk(c);
	if (!c->fatal)
		collect_rpm(c);
	c->st->os_packages = c->out->len - before;
}

static int finish(struct collector *c, char *err, size_t errlen)
{
	if (c->fatal == -ENOMEM) {
		snprintf(err, errlen, "out of memory while listing packages");
		return -ENOMEM;
	}
	if (c->fatal == -E2BIG) {
		/* the list is usable but incomplete */
		c->st->walk_truncated = true;
		note(c->st, "more than %zu packages: the rest are not listed", c->lim.max_packages);
	}
	return 0;
}

struct pkgdb_owned {
	struct pathset set;
};

int pkgdb_collect_os(struct imagefs *fs, const struct pkgdb_limits *lim, struct package_list *out,
		     struct pkgdb_stats *st, struct pkgdb_owned **owned, char *err, size_t errlen)
{
	struct collector c = { .fs = fs, .out = out, .st = st, .os = &st->os };
	memset(st, 0, sizeof(*st));
	*owned = calloc(1, sizeof(**owned));
	if (!*owned) {
		snprintf(err, errlen, "out of memory while listing packages");
		return -ENOMEM;
	}
	default_limits(&c.lim, lim);
	if (!out->cap || out->cap > c.lim.max_packages)
		out->cap = c.lim.max_packages;
	pathset_init(&c.owned, OWNED_PATHS_MAX);
	collect_os(&c);
	(*owned)->set = c.owned;
	return finish(&c, err, errlen);
}

bool pkgdb_owned_has(const struct pkgdb_owned *o, const char *path)
{
	struct collector c = { .owned = o->set };
	return os_owned(&c, path);
}

const char *const pkgdb_os_paths[] = {
	"/etc/os-release", "/usr/lib/os-release", "/etc/debian_version", "/etc/alpine-release", "/var/lib/dpkg",
	"/lib/apk/db", "/usr/lib/apk/db", "/var/lib/rpm", "/usr/lib/sysimage/rpm", NULL,
};

int pkgdb_owned_lines(const struct pkgdb_owned *o, struct buf *out)
{
	const struct buf *names = &o->set.names;
	for (size_t off = 0; off < names->len;) {
		size_t n = strlen(names->data + off);
		if (buf_append(out, names->data + off, n) < 0 || buf_append(out, "\n", 1) < 0)
			return -ENOMEM;
		off += n + 1;
	}
	return 0;
}

int pkgdb_owned_from_lines(const char *text, size_t len, struct pkgdb_owned **out)
{
	*out = calloc(1, sizeof(**out));
	if (!*out)
		return -ENOMEM;
	pathset_init(&(*out)->set, OWNED_PATHS_MAX);
	/* a set that was full when collected is as full now */
	if (pathset_add_lines(&(*out)->set, text, len) == -ENOMEM) {
		pkgdb_owned_free(*out);
		*out = NULL;
		return -ENOMEM;
	}
	return 0;
}

void pkgdb_owned_free(struct pkgdb_owned *o)
{
	if (!o)
		return;
	pathset_free(&o->set);
	free(o);
}

int pkgdb_collect_layer(struct imagefs *layer, const struct pkgdb_limits *lim, pkgdb_found_fn fn, void *user,
			struct pkgdb_stats *st, char *err, size_t errlen)
{
	struct pkgdb_stats *scratch = calloc(1, sizeof(*scratch));
	struct collector c = { .fs = layer, .st = st };
	memset(st, 0, sizeof(*st));
	if (!scratch) {
		snprintf(err, errlen, "out of memory while listing packages");
		return -ENOMEM;
	}
	default_limits(&c.lim, lim);
	pathset_init(&c.owned, OWNED_PATHS_MAX);        /* stays empty: ownership is decided on composing */
	collect_language_walk(&c);
	int r = 0;
	for (size_t i = 0; i < c.ncands && !c.fatal && r == 0; i++) {
		const struct candidate *k = &c.cands[i];
		struct package_list pl = { .cap = c.lim.max_packages };
		memset(scratch, 0, sizeof(*scratch));
		c.st = scratch;
		c.out = &pl;
		read_candidate(&c, k);
		c.st = st;
		st->binaries_checked += scratch->binaries_checked;
		st->archives_checked += scratch->archives_checked;
		if (c.fatal == -E2BIG)
			c.fatal = 0;    /* one candidate's list is full: the composed list reports it */
		if (pl.len || scratch->nerrors) {
			struct pkgdb_found f = { .path = k->path, .owner_path = k->owner_path, .pkgs = &pl,
						 .nerrors = scratch->nerrors,
						 .errors = (const char (*)[256])scratch->errors };
			r = fn(&f, user);
		}
		package_list_free(&pl);
	}
	free(scratch);
	free_candidates(&c);
	pathset_free(&c.owned);
	if (r < 0) {
		snprintf(err, errlen, "%s", strerror(-r));
		return r;
	}
	return finish(&c, err, errlen);
}

int pkgdb_collect(struct imagefs *fs, const struct pkgdb_limits *lim, struct package_list *out,
		  struct pkgdb_stats *st, char *err, size_t errlen)
{
	struct collector c = { .fs = fs, .out = out, .st = st, .os = &st->os };
	memset(st, 0, sizeof(*st));
	default_limits(&c.lim, lim);
	if (!out->cap || out->cap > c.lim.max_packages)
		out->cap = c.lim.max_packages;
	pathset_init(&c.owned, OWNED_PATHS_MAX);
	size_t before = out->len;

	collect_os(&c);
	if (!c.fatal)
		collect_language(&c);
	st->language_packages = out->len - before - st->os_packages;

	free_candidates(&c);
	pathset_free(&c.owned);
	return finish(&c, err, errlen);
}
