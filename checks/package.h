/* package.h: one installed package as the image scanner finds it and the vulnerability matcher reads it. */
#pragma once
#include <stdint.h>

/* Version schemes: how two versions of a package compare. */
enum version_scheme {
	VERSION_DPKG,           /* Debian, Ubuntu: epoch:upstream-revision, '~' sorts first */
	VERSION_APK,            /* Alpine */
	VERSION_RPM,            /* rpmvercmp with '~' and '^', epoch:version-release */
	VERSION_PEP440,         /* PyPI */
	VERSION_SEMVER,         /* npm, crates.io, and OSV "SEMVER" ranges */
	VERSION_GO,             /* Go modules: semver with a 'v', pseudo-versions, +incompatible */
	VERSION_MAVEN,          /* Maven ComparableVersion */
	VERSION_SCHEME_COUNT,
};

/* Where a package came from, which decides which advisories apply to it:
 * packages of the OS package manager are matched only against the OS's
 * advisories (distributions backport fixes without changing upstream versions). */
enum package_origin {
	PKG_ORIGIN_OS,          /* dpkg, apk, rpm database */
	PKG_ORIGIN_LANGUAGE,    /* PyPI, npm, Go binary, Java archive found in the image */
};

struct package {
	char *ecosystem;        /* OSV ecosystem with release: "Debian:12", "Alpine:v3.19", "PyPI", "npm", "Go", "Maven", "crates.io" */
	char *name;             /* binary package name (dpkg/rpm/apk) or module name */
	char *version;
	char *source_name;      /* dpkg/rpm source package (advisories are keyed by it); "" = same as name */
	char *source_version;   /* "" = same as version */
	char *location;         /* file in the image that declared it, e.g. /var/lib/dpkg/status */
	char *purl;             /* package URL for SBOMs */
	enum package_origin origin;
	enum version_scheme scheme;
};

void package_free(struct package *p);
