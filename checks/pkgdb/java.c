/* java.c: Java archives (jar/war/ear): pom.properties, else MANIFEST.MF, and nested jars one level deep. */
#include "pkgdb.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

#define JAVA_FIELD_MAX 512
#define JAVA_MAX_ENTRIES 100000
#define JAVA_MAX_NESTED 1000

static int maven_emit(const char *group, const char *artifact, const char *version, const char *location,
		      struct package_list *out)
{
	char name[2 * JAVA_FIELD_MAX + 2];
	if (group[0])
		snprintf(name, sizeof(name), "%s:%s", group, artifact);
	else
		snprintf(name, sizeof(name), "%s", artifact);
	struct pkgdb_entry e = {
		.ecosystem = "Maven",
		.name = name,
		.version = version,
		.location = location,
		.origin = PKG_ORIGIN_LANGUAGE,
		.scheme = VERSION_MAVEN,
	};
	return pkgdb_add_purl(out, &e, "maven", group, artifact, NULL);
}

int pkgdb_parse_pom_properties(const char *text, size_t len, const char *location,
			       struct package_list *out, char *err, size_t errlen)
{
	char group[JAVA_FIELD_MAX] = "", artifact[JAVA_FIELD_MAX] = "", version[JAVA_FIELD_MAX] = "";
	size_t i = 0;
	if (!location)
		location = "pom.properties";
	const char *line;
	size_t n;
	while (pkgdb_next_line(text, len, &i, &line, &n)) {
		while (n && (*line == ' ' || *line == '\t')) {
			line++;
			n--;
		}
		if (!n || line[0] == '#' || line[0] == '!')
			continue;
		size_t k = 0;
		while (k < n && line[k] != '=' && line[k] != ':' && line[k] != ' ')
			k++;
		size_t v = k;
		while (v < n && (line[v] == ' ' || line[v] == '\t'))
			v++;
		if (v < n && (line[v] == '=' || line[v] == ':'))
			v++;
		char *dst = NULL;
		if (k == 7 && memcmp(line, "groupId", 7) == 0)
			dst = group;
		else if (k == 10 && memcmp(line, "artifactId", 10) == 0)
			dst = artifact;
		else if (k == 7 && memcmp(line, "version", 7) == 0)
			dst = version;
		if (dst)
			pkgdb_copy_trimmed(dst, JAVA_FIELD_MAX, line + v, n - v);
	}
	if (!group[0] || !artifact[0] || !version[0]) {
		snprintf(err, errlen, "%s: no %s", location, !group[0] ? "groupId" : !artifact[0] ? "artifactId" : "version");
		return -EBADMSG;
	}
	int r = maven_emit(group, artifact, version, location, out);
	if (r < 0)
		pkgdb_add_error(err, errlen, location, r);
	return r;
}

/* The main section of a manifest; continuation lines start with one space. */
struct manifest {
	char title[JAVA_FIELD_MAX];
	char version[JAVA_FIELD_MAX];
	char vendor_id[JAVA_FIELD_MAX];
	char bundle_name[JAVA_FIELD_MAX];
	char bundle_version[JAVA_FIELD_MAX];
};

static void manifest_set(struct manifest *m, const char *key, const char *value)
{
	char *dst = NULL;
	if (strcasecmp(key, "Implementation-Title") == 0)
		dst = m->title;
	else if (strcasecmp(key, "Implementation-Version") == 0)
		dst = m->version;
	else if (strcasecmp(key, "Implementation-Vendor-Id") == 0)
		dst = m->vendor_id;
	else if (strcasecmp(key, "Bundle-SymbolicName") == 0)
		dst = m->bundle_name;
	else if (strcasecmp(key, "Bundle-Version") == 0)
		dst = m->bundle_version;
	if (dst)
		pkgdb_copy_trimmed(dst, JAVA_FIELD_MAX, value, strlen(value));
}

int pkgdb_parse_manifest(const char *text, size_t len, const char *location,
			 struct package_list *out, char *err, size_t errlen)
{
	struct manifest m;
	memset(&m, 0, sizeof(m));
	char key[128] = "";
	struct buf value;
	buf_init(&value, 64 << 10);
	size_t i = 0;
	if (!location)
		location = "MANIFEST.MF";
	const char *line;
	size_t n;
	while (pkgdb_next_line(text, len, &i, &line, &n)) {
		if (n && line[n - 1] == '\r')
			n--;
		if (line[0] == ' ' && n) {
			(void)buf_append(&value, line + 1, n - 1);
			continue;
		}
		if (key[0])
			manifest_set(&m, key, value.data ? value.data : "");
		key[0] = '\0';
		buf_reset(&value);
		if (n == 0)
			break; /* end of the main section */
		const char *colon = memchr(line, ':', n);
		if (!colon || (size_t)(colon - line) >= sizeof(key))
			continue;
		snprintf(key, sizeof(key), "%.*s", (int)(colon - line), line);
		(void)buf_append(&value, colon + 1, n - (size_t)(colon - line) - 1);
	}
	if (key[0])
		manifest_set(&m, key, value.data ? value.data : "");
	buf_free(&value);

	char group[JAVA_FIELD_MAX] = "", artifact[JAVA_FIELD_MAX] = "", version[JAVA_FIELD_MAX];
	snprintf(version, sizeof(version), "%s", m.version[0] ? m.version : m.bundle_version);
	/* "org.example.lib;singleton:=true" -> group "org.example", artifact "lib" */
	m.bundle_name[strcspn(m.bundle_name, ";")] = '\0';
	pkgdb_copy_trimmed(m.bundle_name, sizeof(m.bundle_name), m.bundle_name, strlen(m.bundle_name));
	if (m.vendor_id[0] && m.title[0]) {
		snprintf(group, sizeof(group), "%s", m.vendor_id);
		snprintf(artifact, sizeof(artifact), "%s", m.title);
	} else if (m.bundle_name[0]) {
		char *dot = strrchr(m.bundle_name, '.');
		if (dot && dot != m.bundle_name && dot[1]) {
			snprintf(group, sizeof(group), "%.*s", (int)(dot - m.bundle_name), m.bundle_name);
			snprintf(artifact, sizeof(artifact), "%s", dot + 1);
		} else {
			snprintf(artifact, sizeof(artifact), "%s", m.bundle_name);
		}
	} else {
		snprintf(artifact, sizeof(artifact), "%s", m.title);
	}
	if (!artifact[0] || !version[0]) {
		snprintf(err, errlen, "%s: names no artifact and version", location);
		return -ENOENT;
	}
	int r = maven_emit(group, artifact, version, location, out);
	if (r < 0)
		pkgdb_add_error(err, errlen, location, r);
	return r;
}

static bool is_nested_archive(const char *path)
{
	size_t n = strlen(path);
	return n > 4 && (strcasecmp(path + n - 4, ".jar") == 0 || strcasecmp(path + n - 4, ".war") == 0);
}

static int read_entry(struct archive *a, int64_t size, size_t max_entry, struct buf *b)
{
	buf_reset(b);
	if (size < 0 || (uint64_t)size > max_entry)
		return -EFBIG;
	char chunk[16384];
	for (;;) {
		la_ssize_t n = archive_read_data(a, chunk, sizeof(chunk));
		if (n < 0)
			return -EBADMSG;
		if (n == 0)
			return 0;
		int r = buf_append(b, chunk, (size_t)n);
		if (r < 0)
			return r;
	}
}

static int java_archive(const unsigned char *zip, size_t len, const char *location, size_t max_entry, int depth,
			struct package_list *out, int *first, char *err, size_t errlen)
{
	struct archive *a = archive_read_new();
	struct buf data, manifest;
	int r = 0, found = 0;
	size_t entries = 0, nested = 0;
	if (!a)
		return -ENOMEM;
	buf_init(&data, max_entry + 1);
	buf_init(&manifest, max_entry + 1);
	archive_read_support_format_zip(a);
	if (archive_read_open_memory(a, zip, len) != ARCHIVE_OK) {
		if (!*first) {
			*first = -EBADMSG;
			snprintf(err, errlen, "%s: not a zip archive: %s", location, archive_error_string(a));
		}
		goto out;
	}
	struct archive_entry *ent;
	int ar;
	while ((ar = archive_read_next_header(a, &ent)) == ARCHIVE_OK || ar == ARCHIVE_WARN) {
		if (++entries > JAVA_MAX_ENTRIES) {
			if (!*first) {
				*first = -E2BIG;
				snprintf(err, errlen, "%s: more than %d entries", location, JAVA_MAX_ENTRIES);
			}
			break;
		}
		const char *path = archive_entry_pathname(ent);
		if (!path || archive_entry_filetype(ent) != AE_IFREG)
			continue;
		bool pom = fnmatch("META-INF/maven/*/*/pom.properties", path, FNM_PATHNAME) == 0;
		bool mf = strcasecmp(path, "META-INF/MANIFEST.MF") == 0;
		bool inner = depth == 0 && is_nested_archive(path) && nested < JAVA_MAX_NESTED;
		if (!pom && !mf && !inner)
			continue;
		int rr = read_entry(a, archive_entry_size(ent), max_entry, &data);
		char where[4096];
		snprintf(where, sizeof(where), "%s!/%s", location, path);
		if (rr == -ENOMEM) {
			r = rr;
			break;
		}
		if (rr < 0) {
			if (!*first) {
				*first = rr;
				snprintf(err, errlen, "%s: %s", where, rr == -EFBIG ? "entry is larger than the limit" :
					 "cannot be decompressed");
			}
			continue;
		}
		char e2[512];
		if (pom) {
			int pr = pkgdb_parse_pom_properties(data.data, data.len, location, out, e2, sizeof(e2));
			if (pr == 0)
				found++;
			else if (pr == -E2BIG || pr == -ENOMEM)
				r = pr;
			else if (!*first) {
				*first = pr;
				snprintf(err, errlen, "%s: needs groupId, artifactId and version", where);
			}
		} else if (mf) {
			buf_reset(&manifest);
			(void)buf_append(&manifest, data.data, data.len);
		} else {
			nested++;
			r = java_archive((const unsigned char *)data.data, data.len, where, max_entry, depth + 1, out,
					 first, err, errlen);
		}
		if (r < 0)
			break;
	}
	if (r == 0 && ar != ARCHIVE_EOF && ar != ARCHIVE_OK && ar != ARCHIVE_WARN && !*first) {
		*first = -EBADMSG;
		snprintf(err, errlen, "%s: zip archive is damaged after %zu entries: %s", location, entries,
			 archive_error_string(a));
	}
	if (r == 0 && !found && manifest.len) {
		char e2[512];
		int pr = pkgdb_parse_manifest(manifest.data, manifest.len, location, out, e2, sizeof(e2));
		if (pr == -E2BIG || pr == -ENOMEM)
			r = pr;
	}
out:
	archive_read_free(a);
	buf_free(&data);
	buf_free(&manifest);
	return r;
}

int pkgdb_parse_java_archive(const unsigned char *zip, size_t len, const char *location,
			     size_t max_entry, struct package_list *out, char *err, size_t errlen)
{
	int first = 0;
	if (!location)
		location = "archive";
	if (!max_entry)
		max_entry = (size_t)16 << 20;
	int r = java_archive(zip, len, location, max_entry, 0, out, &first, err, errlen);
	if (r < 0) {
		pkgdb_add_error(err, errlen, location, r);
		return r;
	}
	return first;
}
