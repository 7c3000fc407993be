/* version.h: ordering and validity of package versions in each ecosystem's own scheme. */
#pragma once
#include <stdbool.h>

#include "package.h"

/* Returns <0, 0 or >0 as a sorts before, equal to or after b in scheme s.
 * Versions the scheme rejects still get a total, deterministic order (for
 * SemVer and Go: invalid sorts before every valid version, as Go does);
 * callers that need to know check version_valid first. */
int version_compare(enum version_scheme s, const char *a, const char *b);
bool version_valid(enum version_scheme s, const char *v);

/* apk's dependency operators over versions: "<", "<=", "=", ">=", ">",
 * "~" (fuzzy: a matches the leading components of b), "<~", ">~", and
 * any of them prefixed by "!" (negated). Unknown operators give false. */
bool version_apk_match(const char *a, const char *op, const char *b);

/* The scheme an OSV ecosystem name compares versions in, from its prefix
 * before ':' ("Debian:12" is dpkg, "Alpine:v3.19" apk, "PyPI" PEP 440);
 * -1 for ecosystems without a scheme here. */
int version_scheme_for_ecosystem(const char *ecosystem);
const char *version_scheme_name(enum version_scheme s);
