/* version_apk.c: Alpine apk version order and validity: digit{.digit}...{letter}{_suffix{#}}...{~hash}{-r#}. */
#include <string.h>

#include "version_internal.h"

/* Kinds in grammar order: a token may only follow one of a lower kind
 * (with the exceptions spelled out in next_token), and at the end of the
 * common prefix the version whose next token has the higher kind is older. */
enum apk_kind {
	APK_FIRST_DIGITS,
	APK_DIGITS,
	APK_LETTER,
	APK_SUFFIX,
	APK_SUFFIX_NUMBER,
	APK_HASH,
	APK_REVISION,
	APK_END,
	APK_INVALID,
};

/* Suffix ranks: pre-releases below APK_SUFFIX_NONE, post-releases above. */
static const char *const apk_suffixes[] = { "", "alpha", "beta", "pre", "rc", "", "cvs", "svn", "git", "hg", "p" };
#define APK_SUFFIX_NONE 5

struct apk_token {
	enum apk_kind kind;
	int suffix;
	const char *text;
	size_t len;
};

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_lower(char c)
{
	return c >= 'a' && c <= 'z';
}

static bool is_hex(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f');
}

static size_t span(const char *s, bool (*pred)(char))
{
	size_t n = 0;
	while (s[n] && pred(s[n]))
		n++;
	return n;
}

/* Reads a digit run at *p into t (invalid when there is none). */
static void take_digits(struct apk_token *t, const char **p, enum apk_kind kind)
{
	t->text = *p;
	t->len = span(*p, is_digit);
	*p += t->len;
	t->kind = t->len ? kind : APK_INVALID;
}

static int suffix_rank(const char *s, size_t n)
{
	for (int i = 1; i < (int)(sizeof(apk_suffixes) / sizeof(apk_suffixes[0])); i++)
		if (i != APK_SUFFIX_NONE && strlen(apk_suffixes[i]) == n && memcmp(apk_suffixes[i], s, n) == 0)
			return i;
	return 0;
}

static void next_token(struct apk_token *t, const char **p)
{
	const char *s = *p;
	enum apk_kind prev = t->kind;
	if (!*s) {
		t->kind = APK_END;
		return;
	}
	t->kind = APK_INVALID;
	if (is_lower(*s)) {
		if (prev > APK_DIGITS)
			return;
		t->kind = APK_LETTER;
		t->text = s;
		t->len = 1;
		*p = s + 1;
	} else if (*s == '.') {
		if (prev > APK_DIGITS)
			return;
		*p = s + 1;
		take_digits(t, p, APK_DIGITS);
	} else if (is_digit(*s)) {
		if (prev == APK_SUFFIX)
			take_digits(t, p, APK_SUFFIX_NUMBER);
	} else if (*s == '_') {
		if (prev > APK_SUFFIX_NUMBER)
			return;
		t->text = s + 1;
		t->len = span(s + 1, is_lower);
		t->suffix = suffix_rank(t->text, t->len);
		if (!t->suffix)
			return;
		t->kind = APK_SUFFIX;
		*p = s + 1 + t->len;
	} else if (*s == '~') {
		if (prev >= APK_HASH)
			return;
		t->text = s + 1;
		t->len = span(s + 1, is_hex);
		if (!t->len)
			return;
		t->kind = APK_HASH;
		*p = s + 1 + t->len;
	} else if (*s == '-') {
		if (prev >= APK_REVISION || s[1] != 'r')
			return;
		*p = s + 2;
		take_digits(t, p, APK_REVISION);
	}
}

static int bytes_compare(const struct apk_token *a, const struct apk_token *b)
{
	size_t n = a->len < b->len ? a->len : b->len;
	int r = memcmp(a->text, b->text, n);
	if (r)
		return sign_of(r);
	return a->len < b->len ? -1 : a->len > b->len;
}

static int token_compare(const struct apk_token *a, const struct apk_token *b)
{
	switch (a->kind) {
	case APK_DIGITS:
		/* a component with a leading zero compares as text (Gentoo rule) */
		if (a->text[0] == '0' || b->text[0] == '0')
			return bytes_compare(a, b);
		/* fallthrough */
	case APK_FIRST_DIGITS:
	case APK_SUFFIX_NUMBER:
	case APK_REVISION:
		return digits_compare(a->text, a->len, b->text, b->len);
	case APK_LETTER:
		return sign_of((unsigned char)a->text[0] - (unsigned char)b->text[0]);
	case APK_SUFFIX:
		return sign_of(a->suffix - b->suffix);
	default:
		return bytes_compare(a, b);
	}
}

int apk_compare(const char *a, const char *b, bool fuzzy)
{
	struct apk_token ta = { 0 }, tb = { 0 };
	take_digits(&ta, &a, APK_FIRST_DIGITS);
	take_digits(&tb, &b, APK_FIRST_DIGITS);
	while (ta.kind == tb.kind && ta.kind < APK_END) {
		int r = token_compare(&ta, &tb);
		if (r)
			return r;
		next_token(&ta, &a);
		next_token(&tb, &b);
	}
	if (ta.kind == tb.kind || (fuzzy && tb.kind == APK_END))
		return 0;
	/* equal so far: the longer version is newer unless it goes on with a pre-release suffix */
	if (ta.kind == APK_SUFFIX && ta.suffix < APK_SUFFIX_NONE)
		return -1;
	if (tb.kind == APK_SUFFIX && tb.suffix < APK_SUFFIX_NONE)
		return 1;
	return ta.kind > tb.kind ? -1 : 1;
}

bool apk_valid(const char *v)
{
	struct apk_token t = { 0 };
	for (take_digits(&t, &v, APK_FIRST_DIGITS); t.kind < APK_END; next_token(&t, &v))
		;
	return t.kind == APK_END;
}
