/* apk.c: Alpine's installed database (/lib/apk/db/installed) to packages. */
#include "pkgdb.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"

#define APK_FIELD_MAX 512

struct apk_entry {
	char name[APK_FIELD_MAX];
	char version[APK_FIELD_MAX];
	char origin[APK_FIELD_MAX];
	char arch[64];
	unsigned line;
};

static void copy_field(char *dst, size_t dstlen, const char *v, size_t n)
{
	while (n && (v[n - 1] == '\r' || v[n - 1] == ' '))
		n--;
	if (n >= dstlen)
		n = dstlen - 1;
	memcpy(dst, v, n);
	dst[n] = '\0';
}

static int apk_emit(const struct apk_entry *a, const struct pkgdb_os *os, const char *location,
		    struct package_list *out)
{
	const char *src = a->origin[0] ? a->origin : a->name;
	struct buf q, purl;
	buf_init(&q, 4096);
	buf_init(&purl, 8192);
	int r = pkgdb_purl_qualifier(&q, "arch", a->arch);
	if (r == 0 && strcmp(src, a->name) != 0)
		r = pkgdb_purl_qualifier(&q, "upstream", src);
	if (r == 0)
		r = pkgdb_purl_qualifier(&q, "distro", os && os->purl_distro[0] ? os->purl_distro : NULL);
	if (r == 0)
		r = pkgdb_purl(&purl, "apk", os && os->purl_namespace[0] ? os->purl_namespace : "alpine",
			       a->name, a->version, q.data);
	if (r == 0) {
		struct pkgdb_entry e = {
			.ecosystem = os ? os->ecosystem : "",
			.name = a->name,
			.version = a->version,
			.source_name = src,
			.source_version = a->version,
			.location = location,
			.purl = purl.data,
			.origin = PKG_ORIGIN_OS,
			.scheme = VERSION_APK,
		};
		r = package_list_add(out, &e);
	}
	buf_free(&q);
	buf_free(&purl);
	return r;
}

static int apk_finish(struct apk_entry *a, const struct pkgdb_os *os, const char *location,
		      struct package_list *out, int *first, char *err, size_t errlen)
{
	int r = 0;
	if (!a->line)
		return 0;
	if (!a->name[0] || !a->version[0]) {
		if (!*first) {
			*first = -EBADMSG;
			snprintf(err, errlen, "%s: line %u: entry without %s", location, a->line,
				 a->name[0] ? "a version (V:)" : "a name (P:)");
		}
	} else {
		r = apk_emit(a, os, location, out);
	}
	memset(a, 0, sizeof(*a));
	return r;
}

int pkgdb_parse_apk_installed(const char *text, size_t len, const struct pkgdb_os *os,
			      const char *location, struct package_list *out, struct buf *files,
			      char *err, size_t errlen)
{
	struct apk_entry a;
	memset(&a, 0, sizeof(a));
	char folder[1024] = "";
	int first = 0, r = 0;
	unsigned lineno = 0;
	size_t i = 0;
	if (!location)
		location = "apk installed";
	while (i < len && r == 0) {
		const char *line = text + i;
		const char *nl = memchr(line, '\n', len - i);
		size_t n = nl ? (size_t)(nl - line) : len - i;
		i += n + 1;
		lineno++;
		if (n == 0 || (n == 1 && line[0] == '\r')) {
			r = apk_finish(&a, os, location, out, &first, err, errlen);
			folder[0] = '\0';
			continue;
		}
		if (!a.line)
			a.line = lineno;
		if (n < 2 || line[1] != ':') {
			if (!first) {
				first = -EBADMSG;
				snprintf(err, errlen, "%s: line %u: line is not \"X:value\"", location, lineno);
			}
			continue;
		}
		const char *v = line + 2;
		size_t vlen = n - 2;
		switch (line[0]) {
		case 'P': copy_field(a.name, sizeof(a.name), v, vlen); break;
		case 'V': copy_field(a.version, sizeof(a.version), v, vlen); break;
		case 'o': copy_field(a.origin, sizeof(a.origin), v, vlen); break;
		case 'A': copy_field(a.arch, sizeof(a.arch), v, vlen); break;
		case 'F':
			copy_field(folder, sizeof(folder), v, vlen);
			if (files && folder[0] && strlen(folder) == vlen)
				(void)buf_printf(files, "/%s\n", folder);
			break;
		case 'R':
			if (files && !memchr(v, '\0', vlen)) {
				char f[1024];
				copy_field(f, sizeof(f), v, vlen);
				/* a full list only costs memory: stop recording at the buffer's cap */
				(void)buf_printf(files, "/%s%s%s\n", folder, folder[0] ? "/" : "", f);
			}
			break;
		default: break;
		}
	}
	if (r == 0)
		r = apk_finish(&a, os, location, out, &first, err, errlen);
	if (r < 0) {
		snprintf(err, errlen, "%s: %s", location, r == -E2BIG ? "too many packages" : strerror(-r));
		return r;
	}
	return first;
}
