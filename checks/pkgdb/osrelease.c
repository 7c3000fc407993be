/* osrelease.c: /etc/os-release to the OSV ecosystem and purl distro of an image's OS. */
#include "pkgdb.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* Unquotes an os-release value (shell-like: "..." with \-escapes, '...' literal). */
static void os_release_value(const char *v, size_t n, char *dst, size_t dstlen)
{
	size_t o = 0;
	char q = 0;
	if (n && (v[0] == '"' || v[0] == '\'')) {
		q = v[0];
		v++;
		n--;
	}
	for (size_t i = 0; i < n && o + 1 < dstlen; i++) {
		char c = v[i];
		if (q && c == q)
			break;
		if (q == '"' && c == '\\' && i + 1 < n)
			c = v[++i];
		if ((unsigned char)c < 0x20 || c == 0x7f)
			continue;
		dst[o++] = c;
	}
	dst[o] = '\0';
}

/* The part of a version before the n-th dot: major_of("12.4", 1) = "12". */
static void leading_fields(const char *v, int n, char *dst, size_t dstlen)
{
	size_t o = 0;
	int dots = 0;
	for (; *v && o + 1 < dstlen; v++) {
		if (*v == '.' && ++dots == n)
			break;
		if (!((*v >= '0' && *v <= '9') || *v == '.'))
			break;
		dst[o++] = *v;
	}
	dst[o] = '\0';
}

struct os_map {
	const char *id;
	const char *ecosystem;  /* the release is appended */
	int fields;             /* version fields in the release (0 = none) */
	const char *purl_ns;
};

/* OSV ecosystem names (ossf/osv-schema ecosystems list), as osv.dev's
 * records spell them. Red Hat's advisories carry the product stream after the
 * release ("Red Hat:enterprise_linux:9::baseos"): the name here is their
 * prefix. CentOS, Fedora, Oracle and Amazon have no OSV feed; they are named
 * the same way. */
static const struct os_map os_maps[] = {
	{ "debian", "Debian:", 1, "debian" },
	{ "ubuntu", "Ubuntu:", 2, "ubuntu" },
	{ "alpine", "Alpine:v", 2, "alpine" },
	{ "rhel", "Red Hat:enterprise_linux:", 1, "redhat" },
	{ "rocky", "Rocky Linux:", 1, "rocky" },
	{ "almalinux", "AlmaLinux:", 1, "almalinux" },
	{ "centos", "CentOS:", 1, "centos" },
	{ "fedora", "Fedora:", 1, "fedora" },
	{ "ol", "Oracle Linux:", 1, "oracle" },
	{ "amzn", "Amazon Linux:", 1, "amazon" },
	{ "opensuse-leap", "openSUSE:Leap ", 2, "opensuse" },
	{ "opensuse-tumbleweed", "openSUSE:Tumbleweed", 0, "opensuse" },
	{ "sles", "SUSE:Linux Enterprise Server ", 2, "suse" },
	{ "wolfi", "Wolfi", 0, "wolfi" },
	{ "chainguard", "Chainguard", 0, "chainguard" },
	{ "mariner", "Azure Linux:", 1, "mariner" },
	{ "azurelinux", "Azure Linux:", 1, "azurelinux" },
};

static void os_ecosystem(struct pkgdb_os *os)
{
	os->ecosystem[0] = '\0';
	for (size_t i = 0; i < sizeof(os_maps) / sizeof(os_maps[0]); i++) {
		const struct os_map *m = &os_maps[i];
		if (strcmp(m->id, os->id) != 0)
			continue;
		snprintf(os->purl_namespace, sizeof(os->purl_namespace), "%s", m->purl_ns);
		char rel[64];
		leading_fields(os->version_id, m->fields, rel, sizeof(rel));
		if (m->fields == 0) {
			snprintf(os->ecosystem, sizeof(os->ecosystem), "%s", m->ecosystem);
		} else if (rel[0]) {
			if (strcmp(m->id, "sles") == 0) {
				/* 15.5 -> "15 SP5", 15 -> "15" */
				char *dot = strchr(rel, '.');
				if (dot && dot[1] && strcmp(dot + 1, "0") != 0) {
					*dot = '\0';
					snprintf(os->ecosystem, sizeof(os->ecosystem), "SUSE:Linux Enterprise Server %s SP%s",
						 rel, dot + 1);
				} else {
					if (dot)
						*dot = '\0';
					snprintf(os->ecosystem, sizeof(os->ecosystem), "%s%s", m->ecosystem, rel);
				}
			} else {
				snprintf(os->ecosystem, sizeof(os->ecosystem), "%s%s", m->ecosystem, rel);
				/* OSV names Ubuntu's long-term releases (even years, April) "Ubuntu:22.04:LTS" */
				int year = 0, month = 0;
				if (strcmp(m->id, "ubuntu") == 0 && sscanf(rel, "%d.%d", &year, &month) == 2 &&
				    year % 2 == 0 && month == 4)
					snprintf(os->ecosystem, sizeof(os->ecosystem), "Ubuntu:%s:LTS", rel);
			}
		} else {
			/* a release without VERSION_ID (Debian testing/sid): the bare ecosystem */
			const char *colon = strchr(m->ecosystem, ':');
			int n = colon ? (int)(colon - m->ecosystem) : (int)strlen(m->ecosystem);
			snprintf(os->ecosystem, sizeof(os->ecosystem), "%.*s", n, m->ecosystem);
		}
		break;
	}
	if (os->version_id[0])
		snprintf(os->purl_distro, sizeof(os->purl_distro), "%s-%s",
			 os->purl_namespace[0] ? os->purl_namespace : os->id, os->version_id);
	else
		snprintf(os->purl_distro, sizeof(os->purl_distro), "%s",
			 os->purl_namespace[0] ? os->purl_namespace : os->id);
}

int pkgdb_parse_os_release(const char *text, size_t len, struct pkgdb_os *os, char *err, size_t errlen)
{
	memset(os, 0, sizeof(*os));
	size_t i = 0;
	const char *line;
	size_t n;
	while (pkgdb_next_line(text, len, &i, &line, &n)) {
		while (n && (line[n - 1] == '\r' || line[n - 1] == ' ' || line[n - 1] == '\t'))
			n--;
		const char *eq = memchr(line, '=', n);
		if (!eq || line[0] == '#')
			continue;
		size_t klen = (size_t)(eq - line);
		const char *v = eq + 1;
		size_t vlen = n - klen - 1;
		if (klen == 2 && memcmp(line, "ID", 2) == 0)
			os_release_value(v, vlen, os->id, sizeof(os->id));
		else if (klen == 10 && memcmp(line, "VERSION_ID", 10) == 0)
			os_release_value(v, vlen, os->version_id, sizeof(os->version_id));
		else if (klen == 11 && memcmp(line, "PRETTY_NAME", 11) == 0)
			os_release_value(v, vlen, os->pretty_name, sizeof(os->pretty_name));
	}
	if (!os->id[0]) {
		snprintf(err, errlen, "os-release has no ID");
		return -EBADMSG;
	}
	/* IDs are lower-case by the spec; be lenient */
	for (char *p = os->id; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	os_ecosystem(os);
	return 0;
}
