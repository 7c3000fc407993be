/* pkglist.c: the package list the parsers fill, and package URL escaping. */
#include "pkgdb.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

void package_list_free(struct package_list *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->len; i++)
		package_free(&l->items[i]);
	free(l->items);
	l->items = NULL;
	l->len = l->alloc = 0;
}

static char *dup_or_empty(const char *s)
{
	return strdup(s ? s : "");
}

int package_list_add(struct package_list *l, const struct pkgdb_entry *e)
{
	size_t cap = l->cap ? l->cap : PKGDB_DEFAULT_MAX_PACKAGES;
	if (l->len >= cap)
		return -E2BIG;
	if (l->len == l->alloc) {
		size_t n = l->alloc ? l->alloc * 2 : 64;
		struct package *p = realloc(l->items, n * sizeof(*p));
		if (!p)
			return -ENOMEM;
		l->items = p;
		l->alloc = n;
	}
	struct package *p = &l->items[l->len];
	memset(p, 0, sizeof(*p));
	p->ecosystem = dup_or_empty(e->ecosystem);
	p->name = dup_or_empty(e->name);
	p->version = dup_or_empty(e->version);
	p->source_name = dup_or_empty(e->source_name);
	p->source_version = dup_or_empty(e->source_version);
	p->location = dup_or_empty(e->location);
	p->purl = dup_or_empty(e->purl);
	p->origin = e->origin;
	p->scheme = e->scheme;
	if (!p->ecosystem || !p->name || !p->version || !p->source_name || !p->source_version ||
	    !p->location || !p->purl) {
		package_free(p);
		return -ENOMEM;
	}
	l->len++;
	return 0;
}

/* purl spec: unreserved characters and ':' stay, everything else ('+', '@', '/' in names) is %XX. */
int pkgdb_purl_escape(struct buf *b, const char *s, bool keep_slash)
{
	static const char hex[] = "0123456789ABCDEF";
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		unsigned char c = *p;
		bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			     c == '-' || c == '.' || c == '_' || c == '~' || c == ':' || (keep_slash && c == '/');
		int r;
		if (plain) {
			r = buf_append(b, p, 1);
		} else {
			char e[3] = { '%', hex[c >> 4], hex[c & 15] };
			r = buf_append(b, e, 3);
		}
		if (r < 0)
			return r;
	}
	return 0;
}

int pkgdb_purl(struct buf *b, const char *type, const char *ns, const char *name, const char *version,
	       const char *qualifiers)
{
	int r = buf_printf(b, "pkg:%s/", type);
	if (r == 0 && ns && *ns) {
		r = pkgdb_purl_escape(b, ns, true);
		if (r == 0)
			r = buf_append(b, "/", 1);
	}
	if (r == 0)
		r = pkgdb_purl_escape(b, name, false);
	if (r == 0 && version && *version) {
		r = buf_append(b, "@", 1);
		if (r == 0)
			r = pkgdb_purl_escape(b, version, false);
	}
	if (r == 0 && qualifiers && *qualifiers)
		r = buf_printf(b, "?%s", qualifiers);
	return r;
}

/* Appends "&key=value" (or "key=value" first) to a qualifier string. */
int pkgdb_purl_qualifier(struct buf *q, const char *key, const char *value)
{
	if (!value || !*value)
		return 0;
	int r = buf_printf(q, "%s%s=", q->len ? "&" : "", key);
	return r ? r : pkgdb_purl_escape(q, value, false);
}

int pkgdb_add_purl(struct package_list *out, const struct pkgdb_entry *e, const char *type, const char *ns,
		   const char *purl_name, const char *qualifiers)
{
	struct buf purl;
	buf_init(&purl, 16384);
	int r = pkgdb_purl(&purl, type, ns, purl_name, e->version, qualifiers);
	if (r == 0) {
		struct pkgdb_entry with = *e;
		with.purl = purl.data;
		r = package_list_add(out, &with);
	}
	buf_free(&purl);
	return r;
}

int pkgdb_add_os_package(struct package_list *out, const struct pkgdb_os *os, const char *location,
			 const struct pkgdb_os_package *p)
{
	struct buf q;
	buf_init(&q, 8192);
	int r = pkgdb_purl_qualifier(&q, "arch", p->arch);
	if (r == 0)
		r = pkgdb_purl_qualifier(&q, "epoch", p->epoch);
	if (r == 0)
		r = pkgdb_purl_qualifier(&q, "upstream", p->upstream);
	if (r == 0)
		r = pkgdb_purl_qualifier(&q, "distro", os && os->purl_distro[0] ? os->purl_distro : NULL);
	if (r == 0) {
		struct pkgdb_entry e = {
			.ecosystem = os ? os->ecosystem : "",
			.name = p->name,
			.version = p->purl_version ? p->purl_version : p->version,
			.source_name = p->source_name,
			.source_version = p->source_version,
			.location = location,
			.origin = PKG_ORIGIN_OS,
			.scheme = p->scheme,
		};
		struct buf purl;
		buf_init(&purl, 16384);
		r = pkgdb_purl(&purl, p->type, os && os->purl_namespace[0] ? os->purl_namespace : p->default_ns,
			       p->name, e.version, q.data);
		e.version = p->version;
		e.purl = purl.data;
		if (r == 0)
			r = package_list_add(out, &e);
		buf_free(&purl);
	}
	buf_free(&q);
	return r;
}

void pkgdb_add_error(char *err, size_t errlen, const char *location, int r)
{
	snprintf(err, errlen, "%s: %s", location, r == -E2BIG ? "too many packages" : strerror(-r));
}

void pkgdb_copy_trimmed(char *dst, size_t dstlen, const char *v, size_t n)
{
	while (n && (*v == ' ' || *v == '\t')) {
		v++;
		n--;
	}
	while (n && (v[n - 1] == ' ' || v[n - 1] == '\t' || v[n - 1] == '\r'))
		n--;
	if (n >= dstlen)
		n = dstlen - 1;
	if (memchr(v, '\0', n))
		n = 0;
	memmove(dst, v, n);
	dst[n] = '\0';
}

bool pkgdb_next_line(const char *text, size_t len, size_t *pos, const char **line, size_t *n)
{
	if (*pos >= len)
		return false;
	*line = text + *pos;
	const char *nl = memchr(*line, '\n', len - *pos);
	*n = nl ? (size_t)(nl - *line) : len - *pos;
	*pos += *n + 1;
	if (*n && (*line)[*n - 1] == '\r')
		(*n)--;
	return true;
}
