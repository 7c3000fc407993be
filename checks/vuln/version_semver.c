/* version_semver.c: SemVer 2.0.0 order (npm, crates.io) and Go module versions (v prefix, vX / vX.Y short forms, pseudo-versions). */
#include <ctype.h>
#include <string.h>

#include "version_internal.h"

struct semver {
	const char *part[3];    /* major, minor, patch digit runs */
	size_t part_len[3];
	const char *pre;        /* after '-', NULL when absent */
	size_t pre_len;
};

struct semver_rules {
	bool plain;             /* Go: no surrounding blanks or "=" (the v is optional: OSV Go records drop it) */
	bool short_forms;       /* Go: "v1" = v1.0.0, "v1.2" = v1.2.0, without pre-release or build */
};

static size_t digit_run(const char *s)
{
	size_t n = 0;
	while (isdigit((unsigned char)s[n]))
		n++;
	return n;
}

static bool ident_char(char c)
{
	return isalnum((unsigned char)c) || c == '-';
}

/* Dot-separated non-empty identifiers up to end; numeric ones without leading zeros when strict. */
static const char *take_idents(const char *s, bool numeric_strict)
{
	for (;;) {
		size_t n = 0;
		while (ident_char(s[n]))
			n++;
		if (!n)
			return NULL;
		if (numeric_strict && digit_run(s) == n && n > 1 && s[0] == '0')
			return NULL;
		s += n;
		if (*s != '.')
			return s;
		s++;
	}
}

static bool semver_parse(const char *s, const struct semver_rules *rules, struct semver *v)
{
	memset(v, 0, sizeof(*v));
	if (!rules->plain) {
		while (isspace((unsigned char)*s))
			s++;
		if (*s == '=')
			s++;
	}
	if (*s == 'v')
		s++;
	int parts = 0;
	for (; parts < 3; parts++) {
		size_t n = digit_run(s);
		if (!n || (n > 1 && s[0] == '0'))
			return false;
		v->part[parts] = s;
		v->part_len[parts] = n;
		s += n;
		if (parts < 2 && *s != '.')
			break;
		if (parts < 2)
			s++;
	}
	if (parts < 3) {
		if (!rules->short_forms || *s)
			return false;
		for (int i = parts + 1; i < 3; i++) {
			v->part[i] = "0";
			v->part_len[i] = 1;
		}
		return true;
	}
	if (*s == '-') {
		v->pre = s + 1;
		s = take_idents(s + 1, true);
		if (!s)
			return false;
		v->pre_len = (size_t)(s - v->pre);
	}
	if (*s == '+' && !(s = take_idents(s + 1, false)))
		return false;
	if (!rules->plain)
		while (isspace((unsigned char)*s))
			s++;
	return *s == '\0';
}

/* Pre-release identifiers: numbers by value below words, words in ASCII order, more fields after fewer. */
static int pre_compare(const char *a, size_t alen, const char *b, size_t blen)
{
	const char *ae = a + alen, *be = b + blen;
	while (a < ae && b < be) {
		size_t na = strcspn(a, "."), nb = strcspn(b, ".");
		if (a + na > ae)
			na = (size_t)(ae - a);
		if (b + nb > be)
			nb = (size_t)(be - b);
		bool da = digit_run(a) >= na, db = digit_run(b) >= nb;
		int r;
		if (da && db) {
			r = digits_compare(a, na, b, nb);
		} else if (da != db) {
			r = da ? -1 : 1;
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

static int semver_order(const struct semver *a, const struct semver *b)
{
	for (int i = 0; i < 3; i++) {
		int r = digits_compare(a->part[i], a->part_len[i], b->part[i], b->part_len[i]);
		if (r)
			return r;
	}
	if (!a->pre || !b->pre)     /* a release sorts after its pre-releases */
		return (a->pre == NULL) - (b->pre == NULL);
	return pre_compare(a->pre, a->pre_len, b->pre, b->pre_len);
}

static int compare_with(const char *a, const char *b, const struct semver_rules *rules, bool invalid_equal)
{
	struct semver va, vb;
	bool oka = semver_parse(a, rules, &va), okb = semver_parse(b, rules, &vb);
	if (oka && okb)
		return semver_order(&va, &vb);
	if (oka != okb)     /* invalid sorts before valid */
		return oka ? 1 : -1;
	return invalid_equal ? 0 : sign_of(strcmp(a, b));
}

static const struct semver_rules semver_rules = { .plain = false, .short_forms = false };
static const struct semver_rules go_rules = { .plain = true, .short_forms = true };

int semver_compare(const char *a, const char *b)
{
	return compare_with(a, b, &semver_rules, false);
}

bool semver_valid(const char *v)
{
	struct semver s;
	return semver_parse(v, &semver_rules, &s);
}

/* Go's own spelling needs the v; OSV's Go records leave it out ("1.2.3"): both are read. */
int go_compare(const char *a, const char *b)
{
	return compare_with(a, b, &go_rules, true);
}

bool go_valid(const char *v)
{
	struct semver s;
	return semver_parse(v, &go_rules, &s);
}
