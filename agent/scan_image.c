/* scan_image.c: reading one image for the scanner: from the engine's overlay2 layer directories, an engine export, or a file. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "docker/client.h"
#include "image/archive.h"
#include "image/imagefs.h"
#include "json.h"
#include "scan.h"
#include "scan_cache.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int scan_image_note(struct scan_image *s, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	char **n = realloc(s->notes, (s->n_notes + 1) * sizeof(char *));
	if (!n)
		return -ENOMEM;
	s->notes = n;
	if (!(n[s->n_notes] = strdup(line)))
		return -ENOMEM;
	s->n_notes++;
	return 0;
}

void scan_image_not_scanned(struct scan_image *s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s->reason, sizeof(s->reason), fmt, ap);
	va_end(ap);
	s->status = SCAN_NOT_SCANNED;
}

static void strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void scan_image_free(struct scan_image *s)
{
	if (!s)
		return;
	free(s->id);
	strv_free(s->tags, s->n_tags);
	strv_free(s->containers, s->n_containers);
	free(s->source);
	for (size_t i = 0; i < s->n_pkgs; i++)
		package_free(&s->pkgs[i]);
	free(s->pkgs);
	strv_free(s->notes, s->n_notes);
	for (size_t i = 0; i < s->n_vulns; i++) {
		struct scan_vuln *v = &s->vulns[i];
		free(v->id);
		strv_free(v->aliases, v->n_aliases);
		free(v->fixed);
		free(v->summary);
	}
	free(s->vulns);
	risk_list_free(&s->risks);
	memset(s, 0, sizeof(*s));
}

size_t scan_image_count(const struct scan_image *s, enum severity min, bool vulns, bool risks)
{
	size_t n = 0;
	if (vulns)
		for (size_t i = 0; i < s->n_vulns; i++)
			n += s->vulns[i].severity >= min;
	if (risks)
		for (size_t i = 0; i < s->risks.len; i++)
			n += s->risks.items[i].severity >= min;
	return n;
}

/* The facts of a config object (inspect's Config or a config blob's
 * "config") and history: strings borrowed from the trees. */
struct facts_buf {
	struct image_facts f;
	const char **env;
	const char **hist;
};

static int facts_from(yajl_val config, yajl_val history, bool history_newest_first, const char *created_by_key,
		      struct facts_buf *fb)
{
	memset(fb, 0, sizeof(*fb));
	const char *user = json_str(config, "User");
	fb->f.user = user ? user : "";
	yajl_val hc = json_get(config, "Healthcheck.Test");
	const char *t0 = json_array_len(hc) ? YAJL_GET_STRING(json_array_at(hc, 0)) : NULL;
	fb->f.healthcheck = t0 && strcmp(t0, "NONE") != 0;
	yajl_val env = json_get(config, "Env");
	size_t ne = json_array_len(env), nh = json_array_len(history);
	fb->env = calloc(ne + 1, sizeof(char *));
	fb->hist = calloc(nh + 1, sizeof(char *));
	if (!fb->env || !fb->hist)
		return -ENOMEM;
	for (size_t i = 0; i < ne; i++) {
		const char *s = YAJL_GET_STRING(json_array_at(env, i));
		if (s)
			fb->env[fb->f.n_env++] = s;
	}
	for (size_t i = 0; i < nh; i++) {
		yajl_val h = json_array_at(history, history_newest_first ? nh - 1 - i : i);
		fb->hist[fb->f.n_history++] = json_str(h, created_by_key);
	}
	fb->f.env = fb->env;
	fb->f.history = fb->hist;
	return 0;
}

static void facts_free(struct facts_buf *fb)
{
	free(fb->env);
	free(fb->hist);
}

int scan_risks_from_config(yajl_val config, yajl_val history, bool newest_first, const char *created_by_key,
			   struct risk_list *out)
{
	struct facts_buf fb;
	int r = facts_from(config, history, newest_first, created_by_key, &fb);
	if (r == 0)
		r = image_risks_config(&fb.f, out);
	facts_free(&fb);
	return r;
}

struct setuid_job {
	struct imagefs *fs;
	size_t max_entries;
	struct risk_list risks;
	size_t visited;
	bool truncated;
	int r;
	char err[512];
};

static void *setuid_thread(void *arg)
{
	struct setuid_job *j = arg;
	j->r = image_risks_setuid(j->fs, j->max_entries, &j->risks, &j->visited, &j->truncated);
	if (j->r < 0)
		snprintf(j->err, sizeof(j->err), "%s", imagefs_error(j->fs));
	return NULL;
}

int scan_filesystem(struct imagefs *fs, const struct scan_options *o, struct scan_image *out)
{
	/* the setuid walk and the inventory each walk the image: on their own
	 * handles they run side by side */
	struct setuid_job j = { .max_entries = o->max_entries };
	pthread_t th;
	out->layers = out->layers_read = imagefs_n_layers(fs);
	bool threaded = imagefs_dup(fs, &j.fs) == 0 && pthread_create(&th, NULL, setuid_thread, &j) == 0;
	if (!threaded) {
		imagefs_close(j.fs);
		j.fs = fs;
		setuid_thread(&j);
	}
	int r = scan_inventory(fs, o, out);
	if (threaded) {
		pthread_join(th, NULL);
		imagefs_close(j.fs);
	}
	for (size_t i = 0; i < j.risks.len && r >= 0 && j.r >= 0; i++) {
		const struct image_risk *k = &j.risks.items[i];
		if (risk_list_add(&out->risks, k->kind, k->severity, k->subject, k->detail) < 0)
			r = -ENOMEM;
	}
	risk_list_free(&j.risks);
	out->files_walked = j.visited;
	out->walk_truncated = j.truncated;
	if (j.r < 0) {
		scan_image_not_scanned(out, "walking the image: %s", j.err);
		return j.r;
	}
	if (out->walk_truncated)
		scan_image_note(out, "file walk stopped after %zu entries: setuid files beyond are not listed",
				out->files_walked);
	return r;
}

static char *join_path(const char *root, const char *path)
{
	char *s = NULL;
	if (asprintf(&s, "%s%s", root && strcmp(root, "/") ? root : "", path) < 0)
		return NULL;
	return s;
}

/* overlay2: LowerDir (top-most first, ':'-separated) and UpperDir as
 * layer directories, lowest first. -ENOENT when the image is not on
 * overlay2 or its directories are not reachable from here. */
static int open_overlay2(const struct docker_image *img, const struct scan_options *o, struct imagefs **fs,
			 char *why, size_t whylen)
{
	const char *driver = json_str(img->raw, "GraphDriver.Name");
	const char *upper = json_str(img->raw, "GraphDriver.Data.UpperDir");
	const char *lower = json_str(img->raw, "GraphDriver.Data.LowerDir");
	if (!o->local_engine) {
		snprintf(why, whylen, "engine is not local");
		return -ENOENT;
	}
	if (!driver || strcmp(driver, "overlay2") != 0 || !upper || !*upper) {
		snprintf(why, whylen, "storage driver %s", driver && *driver ? driver : "unknown");
		return -ENOENT;
	}
	char *dirs[IMAGEFS_MAX_LAYERS];
	size_t n = 0;
	int r = 0;
	char *lcopy = strdup(lower ? lower : "");
	if (!lcopy)
		return -ENOMEM;
	/* count, then fill lowest first */
	char *parts[IMAGEFS_MAX_LAYERS];
	size_t np = 0;
	for (char *save = NULL, *t = strtok_r(lcopy, ":", &save); t; t = strtok_r(NULL, ":", &save)) {
		if (np + 1 >= IMAGEFS_MAX_LAYERS) {
			r = -E2BIG;
			snprintf(why, whylen, "too many layers");
			goto out;
		}
		parts[np++] = t;
	}
	for (size_t i = np; i-- > 0;)
		if (!(dirs[n++] = join_path(o->host_root, parts[i]))) {
			r = -ENOMEM;
			goto out;
		}
	if (!(dirs[n++] = join_path(o->host_root, upper))) {
		r = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		struct stat st;
		if (stat(dirs[i], &st) < 0 || !S_ISDIR(st.st_mode)) {
			snprintf(why, whylen, "%s: %s", dirs[i], strerror(errno ? errno : ENOTDIR));
			r = -ENOENT;
			goto out;
		}
	}
	r = imagefs_open_layers((const char *const *)dirs, n, fs);
	if (r < 0)
		snprintf(why, whylen, "opening the layers: %s", strerror(-r));
out:
	for (size_t i = 0; i < n; i++)
		free(dirs[i]);
	free(lcopy);
	return r;
}

/* Export through the engine (GET /images/{id}/get) into a private file and read it as an archive. */
static int open_export(struct docker_client *c, const struct docker_image *img, const struct scan_options *o,
		       struct image_archive *a, struct imagefs **fs, char *why, size_t whylen)
{
	const char *tmpdir = o->tmpdir && *o->tmpdir ? o->tmpdir : getenv("TMPDIR");
	if (!tmpdir || !*tmpdir)
		tmpdir = "/var/tmp";
	char path[4096];
	snprintf(path, sizeof(path), "%s/dockward-export-XXXXXX", tmpdir);
	int fd = mkstemp(path);
	if (fd < 0) {
		snprintf(why, whylen, "cannot create a file in %s: %s", tmpdir, strerror(errno));
		return -errno;
	}
	unlink(path);   /* only the descriptor keeps it */
	int r = docker_image_save(c, img->id, fd, o->max_image_bytes);
	if (r < 0) {
		snprintf(why, whylen, "%s", docker_client_error(c));
		close(fd);
		return r;
	}
	char fdpath[64];
	snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", fd);
	struct extract_limits lim = { .max_file_bytes = o->max_file_bytes, .max_total_bytes = o->max_image_bytes,
				      .max_entries = o->max_entries };
	r = image_archive_open(fdpath, o->tmpdir, &lim, a, why, whylen);
	close(fd);
	if (r < 0)
		return r;
	size_t k = 0;
	while (k < a->n_images && strcmp(a->images[k].id, img->id) != 0)
		k++;
	if (k == a->n_images) {
		snprintf(why, whylen, "the engine's export does not hold image %s", img->id);
		return -ENOENT;
	}
	return image_archive_fs(a, k, fs, why, whylen);
}

static char **strv_dup(const char *const *v, size_t n)
{
	char **d = calloc(n + 1, sizeof(char *));
	if (!d)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (!(d[i] = strdup(v[i] ? v[i] : ""))) {
			strv_free(d, i);
			return NULL;
		}
	return d;
}

int scan_engine_image(struct docker_client *c, const struct docker_image *img, const struct scan_options *o,
		      struct scan_cache *cache, struct scan_image *out)
{
	double t0 = now_s();
	struct imagefs *fs = NULL;
	struct image_archive a = { 0 };
	char why[512] = "", why2[512] = "";
	int r;
	if (!out->id && !(out->id = strdup(img->id)))
		return -ENOMEM;
	if (!out->tags && img->n_repo_tags) {
		if (!(out->tags = strv_dup(img->repo_tags, img->n_repo_tags)))
			return -ENOMEM;
		out->n_tags = img->n_repo_tags;
	}
	r = scan_risks_from_config(json_get(img->raw, "Config"), img->history, true, "CreatedBy", &out->risks);
	if (r < 0)
		goto out;
	/* the engine names the layers by content: an image sharing them all reuses what was read */
	char key[72] = "";
	yajl_val layers = json_get(img->raw, "RootFS.Layers");
	size_t nl = json_array_len(layers);
	const char *ids[IMAGEFS_MAX_LAYERS];
	bool keyed = nl > 0 && nl <= IMAGEFS_MAX_LAYERS;
	for (size_t i = 0; keyed && i < nl; i++)
		keyed = (ids[i] = YAJL_GET_STRING(json_array_at(layers, i))) != NULL;
	if (keyed && scan_chain_id(ids, nl, key) < 0)
		key[0] = '\0';
	if (key[0] && cache && !o->no_cache && scan_cache_load_fs(cache, key, out) == 0) {
		out->source = strdup("cache");
		out->layers = nl;
		r = out->source ? 0 : -ENOMEM;
		goto out;
	}
	if (o->cache_only) {
		scan_image_not_scanned(out, "no cached scan result for its layers (an earlier `dockward scan` leaves one)");
		r = 0;
		goto out;
	}
	r = open_overlay2(img, o, &fs, why, sizeof(why));
	if (r == 0) {
		out->source = strdup("overlay2");
	} else if (r != -ENOMEM) {
		r = open_export(c, img, o, &a, &fs, why2, sizeof(why2));
		if (r == 0) {
			out->source = strdup("engine export");
		} else {
			scan_image_not_scanned(out, "cannot read the image's files: %s (layer directories: %s)", why2, why);
			r = 0;
			goto out;
		}
	}
	/* overlay2 layers are directories named by diff id: layers read before are taken from the cache */
	if (r == 0)
		r = key[0] && cache && !o->no_cache && strcmp(out->source ? out->source : "", "overlay2") == 0
			    ? scan_layered(fs, ids, nl, o, cache, out)
			    : scan_filesystem(fs, o, out);
	if (r < 0 && r != -ENOMEM) {
		if (out->status == SCAN_OK)
			scan_image_not_scanned(out, "%s", strerror(-r));
		r = 0;
	}
	if (r == 0 && key[0] && cache)
		scan_cache_store_fs(cache, key, out);   /* best effort: a failed write only costs a re-read */
	if (a.stats.unsafe)
		scan_image_note(out, "%zu archive entries with unsafe paths or links were not unpacked", a.stats.unsafe);
	if (a.stats.truncated)
		scan_image_note(out, "%zu files over the size limit were not read", a.stats.truncated);
out:
	imagefs_close(fs);
	image_archive_free(&a);
	out->seconds = now_s() - t0;
	return r;
}

int scan_archive_input(const char *input, const struct scan_options *o, struct scan_cache *cache,
		       struct scan_image **out, size_t *n, char *err, size_t errlen)
{
	(void)cache;
	*out = NULL;
	*n = 0;
	struct image_archive a;
	struct extract_limits lim = { .max_file_bytes = o->max_file_bytes, .max_total_bytes = o->max_image_bytes,
				      .max_entries = o->max_entries };
	int r = image_archive_open(input, o->tmpdir, &lim, &a, err, errlen);
	if (r < 0)
		return r;
	struct scan_image *res = calloc(a.n_images, sizeof(*res));
	if (!res) {
		image_archive_free(&a);
		return -ENOMEM;
	}
	for (size_t i = 0; i < a.n_images && r == 0; i++) {
		double t0 = now_s();
		struct archive_image *ai = &a.images[i];
		struct scan_image *s = &res[i];
		s->id = strdup(ai->id);
		s->tags = strv_dup((const char *const *)ai->repo_tags, ai->n_repo_tags);
		s->n_tags = ai->n_repo_tags;
		if (asprintf(&s->source, "archive %s", input) < 0)
			s->source = NULL;
		if (!s->id || !s->tags || !s->source) {
			r = -ENOMEM;
			break;
		}
		r = scan_risks_from_config(json_get(ai->config, "config"), json_get(ai->config, "history"), false,
					   "created_by", &s->risks);
		if (r < 0)
			break;
		struct imagefs *fs;
		char why[512];
		size_t unsafe0 = a.stats.unsafe, trunc0 = a.stats.truncated;
		if (image_archive_fs(&a, i, &fs, why, sizeof(why)) < 0) {
			scan_image_not_scanned(s, "%s", why);
		} else {
			r = scan_filesystem(fs, o, s);
			if (r != -ENOMEM)
				r = 0;
			imagefs_close(fs);
		}
		if (a.stats.unsafe > unsafe0)
			scan_image_note(s, "%zu archive entries with unsafe paths or links were not unpacked",
					a.stats.unsafe - unsafe0);
		if (a.stats.truncated > trunc0)
			scan_image_note(s, "%zu files over the size limit were not read", a.stats.truncated - trunc0);
		s->seconds = now_s() - t0;
	}
	*n = a.n_images;
	image_archive_free(&a);
	*out = res;
	if (r < 0)
		snprintf(err, errlen, "%s", strerror(-r));
	return r;
}
