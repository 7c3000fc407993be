/* dpkg.c: dpkg's status database (and distroless status.d files) to packages. */
#include "pkgdb.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>


#define DPKG_FIELD_MAX 512

/* The fields of one stanza that matter here (values trimmed, continuation lines dropped). */
struct dpkg_stanza {
	char package[DPKG_FIELD_MAX];
	char version[DPKG_FIELD_MAX];
	char source[DPKG_FIELD_MAX];
	char arch[64];
	char status[128];
	bool has_status;
	unsigned line;          /* first line of the stanza */
};

/* "install ok installed", "hold ok installed": the package's files are on disk. */
static bool dpkg_installed(const struct dpkg_stanza *s, bool status_optional)
{
	if (!s->has_status)
		return status_optional;
	char want[32], flag[32], state[32];
	if (sscanf(s->status, "%31s %31s %31s", want, flag, state) != 3)
		return false;
	return strcmp(flag, "ok") == 0 && strcmp(state, "installed") == 0;
}

static int dpkg_emit(const struct dpkg_stanza *s, const struct pkgdb_os *os, const char *location,
		     struct package_list *out)
{
	char src[DPKG_FIELD_MAX], srcver[DPKG_FIELD_MAX];
	snprintf(src, sizeof(src), "%s", s->package);
	snprintf(srcver, sizeof(srcver), "%s", s->version);
	if (s->source[0]) {
		/* "Source: name" or "Source: name (version)" */
		const char *p = s->source;
		size_t n = strcspn(p, " \t(");
		snprintf(src, sizeof(src), "%.*s", (int)n, p);
		const char *open = strchr(p + n, '(');
		const char *close = open ? strchr(open, ')') : NULL;
		if (open && close)
			pkgdb_copy_trimmed(srcver, sizeof(srcver), open + 1, (size_t)(close - open - 1));
	}
	struct pkgdb_os_package p = {
		.type = "deb",
		.default_ns = "debian",
		.name = s->package,
		.version = s->version,
		.source_name = src,
		.source_version = srcver,
		.arch = s->arch,
		.upstream = strcmp(src, s->package) != 0 ? src : NULL,
		.scheme = VERSION_DPKG,
	};
	return pkgdb_add_os_package(out, os, location, &p);
}

/* Records the first problem; later ones only count. */
static void note_error(int *first, int code, char *err, size_t errlen, const char *location,
		       unsigned line, const char *what)
{
	if (*first)
		return;
	*first = code;
	snprintf(err, errlen, "%s: line %u: %s", location, line, what);
}

static int dpkg_finish(struct dpkg_stanza *s, bool status_optional, const struct pkgdb_os *os,
		       const char *location, struct package_list *out, int *first, char *err, size_t errlen)
{
	int r = 0;
	if (!s->line)
		return 0;
	if (!s->package[0]) {
		note_error(first, -EBADMSG, err, errlen, location, s->line, "stanza without a Package field");
	} else if (dpkg_installed(s, status_optional)) {
		if (!s->version[0])
			note_error(first, -EBADMSG, err, errlen, location, s->line, "installed package without a Version");
		else
			r = dpkg_emit(s, os, location, out);
	}
	memset(s, 0, sizeof(*s));
	return r;
}

static int dpkg_parse(const char *text, size_t len, bool status_optional, const struct pkgdb_os *os,
		      const char *location, struct package_list *out, char *err, size_t errlen)
{
	struct dpkg_stanza s;
	memset(&s, 0, sizeof(s));
	int first = 0, r = 0;
	unsigned lineno = 0;
	size_t i = 0;
	if (!location)
		location = "dpkg status";
	const char *line;
	size_t n;
	while (r == 0 && pkgdb_next_line(text, len, &i, &line, &n)) {
		lineno++;
		size_t blank = 0;
		while (blank < n && (line[blank] == ' ' || line[blank] == '\t' || line[blank] == '\r'))
			blank++;
		if (blank == n) {
			r = dpkg_finish(&s, status_optional, os, location, out, &first, err, errlen);
			continue;
		}
		if (!s.line)
			s.line = lineno;
		if (line[0] == ' ' || line[0] == '\t')
			continue; /* continuation of a multi-line field (Description, Conffiles) */
		if (memchr(line, '\0', n)) {
			note_error(&first, -EBADMSG, err, errlen, location, lineno, "NUL byte in the database");
			continue;
		}
		const char *colon = memchr(line, ':', n);
		if (!colon) {
			note_error(&first, -EBADMSG, err, errlen, location, lineno, "line is not \"Field: value\"");
			continue;
		}
		size_t klen = (size_t)(colon - line);
		const char *v = colon + 1;
		size_t vlen = n - klen - 1;
#define FIELD_IS(name) (klen == sizeof(name) - 1 && strncasecmp(line, name, klen) == 0)
		if (FIELD_IS("Package"))
			pkgdb_copy_trimmed(s.package, sizeof(s.package), v, vlen);
		else if (FIELD_IS("Version"))
			pkgdb_copy_trimmed(s.version, sizeof(s.version), v, vlen);
		else if (FIELD_IS("Source"))
			pkgdb_copy_trimmed(s.source, sizeof(s.source), v, vlen);
		else if (FIELD_IS("Architecture"))
			pkgdb_copy_trimmed(s.arch, sizeof(s.arch), v, vlen);
		else if (FIELD_IS("Status")) {
			pkgdb_copy_trimmed(s.status, sizeof(s.status), v, vlen);
			s.has_status = true;
		}
#undef FIELD_IS
	}
	if (r == 0)
		r = dpkg_finish(&s, status_optional, os, location, out, &first, err, errlen);
	if (r < 0) {
		pkgdb_add_error(err, errlen, location, r);
		return r;
	}
	return first;
}

int pkgdb_parse_dpkg_status(const char *text, size_t len, const struct pkgdb_os *os,
			    const char *location, struct package_list *out, char *err, size_t errlen)
{
	return dpkg_parse(text, len, false, os, location, out, err, errlen);
}

/* Distroless writes one stanza per file under status.d, without a Status field. */
int pkgdb_parse_dpkg_status_d(const char *text, size_t len, const struct pkgdb_os *os,
			      const char *location, struct package_list *out, char *err, size_t errlen)
{
	return dpkg_parse(text, len, true, os, location, out, err, errlen);
}
