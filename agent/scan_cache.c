/* scan_cache.c: the scan cache as small JSON files under STATE_DIR/cache, written atomically, checked on reading. */
#include "scan_cache.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "image/archive.h"
#include "ini_file.h"
#include "json.h"
#include "report/jsonw.h"

#define CACHE_FORMAT 1
#define CACHE_MAX_FILE ((size_t)256 << 20)

struct scan_cache {
	char *dir;
	uint64_t max_bytes;
	bool stored;            /* something was written: prune on closing */
};

int scan_cache_open(const char *state_dir, struct scan_cache **out, char *err, size_t errlen)
{
	*out = NULL;
	char path[4096];
	if (!state_dir || !*state_dir) {
		snprintf(err, errlen, "no [agent] state_dir");
		return -EINVAL;
	}
	snprintf(path, sizeof(path), "%s", state_dir);
	if (mkdir(path, 0700) < 0 && errno != EEXIST)
		goto fail;
	snprintf(path, sizeof(path), "%s/cache", state_dir);
	if (mkdir(path, 0700) < 0 && errno != EEXIST)
		goto fail;
	struct stat st;
	if (lstat(path, &st) < 0 || !S_ISDIR(st.st_mode) || st.st_uid != geteuid()) {
		snprintf(err, errlen, "%s: not a directory of ours", path);
		return -EPERM;
	}
	struct scan_cache *c = calloc(1, sizeof(*c));
	if (!c || !(c->dir = strdup(path))) {
		free(c);
		return -ENOMEM;
	}
	c->max_bytes = SCAN_CACHE_DEFAULT_MAX;
	*out = c;
	return 0;
fail:
	snprintf(err, errlen, "%s: %s", path, strerror(errno));
	return -errno;
}

void scan_cache_close(struct scan_cache *c)
{
	if (!c)
		return;
	if (c->stored)
		scan_cache_prune(c);
	free(c->dir);
	free(c);
}

int scan_chain_id(const char *const *diff_ids, size_t n, char out[72])
{
	if (n == 0)
		return -EINVAL;
	snprintf(out, 72, "%s", diff_ids[0]);
	for (size_t i = 1; i < n; i++) {
		char joined[200];
		int l = snprintf(joined, sizeof(joined), "%s %s", out, diff_ids[i]);
		if (l < 0 || (size_t)l >= sizeof(joined))
			return -EINVAL;
		sha256_digest(joined, (size_t)l, out);
	}
	return 0;
}

/* "sha256:abc" -> "abc" checked to be a file name of hex digits. */
static int key_name(const char *prefix, const char *key, const char *extra, char *out, size_t len)
{
	const char *hex = strncmp(key, "sha256:", 7) == 0 ? key + 7 : key;
	size_t hl = strlen(hex);
	if (hl < 16 || hl > 128 || strspn(hex, "0123456789abcdef") != hl)
		return -EINVAL;
	if (extra && (strlen(extra) > 128 || strspn(extra, "0123456789abcdefABCDEF-_.") != strlen(extra)))
		return -EINVAL;
	snprintf(out, len, "%s-%s%s%s.json", prefix, hex, extra ? "-" : "", extra ? extra : "");
	return 0;
}

static int write_atomic(struct scan_cache *c, const char *name, struct jsonw *w)
{
	char path[4400], tmp[4400];
	snprintf(path, sizeof(path), "%s/%s", c->dir, name);
	snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", c->dir, name);
	if (w->status)
		return -EINVAL;
	size_t len;
	const char *text = jsonw_text(w, &len);
	int fd = mkstemp(tmp);
	if (fd < 0)
		return -errno;
	int r = 0;
	for (size_t off = 0; off < len && r == 0;) {
		ssize_t n = write(fd, text + off, len - off);
		if (n < 0 && errno != EINTR)
			r = -errno;
		else if (n > 0)
			off += (size_t)n;
	}
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0)
		unlink(tmp);
	else
		c->stored = true;
	return r;
}

static int read_doc(struct scan_cache *c, const char *name, yajl_val *out)
{
	char path[4400], *text = NULL, perr[128];
	size_t len;
	snprintf(path, sizeof(path), "%s/%s", c->dir, name);
	int r = read_file_capped(path, CACHE_MAX_FILE, &text, &len);
	if (r < 0)
		return r;
	r = json_parse(text, len, out, perr, sizeof(perr));
	free(text);
	if (r == 0)
		utimensat(AT_FDCWD, path, NULL, 0);    /* recently used: pruned last */
	if (r < 0)
		return -ENOENT;         /* a damaged entry is a miss */
	if (json_int(*out, "format", 0) != CACHE_FORMAT ||
	    strcmp(json_str(*out, "dockward") ? json_str(*out, "dockward") : "", DOCKWARD_VERSION) != 0) {
		yajl_tree_free(*out);
		*out = NULL;
		return -ENOENT;         /* written by another version: its readers may differ */
	}
	return 0;
}

static void header(struct jsonw *w)
{
	jsonw_obj_begin(w);
	jsonw_kint(w, "format", CACHE_FORMAT);
	jsonw_kstr(w, "dockward", DOCKWARD_VERSION);
}

/* A new entry's writer, with the header. */
static int entry_begin(struct jsonw *w)
{
	int r = jsonw_init(w, false);
	if (r == 0)
		header(w);
	return r;
}

static int entry_commit(struct scan_cache *c, const char *name, struct jsonw *w)
{
	jsonw_obj_end(w);
	int r = write_atomic(c, name, w);
	jsonw_free(w);
	return r;
}

/* The entry PREFIX-KEY[-EXTRA].json, parsed and checked: 0, or -ENOENT for a miss. */
static int entry_load(struct scan_cache *c, const char *prefix, const char *key, const char *extra, yajl_val *d)
{
	char name[400];
	*d = NULL;
	if (!c || key_name(prefix, key, extra, name, sizeof(name)) < 0 || read_doc(c, name, d) < 0)
		return -ENOENT;
	return 0;
}

static void strv_write(struct jsonw *w, const char *key, char *const *v, size_t n)
{
	jsonw_str(w, key);
	jsonw_arr_begin(w);
	for (size_t i = 0; i < n; i++)
		jsonw_str(w, v[i]);
	jsonw_arr_end(w);
}

static void pkgs_write(struct jsonw *w, const struct package *pkgs, size_t n)
{
	jsonw_str(w, "packages");
	jsonw_arr_begin(w);
	for (size_t i = 0; i < n; i++) {
		const struct package *p = &pkgs[i];
		jsonw_arr_begin(w);
		jsonw_str(w, p->ecosystem);
		jsonw_str(w, p->name);
		jsonw_str(w, p->version);
		jsonw_str(w, p->source_name);
		jsonw_str(w, p->source_version);
		jsonw_str(w, p->location);
		jsonw_str(w, p->purl);
		jsonw_int(w, p->origin);
		jsonw_int(w, p->scheme);
		jsonw_arr_end(w);
	}
	jsonw_arr_end(w);
}

static void setuid_write(struct jsonw *w, const struct risk_list *risks)
{
	jsonw_str(w, "setuid");
	jsonw_arr_begin(w);
	for (size_t i = 0; i < risks->len; i++) {
		const struct image_risk *k = &risks->items[i];
		if (k->kind != RISK_SETUID)
			continue;
		jsonw_arr_begin(w);
		jsonw_str(w, k->subject);
		jsonw_str(w, k->detail);
		jsonw_int(w, k->severity);
		jsonw_arr_end(w);
	}
	jsonw_arr_end(w);
}

int scan_cache_store_fs(struct scan_cache *c, const char *key, const struct scan_image *s)
{
	char name[300];
	if (!c || s->status != SCAN_OK || key_name("fs", key, NULL, name, sizeof(name)) < 0)
		return 0;
	struct jsonw w;
	int r = entry_begin(&w);
	if (r < 0)
		return r;
	jsonw_kstr(&w, "os", s->os);
	jsonw_kstr(&w, "ecosystem", s->ecosystem);
	jsonw_kbool(&w, "inventory_done", s->inventory_done);
	jsonw_kbool(&w, "inventory_truncated", s->inventory_truncated);
	jsonw_kint(&w, "files_walked", (int64_t)s->files_walked);
	jsonw_kbool(&w, "walk_truncated", s->walk_truncated);
	pkgs_write(&w, s->pkgs, s->n_pkgs);
	setuid_write(&w, &s->risks);
	strv_write(&w, "notes", s->notes, s->n_notes);
	return entry_commit(c, name, &w);
}

static char *dup_at(yajl_val arr, size_t i)
{
	const char *s = YAJL_GET_STRING(json_array_at(arr, i));
	return strdup(s ? s : "");
}

/* Packages written by pkgs_write, appended to *pkgs (*n of them). */
static int pkgs_read(yajl_val pk, struct package **pkgs, size_t *n_pkgs)
{
	size_t n = json_array_len(pk);
	struct package *v = realloc(*pkgs, (*n_pkgs + n + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	*pkgs = v;
	memset(v + *n_pkgs, 0, (n + 1) * sizeof(*v));
	for (size_t i = 0; i < n; i++) {
		yajl_val e = json_array_at(pk, i);
		struct package *p = &v[(*n_pkgs)++];
		p->ecosystem = dup_at(e, 0);
		p->name = dup_at(e, 1);
		p->version = dup_at(e, 2);
		p->source_name = dup_at(e, 3);
		p->source_version = dup_at(e, 4);
		p->location = dup_at(e, 5);
		p->purl = dup_at(e, 6);
		yajl_val o = json_array_at(e, 7), sc = json_array_at(e, 8);
		p->origin = YAJL_IS_INTEGER(o) && YAJL_GET_INTEGER(o) == PKG_ORIGIN_LANGUAGE ? PKG_ORIGIN_LANGUAGE : PKG_ORIGIN_OS;
		int64_t scheme = YAJL_IS_INTEGER(sc) ? YAJL_GET_INTEGER(sc) : 0;
		p->scheme = scheme >= 0 && scheme < VERSION_SCHEME_COUNT ? (enum version_scheme)scheme : VERSION_DPKG;
		if (!p->ecosystem || !p->name || !p->version || !p->source_name || !p->source_version || !p->location ||
		    !p->purl)
			return -ENOMEM;
	}
	return 0;
}

static int setuid_read(yajl_val su, struct risk_list *risks)
{
	for (size_t i = 0; i < json_array_len(su); i++) {
		yajl_val e = json_array_at(su, i);
		yajl_val sev = json_array_at(e, 2);
		int64_t sv = YAJL_IS_INTEGER(sev) ? YAJL_GET_INTEGER(sev) : SEV_LOW;
		const char *subj = YAJL_GET_STRING(json_array_at(e, 0)), *det = YAJL_GET_STRING(json_array_at(e, 1));
		int r = risk_list_add(risks, RISK_SETUID, sv >= 0 && sv < SEV_COUNT ? (enum severity)sv : SEV_LOW,
				      subj ? subj : "", det ? det : "");
		if (r < 0)
			return r;
	}
	return 0;
}

int scan_cache_load_fs(struct scan_cache *c, const char *key, struct scan_image *s)
{
	yajl_val d;
	int r = entry_load(c, "fs", key, NULL, &d);
	if (r < 0)
		return r;
	yajl_val notes = json_get(d, "notes");
	if ((r = pkgs_read(json_get(d, "packages"), &s->pkgs, &s->n_pkgs)) < 0 ||
	    (r = setuid_read(json_get(d, "setuid"), &s->risks)) < 0)
		goto out;
	for (size_t i = 0; i < json_array_len(notes); i++) {
		const char *t = YAJL_GET_STRING(json_array_at(notes, i));
		if (t && (r = scan_image_note(s, "%s", t)) < 0)
			goto out;
	}
	snprintf(s->os, sizeof(s->os), "%s", json_str(d, "os") ? json_str(d, "os") : "");
	snprintf(s->ecosystem, sizeof(s->ecosystem), "%s", json_str(d, "ecosystem") ? json_str(d, "ecosystem") : "");
	s->inventory_done = json_bool(d, "inventory_done", false);
	s->inventory_truncated = json_bool(d, "inventory_truncated", false);
	s->files_walked = (size_t)json_int(d, "files_walked", 0);
	s->walk_truncated = json_bool(d, "walk_truncated", false);
	s->from_cache = true;
	r = 0;
out:
	yajl_tree_free(d);
	return r;
}

int scan_cache_store_vulns(struct scan_cache *c, const char *image_id, const char *dbver, const struct scan_image *s)
{
	char name[400];
	if (!c || !s->vulns_checked || key_name("vulns", image_id, dbver, name, sizeof(name)) < 0)
		return 0;
	struct jsonw w;
	int r = entry_begin(&w);
	if (r < 0)
		return r;
	jsonw_kint(&w, "packages", (int64_t)s->n_pkgs);
	jsonw_str(&w, "vulns");
	jsonw_arr_begin(&w);
	for (size_t i = 0; i < s->n_vulns; i++) {
		const struct scan_vuln *v = &s->vulns[i];
		jsonw_obj_begin(&w);
		jsonw_kint(&w, "pkg", (int64_t)v->pkg);
		jsonw_kstr(&w, "id", v->id);
		strv_write(&w, "aliases", v->aliases, v->n_aliases);
		jsonw_kint(&w, "severity", v->severity);
		jsonw_kstr(&w, "fixed", v->fixed);
		jsonw_kstr(&w, "summary", v->summary);
		jsonw_obj_end(&w);
	}
	jsonw_arr_end(&w);
	return entry_commit(c, name, &w);
}

int scan_cache_load_vulns(struct scan_cache *c, const char *image_id, const char *dbver, struct scan_image *s)
{
	yajl_val d;
	int r = entry_load(c, "vulns", image_id, dbver, &d);
	if (r < 0)
		return r;
	yajl_val vs = json_get(d, "vulns");
	size_t n = json_array_len(vs);
	if ((size_t)json_int(d, "packages", -1) != s->n_pkgs) {
		r = -ENOENT;    /* made from another inventory */
		goto out;
	}
	s->vulns = calloc(n + 1, sizeof(*s->vulns));
	if (!s->vulns) {
		r = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		yajl_val e = json_array_at(vs, i);
		int64_t pkg = json_int(e, "pkg", -1), sev = json_int(e, "severity", 0);
		if (pkg < 0 || (size_t)pkg >= s->n_pkgs)
			continue;
		struct scan_vuln *v = &s->vulns[s->n_vulns++];
		v->pkg = (size_t)pkg;
		v->severity = sev >= 0 && sev < SEV_COUNT ? (enum severity)sev : SEV_UNKNOWN;
		v->id = json_strdup(e, "id");
		v->fixed = json_strdup(e, "fixed");
		v->summary = json_strdup(e, "summary");
		yajl_val al = json_get(e, "aliases");
		v->aliases = calloc(json_array_len(al) + 1, sizeof(char *));
		if (!v->id || !v->fixed || !v->summary || !v->aliases) {
			r = -ENOMEM;
			goto out;
		}
		for (size_t k = 0; k < json_array_len(al); k++)
			if (!(v->aliases[v->n_aliases++] = dup_at(al, k))) {
				r = -ENOMEM;
				goto out;
			}
	}
	s->vulns_checked = true;
	r = 0;
out:
	yajl_tree_free(d);
	return r;
}

int scan_cache_vuln_counts(struct scan_cache *c, const char *image_id, const char *dbver, size_t counts[SEV_COUNT],
			   size_t *fixable)
{
	yajl_val d;
	if (entry_load(c, "vulns", image_id, dbver, &d) < 0)
		return -ENOENT;
	memset(counts, 0, SEV_COUNT * sizeof(*counts));
	*fixable = 0;
	yajl_val vs = json_get(d, "vulns");
	for (size_t i = 0; i < json_array_len(vs); i++) {
		yajl_val e = json_array_at(vs, i);
		int64_t sev = json_int(e, "severity", 0);
		const char *fixed = json_str(e, "fixed");
		counts[sev >= 0 && sev < SEV_COUNT ? sev : SEV_UNKNOWN]++;
		*fixable += fixed && *fixed;
	}
	yajl_tree_free(d);
	return 0;
}

static void strv_free_n(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void scan_layer_rec_free(struct scan_layer_rec *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_items; i++) {
		struct scan_layer_item *it = &r->items[i];
		free(it->path);
		free(it->owner_path);
		for (size_t k = 0; k < it->n_pkgs; k++)
			package_free(&it->pkgs[k]);
		free(it->pkgs);
		strv_free_n(it->notes, it->n_notes);
	}
	free(r->items);
	risk_list_free(&r->setuid);
	strv_free_n(r->notes, r->n_notes);
	memset(r, 0, sizeof(*r));
}

int scan_cache_store_layer(struct scan_cache *c, const char *diff_id, const struct scan_layer_rec *rec)
{
	char name[300];
	if (!c || key_name("layer", diff_id, NULL, name, sizeof(name)) < 0)
		return 0;
	struct jsonw w;
	int r = entry_begin(&w);
	if (r < 0)
		return r;
	jsonw_kstr(&w, "diff_id", diff_id);
	jsonw_kint(&w, "files_walked", (int64_t)rec->files_walked);
	jsonw_kbool(&w, "walk_truncated", rec->walk_truncated);
	jsonw_str(&w, "items");
	jsonw_arr_begin(&w);
	for (size_t i = 0; i < rec->n_items; i++) {
		const struct scan_layer_item *it = &rec->items[i];
		jsonw_obj_begin(&w);
		jsonw_kstr(&w, "path", it->path);
		jsonw_kstr(&w, "owner", it->owner_path);
		pkgs_write(&w, it->pkgs, it->n_pkgs);
		strv_write(&w, "notes", it->notes, it->n_notes);
		jsonw_obj_end(&w);
	}
	jsonw_arr_end(&w);
	setuid_write(&w, &rec->setuid);
	strv_write(&w, "notes", rec->notes, rec->n_notes);
	return entry_commit(c, name, &w);
}

static int strv_read(yajl_val arr, char ***out, size_t *n)
{
	size_t len = json_array_len(arr);
	*out = calloc(len + 1, sizeof(char *));
	if (!*out)
		return -ENOMEM;
	for (size_t i = 0; i < len; i++)
		if (!((*out)[(*n)++] = dup_at(arr, i)))
			return -ENOMEM;
	return 0;
}

/* An image path as a walk reports it: absolute, no empty, "." or ".." component. */
static bool clean_path(const char *p)
{
	if (!p || p[0] != '/' || strlen(p) >= 4096)
		return false;
	return !strstr(p, "//") && !strstr(p, "/./") && !strstr(p, "/../") && strcmp(p + strlen(p) - 2, "/.") != 0 &&
	       (strlen(p) < 3 || strcmp(p + strlen(p) - 3, "/..") != 0);
}

int scan_cache_load_layer(struct scan_cache *c, const char *diff_id, struct scan_layer_rec *rec)
{
	yajl_val d;
	memset(rec, 0, sizeof(*rec));
	if (entry_load(c, "layer", diff_id, NULL, &d) < 0)
		return -ENOENT;
	int r = -ENOENT;
	yajl_val items = json_get(d, "items");
	const char *id = json_str(d, "diff_id");
	if (!id || strcmp(id, diff_id) != 0 || !YAJL_IS_ARRAY(items) || !YAJL_IS_ARRAY(json_get(d, "setuid")))
		goto out;       /* not what the name promises: rebuilt */
	size_t n = json_array_len(items);
	rec->items = calloc(n + 1, sizeof(*rec->items));
	if (!rec->items) {
		r = -ENOMEM;
		goto out;
	}
	rec->alloc = n + 1;
	for (size_t i = 0; i < n; i++) {
		yajl_val e = json_array_at(items, i);
		const char *path = json_str(e, "path"), *owner = json_str(e, "owner");
		if (!clean_path(path) || !clean_path(owner)) {
			r = -ENOENT;
			goto out;
		}
		struct scan_layer_item *it = &rec->items[rec->n_items++];
		it->path = strdup(path);
		it->owner_path = strdup(owner);
		if (!it->path || !it->owner_path || pkgs_read(json_get(e, "packages"), &it->pkgs, &it->n_pkgs) < 0 ||
		    strv_read(json_get(e, "notes"), &it->notes, &it->n_notes) < 0) {
			r = -ENOMEM;
			goto out;
		}
	}
	if (setuid_read(json_get(d, "setuid"), &rec->setuid) < 0 ||
	    strv_read(json_get(d, "notes"), &rec->notes, &rec->n_notes) < 0) {
		r = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < rec->setuid.len; i++)
		if (!clean_path(rec->setuid.items[i].subject))
			goto out;
	rec->files_walked = (size_t)json_int(d, "files_walked", 0);
	rec->walk_truncated = json_bool(d, "walk_truncated", false);
	r = 0;
out:
	if (r < 0)
		scan_layer_rec_free(rec);
	yajl_tree_free(d);
	return r;
}

void scan_cache_set_max_bytes(struct scan_cache *c, uint64_t max_bytes)
{
	if (c)
		c->max_bytes = max_bytes;
}

struct cache_entry {
	char name[300];
	struct timespec used;
	uint64_t bytes;
};

static int entry_cmp(const void *a, const void *b)
{
	const struct cache_entry *x = a, *y = b;
	if (x->used.tv_sec != y->used.tv_sec)
		return x->used.tv_sec < y->used.tv_sec ? -1 : 1;
	if (x->used.tv_nsec != y->used.tv_nsec)
		return x->used.tv_nsec < y->used.tv_nsec ? -1 : 1;
	return strcmp(x->name, y->name);
}

size_t scan_cache_prune(struct scan_cache *c)
{
	DIR *dir = c ? opendir(c->dir) : NULL;
	if (!dir)
		return 0;
	struct cache_entry *v = NULL;
	size_t n = 0, alloc = 0, removed = 0;
	uint64_t total = 0;
	time_t now = time(NULL);
	struct dirent *de;
	while ((de = readdir(dir))) {
		struct stat st;
		if (fstatat(dirfd(dir), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
			continue;
		/* a temporary file of a write that died long ago */
		if (de->d_name[0] == '.') {
			if (st.st_mtime < now - 3600 && unlinkat(dirfd(dir), de->d_name, 0) == 0)
				removed++;
			continue;
		}
		if (strlen(de->d_name) >= sizeof(v->name) || !strstr(de->d_name, ".json"))
			continue;
		if (n == alloc) {
			size_t na = alloc ? alloc * 2 : 64;
			struct cache_entry *p = realloc(v, na * sizeof(*p));
			if (!p)
				break;
			v = p;
			alloc = na;
		}
		snprintf(v[n].name, sizeof(v[n].name), "%s", de->d_name);
		v[n].used = st.st_mtim;
		v[n].bytes = (uint64_t)st.st_size;
		total += v[n].bytes;
		n++;
	}
	if (n)
		qsort(v, n, sizeof(*v), entry_cmp);
	for (size_t i = 0; i < n && total > c->max_bytes; i++)
		if (unlinkat(dirfd(dir), v[i].name, 0) == 0) {
			total -= v[i].bytes;
			removed++;
		}
	closedir(dir);
	free(v);
	return removed;
}

void scan_os_rec_free(struct scan_os_rec *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_pkgs; i++)
		package_free(&r->pkgs[i]);
	free(r->pkgs);
	strv_free_n(r->notes, r->n_notes);
	free(r->owned);
	memset(r, 0, sizeof(*r));
}

int scan_cache_store_os(struct scan_cache *c, const char *chain_id, const struct scan_os_rec *rec)
{
	char name[300];
	if (!c || key_name("os", chain_id, NULL, name, sizeof(name)) < 0)
		return 0;
	struct jsonw w;
	int r = entry_begin(&w);
	if (r < 0)
		return r;
	jsonw_kstr(&w, "chain_id", chain_id);
	jsonw_kstr(&w, "os", rec->os);
	jsonw_kstr(&w, "ecosystem", rec->ecosystem);
	jsonw_kbool(&w, "truncated", rec->truncated);
	jsonw_kint(&w, "nerrors", (int64_t)rec->nerrors);
	pkgs_write(&w, rec->pkgs, rec->n_pkgs);
	strv_write(&w, "notes", rec->notes, rec->n_notes);
	jsonw_kstr(&w, "owned", rec->owned ? rec->owned : "");
	return entry_commit(c, name, &w);
}

int scan_cache_load_os(struct scan_cache *c, const char *chain_id, struct scan_os_rec *rec)
{
	yajl_val d;
	memset(rec, 0, sizeof(*rec));
	if (entry_load(c, "os", chain_id, NULL, &d) < 0)
		return -ENOENT;
	int r = -ENOENT;
	const char *id = json_str(d, "chain_id"), *owned = json_str(d, "owned");
	if (!id || strcmp(id, chain_id) != 0 || !owned || !YAJL_IS_ARRAY(json_get(d, "packages")))
		goto out;
	snprintf(rec->os, sizeof(rec->os), "%s", json_str(d, "os") ? json_str(d, "os") : "");
	snprintf(rec->ecosystem, sizeof(rec->ecosystem), "%s", json_str(d, "ecosystem") ? json_str(d, "ecosystem") : "");
	rec->truncated = json_bool(d, "truncated", false);
	rec->nerrors = (size_t)json_int(d, "nerrors", 0);
	r = -ENOMEM;
	if (pkgs_read(json_get(d, "packages"), &rec->pkgs, &rec->n_pkgs) < 0 ||
	    strv_read(json_get(d, "notes"), &rec->notes, &rec->n_notes) < 0 || !(rec->owned = strdup(owned)))
		goto out;
	r = 0;
out:
	if (r < 0)
		scan_os_rec_free(rec);
	yajl_tree_free(d);
	return r;
}
