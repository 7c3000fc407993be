/* affected_ranges.h: an OSV affected entry's ranges and versions as stored in the database, and whether a version falls in them. */
#pragma once
#include <stdbool.h>

#include "buf.h"
#include "osv.h"
#include "package.h"

/* The stored text: one item per line. "S" or "E" opens a SEMVER or ECOSYSTEM
 * range; "i", "f", "l", "m" followed by a version are its introduced, fixed,
 * last_affected and limit events; "v" followed by a version is an explicitly
 * listed affected version. (OSV versions never hold control characters.) */
int affected_ranges_encode(const struct osv_affected *a, struct buf *out);

/* Whether version is affected by the encoded ranges, evaluated as the OSV
 * schema defines: per range, the event with the greatest version at or below
 * the installed one decides (introduced: affected; fixed: not; last_affected:
 * not when above it), "limit" bounds the range from above, and a listed
 * version is affected. ECOSYSTEM ranges compare in scheme (the
 * ecosystem's, see version_scheme_for_ecosystem), SEMVER ranges in SemVer
 * (Go's rules when scheme is VERSION_GO). A version the scheme cannot
 * read matches listed versions only.
 * Returns 1 (affected; *fixed is the smallest fixed version above the
 * installed one, "" when there is none), 0 (not affected; *fixed NULL) or
 * -ENOMEM. The caller frees *fixed. */
int affected_ranges_match(const char *encoded, enum version_scheme scheme, const char *version, char **fixed);
