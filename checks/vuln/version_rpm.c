/* version_rpm.c: RPM version order: epoch numerically, then rpmvercmp over version and release ('~' before all, '^' after the end). */
#include <ctype.h>
#include <string.h>

#include "version_internal.h"

static bool rpm_sep(char c)
{
	return !isalnum((unsigned char)c) && c != '~' && c != '^';
}

static size_t run_len(const char *p, const char *end, int (*pred)(int))
{
	size_t n = 0;
	while (p + n < end && pred((unsigned char)p[n]))
		n++;
	return n;
}

/* rpmvercmp over a[0..alen) and b[0..blen): alternating alphabetic and
 * numeric segments split by any other character; numbers beat letters. */
static int rpm_vercmp(const char *a, size_t alen, const char *b, size_t blen)
{
	const char *ae = a + alen, *be = b + blen;
	if (alen == blen && memcmp(a, b, alen) == 0)
		return 0;
	for (;;) {
		while (a < ae && rpm_sep(*a))
			a++;
		while (b < be && rpm_sep(*b))
			b++;
		bool a_end = a >= ae, b_end = b >= be;
		if ((!a_end && *a == '~') || (!b_end && *b == '~')) {
			if (a_end || *a != '~')
				return 1;
			if (b_end || *b != '~')
				return -1;
			a++;
			b++;
			continue;
		}
		if ((!a_end && *a == '^') || (!b_end && *b == '^')) {
			if (a_end)
				return -1;
			if (b_end)
				return 1;
			if (*a != '^')
				return 1;
			if (*b != '^')
				return -1;
			a++;
			b++;
			continue;
		}
		if (a_end || b_end)
			break;
		bool numeric = isdigit((unsigned char)*a);
		int (*pred)(int) = numeric ? isdigit : isalpha;
		size_t na = run_len(a, ae, pred), nb = run_len(b, be, pred);
		if (nb == 0)
			return numeric ? 1 : -1;    /* b has the other kind of segment here */
		int r;
		if (numeric) {
			r = digits_compare(a, na, b, nb);
		} else {
			r = sign_of(memcmp(a, b, na < nb ? na : nb));
			if (!r && na != nb)
				r = na < nb ? -1 : 1;
		}
		if (r)
			return r;
		a += na;
		b += nb;
	}
	if (a >= ae && b >= be)
		return 0;
	return a < ae ? 1 : -1;
}

struct rpm_evr {
	const char *epoch, *version, *release;
	size_t epoch_len, version_len, release_len;
};

static void rpm_split(const char *s, struct rpm_evr *e)
{
	size_t len = strlen(s);
	const char *colon = memchr(s, ':', len);
	e->epoch = s;
	e->epoch_len = 0;
	if (colon) {
		e->epoch_len = (size_t)(colon - s);
		len -= e->epoch_len + 1;
		s = colon + 1;
	}
	const char *dash = NULL;
	for (size_t i = 0; i < len; i++)
		if (s[i] == '-')
			dash = s + i;
	e->version = s;
	e->version_len = dash ? (size_t)(dash - s) : len;
	e->release = dash ? dash + 1 : s + len;
	e->release_len = dash ? len - e->version_len - 1 : 0;
}

/* A release compares only when both sides have one: "1.0" stands for every release of 1.0. */
int rpm_compare(const char *a, const char *b)
{
	struct rpm_evr ea, eb;
	rpm_split(a, &ea);
	rpm_split(b, &eb);
	int r = digits_compare(ea.epoch, ea.epoch_len, eb.epoch, eb.epoch_len);
	if (!r)
		r = rpm_vercmp(ea.version, ea.version_len, eb.version, eb.version_len);
	if (!r && ea.release_len && eb.release_len)
		r = rpm_vercmp(ea.release, ea.release_len, eb.release, eb.release_len);
	return r;
}

bool rpm_valid(const char *v)
{
	struct rpm_evr e;
	rpm_split(v, &e);
	if (strchr(v, ':') && !e.epoch_len)
		return false;
	for (size_t i = 0; i < e.epoch_len; i++)
		if (!isdigit((unsigned char)e.epoch[i]))
			return false;
	if (!e.version_len || strchr(e.version, ':'))
		return false;
	for (const char *p = e.version; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("._+~^-", *p))
			return false;
	return true;
}
