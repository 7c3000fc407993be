/* python.c: Python core metadata (dist-info METADATA, egg-info PKG-INFO) to a PyPI package. */
#include "pkgdb.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>


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

int pkgdb_parse_python_metadata(const char *text, size_t len, const char *location,
				struct package_list *out, char *err, size_t errlen)
{
	char name[256] = "", version[256] = "";
	size_t i = 0;
	if (!location)
		location = "METADATA";
	/* the headers end at the first empty line; the description follows */
	const char *line;
	size_t n;
	while (pkgdb_next_line(text, len, &i, &line, &n)) {
		if (n == 0 || (n == 1 && line[0] == '\r'))
			break;
		if (line[0] == ' ' || line[0] == '\t')
			continue;
		const char *colon = memchr(line, ':', n);
		if (!colon)
			continue;
		size_t klen = (size_t)(colon - line);
		if (klen == 4 && strncasecmp(line, "Name", 4) == 0 && !name[0])
			pkgdb_copy_trimmed(name, sizeof(name), colon + 1, n - klen - 1);
		else if (klen == 7 && strncasecmp(line, "Version", 7) == 0 && !version[0])
			pkgdb_copy_trimmed(version, sizeof(version), colon + 1, n - klen - 1);
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
	struct pkgdb_entry e = {
		.ecosystem = "PyPI",
		.name = norm,
		.version = version,
		.location = location,
		.origin = PKG_ORIGIN_LANGUAGE,
		.scheme = VERSION_PEP440,
	};
	int r = pkgdb_add_purl(out, &e, "pypi", NULL, norm, NULL);
	if (r < 0)
		pkgdb_add_error(err, errlen, location, r);
	return r;
}
