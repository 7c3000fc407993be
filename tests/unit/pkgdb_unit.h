/* pkgdb_unit.h: what the package inventory tests share: fixture files and look-ups in a package list. */
#pragma once
#include "unit.h"

#include "pkgdb/pkgdb.h"

/* A file of tests/fixtures/pkgdb. */
static inline char *pkgdb_fixture(const char *name, size_t *len)
{
	char rel[1024];
	snprintf(rel, sizeof(rel), "../pkgdb/%s", name);
	return fixture_text(rel, len);
}

/* The only package named name (fails the test when there is none or several). */
static inline const struct package *find_pkg(const struct package_list *l, const char *ecosystem, const char *name)
{
	const struct package *found = NULL;
	for (size_t i = 0; i < l->len; i++) {
		if (strcmp(l->items[i].name, name) != 0 || (ecosystem && strcmp(l->items[i].ecosystem, ecosystem) != 0))
			continue;
		if (found)
			fail_msg("package %s listed twice", name);
		found = &l->items[i];
	}
	if (!found)
		fail_msg("package %s (%s) not found", name, ecosystem ? ecosystem : "any");
	return found;
}

static inline bool has_pkg(const struct package_list *l, const char *name)
{
	for (size_t i = 0; i < l->len; i++)
		if (strcmp(l->items[i].name, name) == 0)
			return true;
	return false;
}

static inline void assert_pkg(const struct package *p, const char *ecosystem, const char *version,
			      const char *source_name, const char *source_version, const char *purl,
			      enum package_origin origin, enum version_scheme scheme)
{
	assert_string_equal(p->ecosystem, ecosystem);
	assert_string_equal(p->version, version);
	assert_string_equal(p->source_name, source_name);
	assert_string_equal(p->source_version, source_version);
	assert_string_equal(p->purl, purl);
	assert_int_equal(p->origin, origin);
	assert_int_equal(p->scheme, scheme);
}
