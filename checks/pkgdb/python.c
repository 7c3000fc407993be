/* python.c: Python core metadata (dist-info METADATA, egg-info PKG-INFO) to a PyPI package. */
#include "pkgdb.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"

void pkgdb_pep503_normalize(const char *name, char *dst, size_t dstlen)
{
	size_t o = 0;
	bool sep = false;
	if (!dstlen)
		return;
	for (const char *p = name; *p && o + 1 < dstlen; p++) {
		char c = *p;
		if (c == '-' || c == '_' || c == '.') {
			sep = true;
			continue;
		}
		if (sep && o && o + 2 < dstlen)
			dst[o++] = '-';
		sep = false;
		dst[o++] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
	}
	dst[o] = '\0';
}

static void header_value(char *dst, size_t dstlen, const char *v, size_t n)
{
	while (n && (*v == ' ' || *v == '\t')) {
		v++;
		n--;
	}
	while (n && (v[n - 1] == ' ' || v[n - 1] == '\t' || v[n - 1] == '\r'))
		n--;
	if (n >= dstlen)
		n = dstlen - 1;
	memcpy(dst, v, n);
	dst[n] = '\0';
}

int pkgdb_parse_python_metadata(const char *text, size_t len, const char *location,
				struct package_list *out, char *err, size_t errlen)
{
	char name[256] = "", version[256] = "";
	size_t i = 0;
	if (!location)
		location = "METADATA";
	/* the headers end at the first empty line; the description follows */
	while (i < len) {
		const char *line = text + i;
		const char *nl = memchr(line, '\n', len - i);
		size_t n = nl ? (size_t)(nl - line) : len - i;
		i += n + 1;
		if (n == 0 || (n == 1 && line[0] == '\r'))
			break;
		if (line[0] == ' ' || line[0] == '\t')
			continue;
		const char *colon = memchr(line, ':', n);
		if (!colon)
			continue;
		size_t klen = (size_t)(colon - line);
		if (klen == 4 && strncasecmp(line, "Name", 4) == 0 && !name[0])
			header_value(name, sizeof(name), colon + 1, n - klen - 1);
		else if (klen == 7 && strncasecmp(line, "Version", 7) == 0 && !version[0])
			header_value(version, sizeof(version), colon + 1, n - klen - 1);
		if (name[0] && version[0])
			break;
	}
	if (!name[0] || !version[0]) {
		snprintf(err, errlen, "%s: no %s header", location, !name[0] ? "Name" : "Version");
		return -EBADMSG;
	}
	char norm[256];
	pkgdb_pep503_normalize(name, norm, sizeof(norm));
	if (!norm[0]) {
		snprintf(err, errlen, "%s: package name \"%s\" has no letters", location, name);
		return -EBADMSG;
	}
	struct buf purl;
	buf_init(&purl, 4096);
	int r = pkgdb_purl(&purl, "pypi", NULL, norm, version, NULL);
	if (r == 0) {
		struct pkgdb_entry e = {
			.ecosystem = "PyPI",
			.name = norm,
			.version = version,
			.location = location,
			.purl = purl.data,
			.origin = PKG_ORIGIN_LANGUAGE,
			.scheme = VERSION_PEP440,
		};
		r = package_list_add(out, &e);
		if (r < 0)
			snprintf(err, errlen, "%s: %s", location, r == -E2BIG ? "too many packages" : strerror(-r));
	}
	buf_free(&purl);
	return r;
}
