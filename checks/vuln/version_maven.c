/* version_maven.c: Maven version order, as Maven's ComparableVersion defines it (lists of numbers and qualifiers). */
#include <ctype.h>
#include <string.h>

#include "version_internal.h"

#define MAVEN_MAX_LEN 256
#define MAVEN_MAX_ITEMS 128

enum mv_kind { MV_INT, MV_STR, MV_LIST };

struct mv_item {
	enum mv_kind kind;
	const char *text;       /* digits (MV_INT) or qualifier (MV_STR) */
	size_t len;
	int first, last, next;  /* children of a list, and the next sibling; -1 = none */
};

struct mv_tree {
	struct mv_item item[MAVEN_MAX_ITEMS];
	int n;
	char text[MAVEN_MAX_LEN];
};

/* Known qualifiers in order; "" is a release (also spelled ga, final, release), the rest sort after "sp" as text. */
static const char *const mv_qualifiers[] = { "alpha", "beta", "milestone", "rc", "snapshot", "", "sp" };
#define MV_RELEASE_RANK 5
#define MV_UNKNOWN_RANK 7

static int mv_new(struct mv_tree *t, int parent, enum mv_kind kind, const char *text, size_t len)
{
	if (t->n >= MAVEN_MAX_ITEMS)
		return -1;
	int i = t->n++;
	t->item[i] = (struct mv_item){ kind, text, len, -1, -1, -1 };
	struct mv_item *p = &t->item[parent];
	if (p->last >= 0)
		t->item[p->last].next = i;
	else
		p->first = i;
	p->last = i;
	return i;
}

/* A qualifier with its aliases resolved; single letters before a digit are abbreviations. */
static void mv_qualifier(const struct mv_item *it, const char **q, size_t *len)
{
	static const char *const alias_from[] = { "ga", "final", "release", "cr" };
	static const char *const alias_to[] = { "", "", "", "rc" };
	*q = it->text;
	*len = it->len;
	for (size_t i = 0; i < 4; i++)
		if (strlen(alias_from[i]) == it->len && memcmp(alias_from[i], it->text, it->len) == 0) {
			*q = alias_to[i];
			*len = strlen(alias_to[i]);
		}
}

static int mv_rank(const char *q, size_t len)
{
	for (int i = 0; i < (int)(sizeof(mv_qualifiers) / sizeof(mv_qualifiers[0])); i++)
		if (strlen(mv_qualifiers[i]) == len && memcmp(mv_qualifiers[i], q, len) == 0)
			return i;
	return MV_UNKNOWN_RANK;
}

static int mv_qualifier_compare(const struct mv_item *a, const struct mv_item *b)
{
	const char *qa, *qb = "";
	size_t la, lb = 0;
	mv_qualifier(a, &qa, &la);
	if (b)
		mv_qualifier(b, &qb, &lb);
	int ra = mv_rank(qa, la), rb = b ? mv_rank(qb, lb) : MV_RELEASE_RANK;
	if (ra != rb || ra != MV_UNKNOWN_RANK)
		return sign_of(ra - rb);
	int r = memcmp(qa, qb, la < lb ? la : lb);
	return r ? sign_of(r) : (la > lb) - (la < lb);
}

static bool mv_is_null(const struct mv_tree *t, int i)
{
	const struct mv_item *it = &t->item[i];
	switch (it->kind) {
	case MV_INT:
		return it->len == 0;
	case MV_STR:
		return mv_qualifier_compare(it, NULL) == 0;
	default:
		return it->first < 0;
	}
}

/* Drops trailing null items (0, "", empty lists), stepping back over lists only. */
static void mv_normalize(struct mv_tree *t, int list)
{
	int kids[MAVEN_MAX_ITEMS], n = 0;
	for (int c = t->item[list].first; c >= 0; c = t->item[c].next)
		kids[n++] = c;
	int keep = n;
	for (int i = n - 1; i >= 0; i--) {
		if (mv_is_null(t, kids[i])) {
			for (int j = i; j < keep - 1; j++)
				kids[j] = kids[j + 1];
			keep--;
		} else if (t->item[kids[i]].kind != MV_LIST) {
			break;
		}
	}
	t->item[list].first = keep ? kids[0] : -1;
	t->item[list].last = keep ? kids[keep - 1] : -1;
	for (int i = 0; i < keep; i++)
		t->item[kids[i]].next = i + 1 < keep ? kids[i + 1] : -1;
}

static int mv_add_word(struct mv_tree *t, int list, bool digits, const char *s, size_t len, bool before_digit)
{
	if (digits) {
		while (len && *s == '0') {
			s++;
			len--;
		}
		return mv_new(t, list, MV_INT, s, len);
	}
	if (before_digit && len == 1) {
		if (*s == 'a')
			s = "alpha", len = 5;
		else if (*s == 'b')
			s = "beta", len = 4;
		else if (*s == 'm')
			s = "milestone", len = 9;
	}
	return mv_new(t, list, MV_STR, s, len);
}

static bool mv_parse(const char *v, struct mv_tree *t)
{
	size_t len = strlen(v);
	if (len >= MAVEN_MAX_LEN)
		return false;
	for (size_t i = 0; i <= len; i++)
		t->text[i] = (char)tolower((unsigned char)v[i]);
	t->n = 1;
	t->item[0] = (struct mv_item){ MV_LIST, NULL, 0, -1, -1, -1 };
	int stack[MAVEN_MAX_ITEMS], depth = 0, list = 0;
	stack[depth++] = 0;
	bool digit = false;
	size_t start = 0;
	const char *s = t->text;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		int r = 0;
		if (c == '.' || c == '-') {
			r = i == start ? mv_new(t, list, MV_INT, "", 0) : mv_add_word(t, list, digit, s + start, i - start, false);
			start = i + 1;
			if (c == '-' && r >= 0)
				r = list = stack[depth++] = mv_new(t, list, MV_LIST, NULL, 0);
		} else if (isdigit((unsigned char)c)) {
			if (!digit && i > start) {
				r = mv_add_word(t, list, false, s + start, i - start, true);
				start = i;
				if (r >= 0)
					r = list = stack[depth++] = mv_new(t, list, MV_LIST, NULL, 0);
			}
			digit = true;
		} else {
			if (digit && i > start) {
				r = mv_add_word(t, list, true, s + start, i - start, false);
				start = i;
				if (r >= 0)
					r = list = stack[depth++] = mv_new(t, list, MV_LIST, NULL, 0);
			}
			digit = false;
		}
		if (r < 0)
			return false;
	}
	if (len > start && mv_add_word(t, list, digit, s + start, len - start, false) < 0)
		return false;
	while (depth)
		mv_normalize(t, stack[--depth]);
	return true;
}

static int mv_compare(const struct mv_tree *ta, int a, const struct mv_tree *tb, int b);

/* An item against nothing (the shorter list's missing end). */
static int mv_compare_null(const struct mv_tree *t, int i)
{
	const struct mv_item *it = &t->item[i];
	switch (it->kind) {
	case MV_INT:
		return it->len != 0;
	case MV_STR:
		return mv_qualifier_compare(it, NULL);
	default:
		return it->first < 0 ? 0 : mv_compare_null(t, it->first);
	}
}

static int mv_compare(const struct mv_tree *ta, int a, const struct mv_tree *tb, int b)
{
	const struct mv_item *x = &ta->item[a], *y = &tb->item[b];
	if (x->kind != y->kind) {
		/* numbers beat lists beat qualifiers */
		static const int weight[] = { [MV_INT] = 2, [MV_LIST] = 1, [MV_STR] = 0 };
		return sign_of(weight[x->kind] - weight[y->kind]);
	}
	if (x->kind == MV_INT)
		return digits_compare(x->text, x->len, y->text, y->len);
	if (x->kind == MV_STR)
		return mv_qualifier_compare(x, y);
	int l = x->first, r = y->first;
	while (l >= 0 || r >= 0) {
		int c = l < 0 ? -mv_compare_null(tb, r) : r < 0 ? mv_compare_null(ta, l) : mv_compare(ta, l, tb, r);
		if (c)
			return c;
		l = l < 0 ? -1 : ta->item[l].next;
		r = r < 0 ? -1 : tb->item[r].next;
	}
	return 0;
}

int maven_compare(const char *a, const char *b)
{
	struct mv_tree ta, tb;
	bool oka = mv_parse(a, &ta), okb = mv_parse(b, &tb);
	if (!oka || !okb)
		return oka != okb ? (oka ? 1 : -1) : sign_of(strcmp(a, b));
	return mv_compare(&ta, 0, &tb, 0);
}

bool maven_valid(const char *v)
{
	struct mv_tree t;
	if (!*v)
		return false;
	for (const char *p = v; *p; p++)
		if (isspace((unsigned char)*p) || iscntrl((unsigned char)*p))
			return false;
	return mv_parse(v, &t);
}
