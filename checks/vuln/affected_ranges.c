/* affected_ranges.c: an OSV affected entry's ranges and versions as stored in the database, and whether a version falls in them. */
#include "affected_ranges.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "version.h"

int affected_ranges_encode(const struct osv_affected *a, struct buf *out)
{
	static const char kind_char[] = { [OSV_INTRODUCED] = 'i', [OSV_FIXED] = 'f', [OSV_LAST_AFFECTED] = 'l',
					  [OSV_LIMIT] = 'm' };
	int r = 0;
	for (size_t i = 0; i < a->n_ranges && r == 0; i++) {
		const struct osv_range *rg = &a->ranges[i];
		r = buf_printf(out, "%c\n", rg->type == OSV_RANGE_SEMVER ? 'S' : 'E');
		for (size_t j = 0; j < rg->n_events && r == 0; j++)
			r = buf_printf(out, "%c%s\n", kind_char[rg->events[j].kind], rg->events[j].version);
	}
	for (size_t i = 0; i < a->n_versions && r == 0; i++)
		r = buf_printf(out, "v%s\n", a->versions[i]);
	return r;
}

struct line {
	char tag;
	const char *text;       /* not terminated: len bytes */
	size_t len;
};

static bool next_line(const char **p, struct line *l)
{
	if (!**p)
		return false;
	const char *nl = strchr(*p, '\n');
	size_t n = nl ? (size_t)(nl - *p) : strlen(*p);
	l->tag = **p;
	l->text = *p + 1;
	l->len = n ? n - 1 : 0;
	*p += n + (nl != NULL);
	return true;
}

/* Compares the installed version with an event version (not terminated). */
static int cmp_event(enum version_scheme s, const char *installed, const struct line *ev)
{
	char v[OSV_MAX_VERSION_LEN + 1];
	size_t n = ev->len < OSV_MAX_VERSION_LEN ? ev->len : OSV_MAX_VERSION_LEN;
	memcpy(v, ev->text, n);
	v[n] = '\0';
	return version_compare(s, installed, v);
}

static int cmp_events(enum version_scheme s, const struct line *a, const struct line *b)
{
	char va[OSV_MAX_VERSION_LEN + 1];
	size_t n = a->len < OSV_MAX_VERSION_LEN ? a->len : OSV_MAX_VERSION_LEN;
	memcpy(va, a->text, n);
	va[n] = '\0';
	return cmp_event(s, va, b);
}

/* The leading number of a version (after one 'v'), NULL when it has none or
 * has an epoch (':' or '!') that could make different leading numbers equal. */
static const char *leading_number(const char *s, size_t len, size_t *n)
{
	if (memchr(s, ':', len) || memchr(s, '!', len))
		return NULL;
	if (len && (*s == 'v' || *s == 'V')) {
		s++;
		len--;
	}
	while (len > 1 && *s == '0' && s[1] >= '0' && s[1] <= '9') {
		s++;
		len--;
	}
	for (*n = 0; *n < len && s[*n] >= '0' && s[*n] <= '9'; (*n)++)
		;
	return *n ? s : NULL;
}

/* Whether a listed version may equal the installed one in the scheme: a
 * cheap test first (in every scheme here, versions that both start with
 * different numbers differ), the scheme's comparison only when it passes. */
static bool listed_equal(enum version_scheme s, const char *installed, const struct line *l)
{
	if (strlen(installed) == l->len && memcmp(installed, l->text, l->len) == 0)
		return true;
	size_t na, nb;
	const char *a = leading_number(installed, strlen(installed), &na), *b = leading_number(l->text, l->len, &nb);
	if (a && b && (na != nb || memcmp(a, b, na) != 0))
		return false;
	return l->len && cmp_event(s, installed, l) == 0;
}

static bool is_zero(const struct line *l)
{
	return l->len == 1 && l->text[0] == '0';
}

/* One range: the lines after its opening line up to the next range or list entry. */
struct range_eval {
	bool seen;              /* some event fired */
	struct line decider;    /* the firing event with the greatest version */
	bool any_limit, below_limit;
	struct line fixed;      /* smallest fixed version above the installed one */
	bool has_fixed;
};

static void range_event(struct range_eval *e, enum version_scheme s, const char *installed, const struct line *ev)
{
	int c = is_zero(ev) && ev->tag == 'i' ? 1 : cmp_event(s, installed, ev);
	switch (ev->tag) {
	case 'm':
		e->any_limit = true;
		e->below_limit |= c < 0;
		return;
	case 'f':
		if (c < 0 && (!e->has_fixed || cmp_events(s, ev, &e->fixed) < 0)) {
			e->fixed = *ev;
			e->has_fixed = true;
		}
		break;
	case 'i':
	case 'l':
		break;
	default:
		return;
	}
	bool fires = ev->tag == 'l' ? c > 0 : c >= 0;
	if (!fires)
		return;
	if (e->seen) {
		/* the later of the two in version order decides; at equal versions a fix or last_affected wins */
		int order = is_zero(ev) && ev->tag == 'i' ? -1
			    : is_zero(&e->decider) && e->decider.tag == 'i' ? 1 : cmp_events(s, ev, &e->decider);
		if (order < 0 || (order == 0 && ev->tag == 'i'))
			return;
	}
	e->decider = *ev;
	e->seen = true;
}

static bool range_affected(const struct range_eval *e)
{
	return e->seen && e->decider.tag == 'i' && (!e->any_limit || e->below_limit);
}

/* Keeps in *best the smallest of the fixes offered. */
static void offer_fix(enum version_scheme s, const struct range_eval *e, struct line *best, bool *have)
{
	if (e->has_fixed && (!*have || cmp_events(s, &e->fixed, best) < 0)) {
		*best = e->fixed;
		*have = true;
	}
}

int affected_ranges_match(const char *encoded, enum version_scheme eco_scheme, const char *version, char **fixed)
{
	enum version_scheme semver_scheme = eco_scheme == VERSION_GO ? VERSION_GO : VERSION_SEMVER;
	bool valid_eco = version_valid(eco_scheme, version), valid_semver = version_valid(semver_scheme, version);
	*fixed = NULL;

	bool affected = false, listed = false, have_fix = false, have_any_fix = false;
	struct line fix = { 0 }, any_fix = { 0 }, l;
	struct range_eval e = { 0 };
	enum version_scheme s = eco_scheme;
	bool in_range = false, usable = false;
	const char *p = encoded;
	for (bool more = true; more;) {
		more = next_line(&p, &l);
		if (!more || l.tag == 'S' || l.tag == 'E' || l.tag == 'v') {
			if (in_range && usable) {
				if (range_affected(&e)) {
					affected = true;
					offer_fix(s, &e, &fix, &have_fix);
				}
				offer_fix(s, &e, &any_fix, &have_any_fix);
			}
			in_range = false;
		}
		if (!more)
			break;
		if (l.tag == 'S' || l.tag == 'E') {
			s = l.tag == 'S' ? semver_scheme : eco_scheme;
			usable = l.tag == 'S' ? valid_semver : valid_eco;
			memset(&e, 0, sizeof(e));
			in_range = true;
		} else if (l.tag == 'v' && !listed) {
			listed = valid_eco ? listed_equal(eco_scheme, version, &l)
					   : strlen(version) == l.len && memcmp(version, l.text, l.len) == 0;
		} else if (in_range && usable) {
			range_event(&e, s, version, &l);
		}
	}
	if (!affected && !listed)
		return 0;
	/* listed only: the fix is the smallest one above the installed version in any range */
	const struct line *f = affected ? (have_fix ? &fix : NULL) : (have_any_fix ? &any_fix : NULL);
	*fixed = f ? strndup(f->text, f->len) : strdup("");
	return *fixed ? 1 : -ENOMEM;
}
