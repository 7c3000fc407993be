/* version_dpkg.c: Debian version order ([epoch:]upstream[-revision], '~' before everything) per Debian Policy 5.6.12. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "version_internal.h"

struct dpkg_version {
	const char *epoch;      /* digits, epoch_len long; empty = 0 */
	size_t epoch_len;
	const char *upstream;
	size_t upstream_len;
	const char *revision;   /* "" when absent */
	size_t revision_len;
};

static void dpkg_split(const char *v, struct dpkg_version *out)
{
	while (isspace((unsigned char)*v))
		v++;
	size_t len = strlen(v);
	while (len && isspace((unsigned char)v[len - 1]))
		len--;
	const char *colon = memchr(v, ':', len);
	out->epoch = v;
	out->epoch_len = 0;
	if (colon) {
		out->epoch_len = (size_t)(colon - v);
		len -= out->epoch_len + 1;
		v = colon + 1;
	}
	const char *dash = NULL;
	for (size_t i = 0; i < len; i++)
		if (v[i] == '-')
			dash = v + i;
	out->upstream = v;
	out->upstream_len = dash ? (size_t)(dash - v) : len;
	out->revision = dash ? dash + 1 : v + len;
	out->revision_len = dash ? len - out->upstream_len - 1 : 0;
}

/* Weight of a non-digit character: '~' lowest, then the end of the part,
 * then letters, then every other character. */
static int char_order(const char *p, const char *end)
{
	if (p >= end)
		return 0;
	unsigned char c = (unsigned char)*p;
	if (c == '~')
		return -1;
	if (isdigit(c))
		return 0;
	if (isalpha(c))
		return c;
	return c + 256;
}

/* Alternating non-digit and digit runs: non-digits by char_order, digits as numbers. */
static int dpkg_part_compare(const char *a, size_t alen, const char *b, size_t blen)
{
	const char *ae = a + alen, *be = b + blen;
	while (a < ae || b < be) {
		while ((a < ae && !isdigit((unsigned char)*a)) || (b < be && !isdigit((unsigned char)*b))) {
			int ac = char_order(a, ae), bc = char_order(b, be);
			if (ac != bc)
				return ac < bc ? -1 : 1;
			a += a < ae;
			b += b < be;
		}
		const char *ad = a, *bd = b;
		while (a < ae && isdigit((unsigned char)*a))
			a++;
		while (b < be && isdigit((unsigned char)*b))
			b++;
		int r = digits_compare(ad, (size_t)(a - ad), bd, (size_t)(b - bd));
		if (r)
			return r;
	}
	return 0;
}

int dpkg_compare(const char *a, const char *b)
{
	struct dpkg_version va, vb;
	dpkg_split(a, &va);
	dpkg_split(b, &vb);
	int r = digits_compare(va.epoch, va.epoch_len, vb.epoch, vb.epoch_len);
	if (r)
		return r;
	r = dpkg_part_compare(va.upstream, va.upstream_len, vb.upstream, vb.upstream_len);
	if (r)
		return r;
	return dpkg_part_compare(va.revision, va.revision_len, vb.revision, vb.revision_len);
}

static bool all_of(const char *s, size_t n, const char *extra)
{
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr(extra, s[i]))
			return false;
	return true;
}

bool dpkg_valid(const char *v)
{
	struct dpkg_version d;
	dpkg_split(v, &d);
	const char *colon = strchr(v, ':');
	if (colon && (d.epoch_len == 0 || strchr(colon + 1, ':')))
		return false;
	for (size_t i = 0; i < d.epoch_len; i++)
		if (!isdigit((unsigned char)d.epoch[i]))
			return false;
	if (d.upstream_len == 0 || !isdigit((unsigned char)d.upstream[0]))
		return false;
	if (!all_of(d.upstream, d.upstream_len, ".+~-"))
		return false;
	if (d.revision > d.upstream + d.upstream_len && d.revision_len == 0)
		return false;       /* "1.0-" */
	return all_of(d.revision, d.revision_len, ".+~");
}
