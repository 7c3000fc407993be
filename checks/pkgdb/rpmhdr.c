/* rpmhdr.c: one rpm header blob (the record format of every rpmdb backend) to a package. */
#include "pkgdb.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

enum {
	RPM_TYPE_INT32 = 4,
	RPM_TYPE_STRING = 6,
	RPM_TYPE_STRING_ARRAY = 8,
	RPM_TYPE_I18NSTRING = 9,
};

enum {
	RPMTAG_NAME = 1000,
	RPMTAG_VERSION = 1001,
	RPMTAG_RELEASE = 1002,
	RPMTAG_EPOCH = 1003,
	RPMTAG_ARCH = 1022,
	RPMTAG_SOURCERPM = 1044,
	RPMTAG_DIRINDEXES = 1116,
	RPMTAG_BASENAMES = 1117,
	RPMTAG_DIRNAMES = 1118,
};

#define RPM_MAX_INDEX 0x10000          /* rpm's own limit on index entries */
#define RPM_MAX_FILES 1000000

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

struct rpm_hdr {
	const unsigned char *index;
	uint32_t il;
	const unsigned char *store;
	uint32_t dl;
};

struct rpm_entry {
	uint32_t type;
	uint32_t offset;
	uint32_t count;
};

static bool rpm_find(const struct rpm_hdr *h, uint32_t tag, struct rpm_entry *e)
{
	for (uint32_t i = 0; i < h->il; i++) {
		const unsigned char *p = h->index + (size_t)i * 16;
		if (be32(p) != tag)
			continue;
		e->type = be32(p + 4);
		e->offset = be32(p + 8);
		e->count = be32(p + 12);
		return e->offset < h->dl;
	}
	return false;
}

/* The n-th NUL-terminated string starting at off; NULL when it leaves the store. */
static const char *rpm_string_at(const struct rpm_hdr *h, uint32_t *off)
{
	if (*off >= h->dl)
		return NULL;
	const char *s = (const char *)h->store + *off;
	const char *nul = memchr(s, '\0', h->dl - *off);
	if (!nul)
		return NULL;
	*off += (uint32_t)(nul - s) + 1;
	return s;
}

static const char *rpm_string(const struct rpm_hdr *h, uint32_t tag)
{
	struct rpm_entry e;
	if (!rpm_find(h, tag, &e))
		return NULL;
	if (e.type != RPM_TYPE_STRING && e.type != RPM_TYPE_I18NSTRING && e.type != RPM_TYPE_STRING_ARRAY)
		return NULL;
	uint32_t off = e.offset;
	return rpm_string_at(h, &off);
}

static bool rpm_int32(const struct rpm_hdr *h, uint32_t tag, uint32_t *v)
{
	struct rpm_entry e;
	if (!rpm_find(h, tag, &e) || e.type != RPM_TYPE_INT32 || e.count < 1 || e.offset % 4 ||
	    h->dl - e.offset < 4)
		return false;
	*v = be32(h->store + e.offset);
	return true;
}

/* Installed paths: DIRNAMES[DIRINDEXES[i]] + BASENAMES[i]. */
static void rpm_files(const struct rpm_hdr *h, struct buf *files)
{
	struct rpm_entry bn, dn, di;
	if (!rpm_find(h, RPMTAG_BASENAMES, &bn) || !rpm_find(h, RPMTAG_DIRNAMES, &dn) ||
	    !rpm_find(h, RPMTAG_DIRINDEXES, &di))
		return;
	if (bn.type != RPM_TYPE_STRING_ARRAY || dn.type != RPM_TYPE_STRING_ARRAY || di.type != RPM_TYPE_INT32 ||
	    bn.count != di.count || bn.count > RPM_MAX_FILES || dn.count > RPM_MAX_FILES || di.offset % 4 ||
	    (uint64_t)di.count * 4 > h->dl - di.offset)
		return;
	uint32_t *dirs = calloc(dn.count ? dn.count : 1, sizeof(*dirs));
	if (!dirs)
		return;
	uint32_t doff = dn.offset;
	for (uint32_t j = 0; j < dn.count; j++) {
		dirs[j] = doff;
		if (!rpm_string_at(h, &doff))
			goto out;
	}
	uint32_t boff = bn.offset;
	for (uint32_t i = 0; i < bn.count; i++) {
		const char *base = rpm_string_at(h, &boff);
		if (!base)
			goto out;
		uint32_t idx = be32(h->store + di.offset + (size_t)i * 4);
		if (idx >= dn.count)
			continue;
		if (buf_printf(files, "%s%s\n", (const char *)h->store + dirs[idx], base) < 0)
			goto out;
	}
out:
	free(dirs);
}

/* "openssl-1.1.1k-7.el8.src.rpm" -> name "openssl", version "1.1.1k-7.el8". */
static bool srpm_split(const char *srpm, char *name, size_t namelen, char *ver, size_t verlen)
{
	size_t n = strlen(srpm);
	const char *suffixes[] = { ".src.rpm", ".nosrc.rpm" };
	for (size_t i = 0; i < 2; i++) {
		size_t sl = strlen(suffixes[i]);
		if (n > sl && strcmp(srpm + n - sl, suffixes[i]) == 0) {
			n -= sl;
			break;
		}
	}
	const char *rel = NULL, *v = NULL;
	for (size_t i = n; i-- > 0;) {
		if (srpm[i] != '-')
			continue;
		if (!rel) {
			rel = srpm + i;
		} else {
			v = srpm + i;
			break;
		}
	}
	if (!v || v == srpm)
		return false;
	snprintf(name, namelen, "%.*s", (int)(v - srpm), srpm);
	snprintf(ver, verlen, "%.*s", (int)(srpm + n - v - 1), v + 1);
	return true;
}

int pkgdb_parse_rpm_header(const unsigned char *blob, size_t len, const struct pkgdb_os *os,
			   const char *location, struct package_list *out, struct buf *files,
			   char *err, size_t errlen)
{
	if (!location)
		location = "rpm header";
	if (len < 8) {
		snprintf(err, errlen, "%s: header blob of %zu bytes is too short", location, len);
		return -EBADMSG;
	}
	struct rpm_hdr h = { .il = be32(blob), .dl = be32(blob + 4) };
	if (h.il == 0 || h.il > RPM_MAX_INDEX || (uint64_t)h.il * 16 + h.dl + 8 > len) {
		snprintf(err, errlen, "%s: header index (%u entries, %u data bytes) does not fit in %zu bytes",
			 location, h.il, h.dl, len);
		return -EBADMSG;
	}
	h.index = blob + 8;
	h.store = blob + 8 + (size_t)h.il * 16;
	const char *name = rpm_string(&h, RPMTAG_NAME);
	const char *version = rpm_string(&h, RPMTAG_VERSION);
	const char *release = rpm_string(&h, RPMTAG_RELEASE);
	const char *arch = rpm_string(&h, RPMTAG_ARCH);
	const char *srpm = rpm_string(&h, RPMTAG_SOURCERPM);
	uint32_t epoch = 0;
	bool has_epoch = rpm_int32(&h, RPMTAG_EPOCH, &epoch);
	if (!name || !*name || !version || !*version || !release || !*release) {
		snprintf(err, errlen, "%s: header without %s", location,
			 !name || !*name ? "NAME" : !version || !*version ? "VERSION" : "RELEASE");
		return -EBADMSG;
	}
	/* imported signing keys are pseudo-packages, not software */
	if (strcmp(name, "gpg-pubkey") == 0 && !srpm)
		return 0;
	char epoch_s[16] = "", src[512], srcvr[512];
	if (has_epoch)
		snprintf(epoch_s, sizeof(epoch_s), "%u", epoch);
	struct buf ver, srcver, vr;
	buf_init(&ver, 4096);
	buf_init(&srcver, 4096);
	buf_init(&vr, 4096);
	snprintf(src, sizeof(src), "%s", name);
	int r = buf_printf(&ver, "%s%s%s-%s", epoch_s, has_epoch ? ":" : "", version, release);
	if (r == 0)
		r = buf_printf(&vr, "%s-%s", version, release);
	if (r == 0 && srpm && srpm_split(srpm, src, sizeof(src), srcvr, sizeof(srcvr)))
		r = buf_printf(&srcver, "%s%s%s", epoch_s, has_epoch ? ":" : "", srcvr);
	else if (r == 0)
		r = buf_append(&srcver, ver.data, ver.len);
	if (r == 0) {
		struct pkgdb_os_package p = {
			.type = "rpm",
			.name = name,
			.version = ver.data,
			.purl_version = vr.data,
			.source_name = src,
			.source_version = srcver.data,
			.arch = arch,
			.epoch = epoch_s,
			.upstream = srpm,
			.scheme = VERSION_RPM,
		};
		r = pkgdb_add_os_package(out, os, location, &p);
	}
	if (r == 0 && files)
		rpm_files(&h, files);
	if (r < 0)
		pkgdb_add_error(err, errlen, location, r);
	buf_free(&ver);
	buf_free(&srcver);
	buf_free(&vr);
	return r;
}
