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

static int apk_emit(const struct apk_entry *a, const struct pkgdb_os *os, const char *location,
		    struct package_list *out)
{
	const char *src = a->origin[0] ? a->origin : a->name;
	struct pkgdb_os_package p = {
		.type = "apk",
		.default_ns = "alpine",
		.name = a->name,
		.version = a->version,
		.source_name = src,
		.source_version = a->version,
		.arch = a->arch,
		.upstream = strcmp(src, a->name) != 0 ? src : NULL,
		.scheme = VERSION_APK,
	};
	return pkgdb_add_os_package(out, os, location, &p);
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
	const char *line;
	size_t n;
	while (r == 0 && pkgdb_next_line(text, len, &i, &line, &n)) {
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
		case 'P': pkgdb_copy_trimmed(a.name, sizeof(a.name), v, vlen); break;
		case 'V': pkgdb_copy_trimmed(a.version, sizeof(a.version), v, vlen); break;
		case 'o': pkgdb_copy_trimmed(a.origin, sizeof(a.origin), v, vlen); break;
		case 'A': pkgdb_copy_trimmed(a.arch, sizeof(a.arch), v, vlen); break;
		case 'F':
			pkgdb_copy_trimmed(folder, sizeof(folder), v, vlen);
			if (files && folder[0] && strlen(folder) == vlen)
				(void)buf_printf(files, "/%s\n", folder);
			break;
		case 'R':
			if (files && !memchr(v, '\0', vlen)) {
				char f[1024];
				pkgdb_copy_trimmed(f, sizeof(f), v, vlen);
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
		pkgdb_add_error(err, errlen, location, r);
		return r;
	}
	return first;
}
