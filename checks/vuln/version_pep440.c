/* version_pep440.c: Python package version order and validity per PEP 440 (epoch, release, pre, post, dev, local). */
#include <ctype.h>
#include <string.h>

#include "version_internal.h"

#define PEP440_MAX_LEN 256

struct num {
	const char *p;
	size_t len;     /* 0 = zero */
};

struct pep440 {
	struct num epoch;
	const char *release;    /* "N(.N)*" */
	size_t release_len;
	int pre;                /* 0 none, 1 a, 2 b, 3 rc */
	struct num pre_n;
	bool post;
	struct num post_n;
	bool dev;
	struct num dev_n;
	const char *local;      /* after '+', NULL when absent */
	size_t local_len;
};

static size_t digit_run(const char *s)
{
	size_t n = 0;
	while (isdigit((unsigned char)s[n]))
		n++;
	return n;
}

static bool is_sep(char c)
{
	return c == '-' || c == '_' || c == '.';
}

/* Matches one of labels at *p (longest listed first); returns its index or -1. */
static int take_label(const char **p, const char *const *labels, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(labels[i]);
		if (strncmp(*p, labels[i], l) == 0) {
			*p += l;
			return (int)i;
		}
	}
	return -1;
}

/* [sep]digits after a label: the separator is only taken with the digits. */
static void take_label_number(const char **p, struct num *n)
{
	const char *s = *p;
	if (is_sep(*s) && isdigit((unsigned char)s[1]))
		s++;
	n->p = s;
	n->len = digit_run(s);
	*p = s + n->len;
}

/* Parses lowered (already lower case, trimmed) into v; false when it is not PEP 440. */
static bool pep440_parse(const char *s, struct pep440 *v)
{
	static const char *const pre_labels[] = { "alpha", "a", "beta", "b", "preview", "pre", "c", "rc" };
	static const int pre_rank[] = { 1, 1, 2, 2, 3, 3, 3, 3 };
	static const char *const post_labels[] = { "post", "rev", "r" };
	static const char *const dev_labels[] = { "dev" };
	memset(v, 0, sizeof(*v));
	if (*s == 'v')
		s++;
	size_t n = digit_run(s);
	if (n && s[n] == '!') {
		v->epoch.p = s;
		v->epoch.len = n;
		s += n + 1;
	}
	v->release = s;
	if (!digit_run(s))
		return false;
	for (;;) {
		s += digit_run(s);
		if (s[0] != '.' || !isdigit((unsigned char)s[1]))
			break;
		s++;
	}
	v->release_len = (size_t)(s - v->release);

	const char *t = s + is_sep(*s);
	int l = take_label(&t, pre_labels, 8);
	if (l >= 0) {
		v->pre = pre_rank[l];
		take_label_number(&t, &v->pre_n);
		s = t;
	}
	if (s[0] == '-' && isdigit((unsigned char)s[1])) {
		v->post = true;
		v->post_n.p = s + 1;
		v->post_n.len = digit_run(s + 1);
		s += 1 + v->post_n.len;
	} else {
		t = s + is_sep(*s);
		if (take_label(&t, post_labels, 3) >= 0) {
			v->post = true;
			take_label_number(&t, &v->post_n);
			s = t;
		}
	}
	t = s + is_sep(*s);
	if (take_label(&t, dev_labels, 1) >= 0) {
		v->dev = true;
		take_label_number(&t, &v->dev_n);
		s = t;
	}
	if (*s == '+') {
		v->local = ++s;
		for (;;) {
			size_t seg = 0;
			while (isalnum((unsigned char)s[seg]))
				seg++;
			if (!seg)
				return false;
			s += seg;
			if (!is_sep(*s))
				break;
			s++;
		}
		v->local_len = (size_t)(s - v->local);
	}
	return *s == '\0';
}

/* Lower-cases and trims v into out; false when too long. */
static bool pep440_normal(const char *v, char *out)
{
	while (isspace((unsigned char)*v))
		v++;
	size_t len = strlen(v);
	while (len && isspace((unsigned char)v[len - 1]))
		len--;
	if (len >= PEP440_MAX_LEN)
		return false;
	for (size_t i = 0; i < len; i++)
		out[i] = (char)tolower((unsigned char)v[i]);
	out[len] = '\0';
	return true;
}

static int num_compare(struct num a, struct num b)
{
	return digits_compare(a.p, a.len, b.p, b.len);
}

/* Dot-separated numbers, the shorter padded with zeros. */
static int release_compare(const char *a, const char *ae, const char *b, const char *be)
{
	while (a < ae || b < be) {
		size_t na = a < ae ? digit_run(a) : 0, nb = b < be ? digit_run(b) : 0;
		int r = digits_compare(a, na, b, nb);
		if (r)
			return r;
		a += na + (a + na < ae);
		b += nb + (b + nb < be);
	}
	return 0;
}

/* Local labels: segments split by '.', '-', '_'; numbers beat words, words compare as text. */
static int local_compare(const char *a, size_t alen, const char *b, size_t blen)
{
	const char *ae = a + alen, *be = b + blen;
	while (a < ae && b < be) {
		size_t na = 0, nb = 0;
		while (a + na < ae && !is_sep(a[na]))
			na++;
		while (b + nb < be && !is_sep(b[nb]))
			nb++;
		bool da = digit_run(a) >= na, db = digit_run(b) >= nb;
		int r;
		if (da && db) {
			r = digits_compare(a, na, b, nb);
		} else if (da != db) {
			r = da ? 1 : -1;
		} else {
			r = sign_of(memcmp(a, b, na < nb ? na : nb));
			if (!r && na != nb)
				r = na < nb ? -1 : 1;
		}
		if (r)
			return r;
		a += na + (a + na < ae);
		b += nb + (b + nb < be);
	}
	return (a < ae) - (b < be);
}

/* The pre-release rank: a dev release of a final version sorts before its pre-releases. */
static int pre_key(const struct pep440 *v)
{
	if (!v->pre && !v->post && v->dev)
		return -1;
	return v->pre ? v->pre : 4;
}

static int pep440_order(const struct pep440 *a, const struct pep440 *b)
{
	int r = num_compare(a->epoch, b->epoch);
	if (!r)
		r = release_compare(a->release, a->release + a->release_len, b->release, b->release + b->release_len);
	if (!r)
		r = sign_of(pre_key(a) - pre_key(b));
	if (!r && a->pre && b->pre)
		r = num_compare(a->pre_n, b->pre_n);
	if (!r)
		r = a->post != b->post ? (a->post ? 1 : -1) : num_compare(a->post_n, b->post_n);
	if (!r)
		r = a->dev != b->dev ? (a->dev ? -1 : 1) : num_compare(a->dev_n, b->dev_n);
	if (!r)
		r = (a->local != NULL) != (b->local != NULL) ? (a->local ? 1 : -1)
			: a->local ? local_compare(a->local, a->local_len, b->local, b->local_len) : 0;
	return r;
}

int pep440_compare(const char *a, const char *b)
{
	char na[PEP440_MAX_LEN], nb[PEP440_MAX_LEN];
	struct pep440 va, vb;
	bool oka = pep440_normal(a, na) && pep440_parse(na, &va);
	bool okb = pep440_normal(b, nb) && pep440_parse(nb, &vb);
	if (!oka || !okb)   /* invalid versions sort first, among themselves as text */
		return oka != okb ? (oka ? 1 : -1) : sign_of(strcmp(a, b));
	return pep440_order(&va, &vb);
}

bool pep440_valid(const char *v)
{
	char n[PEP440_MAX_LEN];
	struct pep440 p;
	return pep440_normal(v, n) && pep440_parse(n, &p);
}
