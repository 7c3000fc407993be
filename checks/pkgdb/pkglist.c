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
