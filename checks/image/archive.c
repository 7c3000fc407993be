/* archive.c: reading docker-save tarballs and OCI image layouts: manifests, configs, and layers unpacked safely on demand. */
#define _XOPEN_SOURCE 700
#include "image/archive.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "image/imagefs.h"
#include "json.h"

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

int remove_tree(const char *path)
{
	return nftw(path, rm_entry, 32, FTW_DEPTH | FTW_PHYS | FTW_MOUNT) < 0 ? -errno : 0;
}

void sha256_digest(const void *data, size_t len, char out[72])
{
	unsigned char md[32];
	unsigned int mdlen = 0;
	EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL);
	memcpy(out, "sha256:", 7);
	for (unsigned i = 0; i < 32; i++)
		snprintf(out + 7 + 2 * i, 3, "%02x", md[i]);
}

/* "sha256:<64 hex>" (or another algorithm with hex) → "blobs/ALG/HEX"; -EINVAL otherwise. */
static int blob_path(const char *digest, char *out, size_t outlen)
{
	const char *colon = digest ? strchr(digest, ':') : NULL;
	if (!colon || colon == digest || colon - digest > 16 || strlen(colon + 1) < 32 || strlen(colon + 1) > 128)
		return -EINVAL;
	for (const char *p = digest; p < colon; p++)
		if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p))
			return -EINVAL;
	for (const char *p = colon + 1; *p; p++)
		if (!isxdigit((unsigned char)*p) || isupper((unsigned char)*p))
			return -EINVAL;
	snprintf(out, outlen, "/blobs/%.*s/%s", (int)(colon - digest), digest, colon + 1);
	return 0;
}

static char **strv_add(char ***v, size_t *n, const char *s)
{
	char **nv = realloc(*v, (*n + 1) * sizeof(char *));
	if (!nv)
		return NULL;
	*v = nv;
	nv[*n] = strdup(s);
	if (!nv[*n])
		return NULL;
	(*n)++;
	return nv;
}

static void strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static int read_json(struct image_archive *a, const char *path, yajl_val *out, char **text, size_t *tlen,
		     char *err, size_t errlen)
{
	char *data;
	size_t len;
	int r = imagefs_read(a->outer, path, ARCHIVE_MAX_JSON, &data, &len);
	if (r < 0) {
		snprintf(err, errlen, "%s: %s", a->input, imagefs_error(a->outer));
		return r;
	}
	char perr[192];
	r = json_parse(data, len, out, perr, sizeof(perr));
	if (r < 0)
		snprintf(err, errlen, "%s: %s: %s", a->input, path, perr);
	if (r == 0 && text) {
		*text = data;
		*tlen = len;
	} else {
		free(data);
	}
	return r;
}

static struct archive_image *new_image(struct image_archive *a)
{
	if (a->n_images >= ARCHIVE_MAX_IMAGES)
		return NULL;
	struct archive_image *ni = realloc(a->images, (a->n_images + 1) * sizeof(*ni));
	if (!ni)
		return NULL;
	a->images = ni;
	memset(&ni[a->n_images], 0, sizeof(*ni));
	return &ni[a->n_images++];
}

/* Loads the config blob at path into img, checking its digest when the
 * manifest names one (OCI) and deriving the image id from its bytes. */
static int load_config(struct image_archive *a, struct archive_image *img, const char *path, const char *want_digest,
		       char *err, size_t errlen)
{
	char *text = NULL;
	size_t len = 0;
	int r = read_json(a, path, &img->config, &text, &len, err, errlen);
	if (r < 0)
		return r;
	char digest[72];
	sha256_digest(text, len, digest);
	free(text);
	if (want_digest && strncmp(want_digest, "sha256:", 7) == 0 && strcmp(want_digest, digest) != 0) {
		snprintf(err, errlen, "%s: config %s does not match its digest %s", a->input, path, want_digest);
		return -EBADMSG;
	}
	img->id = strdup(digest);
	if (!img->id)
		return -ENOMEM;
	yajl_val diffs = json_get(img->config, "rootfs.diff_ids");
	for (size_t i = 0; i < json_array_len(diffs) && i < ARCHIVE_MAX_LAYERS; i++) {
		yajl_val d = json_array_at(diffs, i);
		if (YAJL_IS_STRING(d) && !strv_add(&img->diff_ids, &img->n_diff_ids, d->u.string))
			return -ENOMEM;
	}
	return 0;
}

/* docker save's manifest.json: [{"Config": "...", "RepoTags": [...], "Layers": [...]}] */
static int read_docker_manifest(struct image_archive *a, yajl_val m, char *err, size_t errlen)
{
	if (!YAJL_IS_ARRAY(m) || json_array_len(m) == 0) {
		snprintf(err, errlen, "%s: manifest.json lists no images", a->input);
		return -EBADMSG;
	}
	for (size_t i = 0; i < json_array_len(m); i++) {
		yajl_val e = json_array_at(m, i);
		const char *cfg = json_str(e, "Config");
		yajl_val layers = json_get(e, "Layers");
		if (!cfg || !*cfg || !YAJL_IS_ARRAY(layers)) {
			snprintf(err, errlen, "%s: manifest.json entry %zu has no Config or Layers", a->input, i);
			return -EBADMSG;
		}
		if (json_array_len(layers) > ARCHIVE_MAX_LAYERS) {
			snprintf(err, errlen, "%s: more than %d layers", a->input, ARCHIVE_MAX_LAYERS);
			return -E2BIG;
		}
		struct archive_image *img = new_image(a);
		if (!img)
			return -ENOMEM;
		/* newer engines name the config blobs/sha256/HEX: check that digest too */
		char want[80] = "";
		const char *b = strstr(cfg, "blobs/sha256/");
		if (b && strlen(b + 13) == 64)
			snprintf(want, sizeof(want), "sha256:%s", b + 13);
		int r = load_config(a, img, cfg, want[0] ? want : NULL, err, errlen);
		if (r < 0)
			return r;
		yajl_val tags = json_get(e, "RepoTags");
		for (size_t t = 0; t < json_array_len(tags); t++) {
			yajl_val s = json_array_at(tags, t);
			if (YAJL_IS_STRING(s) && !strv_add(&img->repo_tags, &img->n_repo_tags, s->u.string))
				return -ENOMEM;
		}
		for (size_t l = 0; l < json_array_len(layers); l++) {
			yajl_val s = json_array_at(layers, l);
			if (!YAJL_IS_STRING(s)) {
				snprintf(err, errlen, "%s: manifest.json: a layer is not a string", a->input);
				return -EBADMSG;
			}
			if (!strv_add(&img->layers, &img->n_layers, s->u.string))
				return -ENOMEM;
		}
	}
	return 0;
}

static bool media_is_index(const char *mt)
{
	return mt && (strstr(mt, "image.index.v1+json") || strstr(mt, "manifest.list.v2+json"));
}

static const char *host_arch(void)
{
	struct utsname u;
	if (uname(&u) < 0)
		return "amd64";
	if (strcmp(u.machine, "x86_64") == 0)
		return "amd64";
	if (strcmp(u.machine, "aarch64") == 0)
		return "arm64";
	return "amd64";
}

static int read_oci_manifest(struct image_archive *a, const char *digest, const char *ref, char *err, size_t errlen);

/* An OCI index: every image it lists; of a multi-platform index only the
 * host's platform (or the first real one). depth bounds nested indexes. */
static int read_oci_index(struct image_archive *a, yajl_val idx, bool top, unsigned depth, const char *ref,
			  char *err, size_t errlen)
{
	if (depth > 4) {
		snprintf(err, errlen, "%s: image indexes nested too deep", a->input);
		return -ELOOP;
	}
	yajl_val ms = json_get(idx, "manifests");
	size_t n = json_array_len(ms);
	if (n == 0) {
		snprintf(err, errlen, "%s: index lists no manifests", a->input);
		return -EBADMSG;
	}
	/* a platform index (every entry has a platform): pick one */
	ssize_t pick = -1, first = -1;
	bool platforms = !top;
	for (size_t i = 0; i < n && platforms; i++) {
		yajl_val m = json_array_at(ms, i);
		const char *arch = json_str(m, "platform.architecture");
		const char *os = json_str(m, "platform.os");
		if (!arch || strcmp(arch, "unknown") == 0)
			continue;   /* attestation manifests */
		if (first < 0)
			first = (ssize_t)i;
		if (os && strcmp(os, "linux") == 0 && strcmp(arch, host_arch()) == 0 && pick < 0)
			pick = (ssize_t)i;
	}
	if (pick < 0)
		pick = first;
	for (size_t i = 0; i < n; i++) {
		if (platforms && pick >= 0 && (ssize_t)i != pick)
			continue;
		yajl_val m = json_array_at(ms, i);
		const char *mt = json_str(m, "mediaType");
		const char *digest = json_str(m, "digest");
		yajl_val ann = json_get(m, "annotations");
		const char *refname = NULL;
		if (ann) {
			yajl_val v = json_get_key(ann, "io.containerd.image.name");
			if (!YAJL_IS_STRING(v))
				v = json_get_key(ann, "org.opencontainers.image.ref.name");
			if (YAJL_IS_STRING(v))
				refname = v->u.string;
		}
		char path[300];
		if (blob_path(digest, path, sizeof(path)) < 0) {
			snprintf(err, errlen, "%s: bad digest in index", a->input);
			return -EBADMSG;
		}
		int r;
		if (media_is_index(mt)) {
			yajl_val sub;
			r = read_json(a, path, &sub, NULL, NULL, err, errlen);
			if (r < 0)
				return r;
			r = read_oci_index(a, sub, false, depth + 1, refname ? refname : ref, err, errlen);
			yajl_tree_free(sub);
		} else {
			r = read_oci_manifest(a, digest, refname ? refname : ref, err, errlen);
		}
		if (r < 0)
			return r;
	}
	return 0;
}

static int read_oci_manifest(struct image_archive *a, const char *digest, const char *ref, char *err, size_t errlen)
{
	char path[300];
	yajl_val m = NULL;
	if (blob_path(digest, path, sizeof(path)) < 0)
		return -EBADMSG;
	int r = read_json(a, path, &m, NULL, NULL, err, errlen);
	if (r < 0)
		return r;
	if (media_is_index(json_str(m, "mediaType")) || json_get(m, "manifests")) {
		r = read_oci_index(a, m, false, 1, ref, err, errlen);
		goto out;
	}
	yajl_val layers = json_get(m, "layers");
	const char *cdigest = json_str(m, "config.digest");
	if (!cdigest || !YAJL_IS_ARRAY(layers) || json_array_len(layers) > ARCHIVE_MAX_LAYERS) {
		snprintf(err, errlen, "%s: manifest %s has no config or too many layers", a->input, digest);
		r = -EBADMSG;
		goto out;
	}
	struct archive_image *img = new_image(a);
	if (!img) {
		r = -ENOMEM;
		goto out;
	}
	char cpath[300];
	if (blob_path(cdigest, cpath, sizeof(cpath)) < 0) {
		snprintf(err, errlen, "%s: bad config digest", a->input);
		r = -EBADMSG;
		goto out;
	}
	r = load_config(a, img, cpath, cdigest, err, errlen);
	if (r < 0)
		goto out;
	if (ref && *ref && !strv_add(&img->repo_tags, &img->n_repo_tags, ref)) {
		r = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < json_array_len(layers); i++) {
		char lpath[300];
		if (blob_path(json_str(json_array_at(layers, i), "digest"), lpath, sizeof(lpath)) < 0) {
			snprintf(err, errlen, "%s: bad layer digest", a->input);
			r = -EBADMSG;
			goto out;
		}
		if (!strv_add(&img->layers, &img->n_layers, lpath)) {
			r = -ENOMEM;
			goto out;
		}
	}
out:
	yajl_tree_free(m);
	return r;
}

int image_archive_open(const char *input, const char *tmpdir, const struct extract_limits *lim,
		       struct image_archive *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	int r = 0, fd = -1;
	if (lim)
		out->lim = *lim;
	out->input = strdup(input);
	if (!tmpdir || !*tmpdir)
		tmpdir = getenv("TMPDIR");
	if (!tmpdir || !*tmpdir)
		tmpdir = "/var/tmp";
	char tmpl[4096];
	snprintf(tmpl, sizeof(tmpl), "%s/dockward-scan-XXXXXX", tmpdir);
	if (!out->input || !mkdtemp(tmpl)) {
		r = out->input ? -errno : -ENOMEM;
		snprintf(err, errlen, "cannot create a work directory in %s: %s", tmpdir, strerror(-r));
		goto out;
	}
	out->workdir = strdup(tmpl);
	if (!out->workdir) {
		r = -ENOMEM;
		goto out;
	}
	struct stat st;
	if (stat(input, &st) < 0) {
		r = -errno;
		snprintf(err, errlen, "%s: %s", input, strerror(errno));
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		r = imagefs_open_dir(input, &out->outer);
	} else {
		char outer[4200];
		snprintf(outer, sizeof(outer), "%s/archive", out->workdir);
		if (mkdir(outer, 0700) < 0) {
			r = -errno;
			goto out;
		}
		fd = open(input, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
		if (fd < 0) {
			r = -errno;
			snprintf(err, errlen, "%s: %s", input, strerror(errno));
			goto out;
		}
		/* the archive's own files are whole layers: only the total limit applies to them */
		struct extract_limits olim = out->lim;
		olim.max_file_bytes = olim.max_total_bytes ? olim.max_total_bytes : (uint64_t)16 << 30;
		struct extract_stats ost = { 0 };
		char xerr[256];
		r = image_extract_tar(fd, outer, &olim, &ost, xerr, sizeof(xerr));
		out->stats.unsafe += ost.unsafe;
		out->stats.devices += ost.devices;
		out->stats.truncated += ost.truncated;
		if (r < 0) {
			snprintf(err, errlen, "%s: %s", input, xerr);
			goto out;
		}
		r = imagefs_open_dir(outer, &out->outer);
	}
	if (r < 0) {
		snprintf(err, errlen, "%s: %s", input, strerror(-r));
		goto out;
	}
	yajl_val doc = NULL;
	struct stat mst;
	if (imagefs_stat(out->outer, "/manifest.json", &mst) == 0) {
		r = read_json(out, "/manifest.json", &doc, NULL, NULL, err, errlen);
		if (r == 0)
			r = read_docker_manifest(out, doc, err, errlen);
	} else if (imagefs_stat(out->outer, "/index.json", &mst) == 0) {
		r = read_json(out, "/index.json", &doc, NULL, NULL, err, errlen);
		if (r == 0)
			r = read_oci_index(out, doc, true, 0, NULL, err, errlen);
	} else {
		snprintf(err, errlen, "%s: neither a docker save archive (manifest.json) nor an OCI layout (index.json)", input);
		r = -EBADMSG;
	}
	yajl_tree_free(doc);
	if (r == -ENOMEM)
		snprintf(err, errlen, "out of memory");
out:
	if (fd >= 0)
		close(fd);
	if (r < 0)
		image_archive_free(out);
	return r;
}

int image_archive_fs(struct image_archive *a, size_t i, struct imagefs **fs, char *err, size_t errlen)
{
	*fs = NULL;
	struct archive_image *img = &a->images[i];
	char **dirs = calloc(img->n_layers ? img->n_layers : 1, sizeof(char *));
	int r = 0;
	if (!dirs)
		return -ENOMEM;
	for (size_t l = 0; l < img->n_layers; l++) {
		size_t k = 0;
		while (k < a->n_extracted && strcmp(a->extracted[k], img->layers[l]) != 0)
			k++;
		if (asprintf(&dirs[l], "%s/layer%zu", a->workdir, k) < 0) {
			dirs[l] = NULL;
			r = -ENOMEM;
			goto out;
		}
		if (k < a->n_extracted)
			continue;
		int fd;
		r = imagefs_open(a->outer, img->layers[l], &fd, NULL);
		if (r < 0) {
			snprintf(err, errlen, "%s: layer %s: %s", a->input, img->layers[l], imagefs_error(a->outer));
			goto out;
		}
		if (mkdir(dirs[l], 0700) < 0) {
			r = -errno;
			close(fd);
			snprintf(err, errlen, "%s: %s", dirs[l], strerror(errno));
			goto out;
		}
		char xerr[256];
		r = image_extract_tar(fd, dirs[l], &a->lim, &a->stats, xerr, sizeof(xerr));
		close(fd);
		if (r < 0) {
			snprintf(err, errlen, "%s: layer %s: %s", a->input, img->layers[l], xerr);
			goto out;
		}
		if (!strv_add(&a->extracted, &a->n_extracted, img->layers[l])) {
			r = -ENOMEM;
			goto out;
		}
	}
	if (img->n_layers == 0) {
		snprintf(err, errlen, "%s: image %s has no layers", a->input, img->id);
		r = -ENOENT;
		goto out;
	}
	r = imagefs_open_layers((const char *const *)dirs, img->n_layers, fs);
	if (r < 0)
		snprintf(err, errlen, "%s: %s", a->input, strerror(-r));
out:
	if (dirs)
		strv_free(dirs, img->n_layers);
	return r;
}

void image_archive_free(struct image_archive *a)
{
	if (!a)
		return;
	for (size_t i = 0; i < a->n_images; i++) {
		struct archive_image *img = &a->images[i];
		free(img->id);
		strv_free(img->repo_tags, img->n_repo_tags);
		yajl_tree_free(img->config);
		strv_free(img->diff_ids, img->n_diff_ids);
		strv_free(img->layers, img->n_layers);
	}
	free(a->images);
	strv_free(a->extracted, a->n_extracted);
	imagefs_close(a->outer);
	if (a->workdir)
		remove_tree(a->workdir);
	free(a->workdir);
	free(a->input);
	memset(a, 0, sizeof(*a));
}
