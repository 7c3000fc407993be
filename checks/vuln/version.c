/* version.c: version comparison dispatched by scheme, and the scheme of each OSV ecosystem. */
#include "version.h"

#include <string.h>
#include <strings.h>

#include "version_internal.h"

int digits_compare(const char *a, size_t alen, const char *b, size_t blen)
{
	while (alen && *a == '0') {
		a++;
		alen--;
	}
	while (blen && *b == '0') {
		b++;
		blen--;
	}
	if (alen != blen)
		return alen < blen ? -1 : 1;
	return alen ? sign_of(memcmp(a, b, alen)) : 0;
}

int version_compare(enum version_scheme s, const char *a, const char *b)
{
	switch (s) {
	case VERSION_DPKG:
		return dpkg_compare(a, b);
	case VERSION_APK:
		return apk_compare(a, b, false);
	case VERSION_RPM:
		return rpm_compare(a, b);
	case VERSION_PEP440:
		return pep440_compare(a, b);
	case VERSION_SEMVER:
		return semver_compare(a, b);
	case VERSION_GO:
		return go_compare(a, b);
	case VERSION_MAVEN:
		return maven_compare(a, b);
	default:
		return sign_of(strcmp(a, b));
	}
}

bool version_valid(enum version_scheme s, const char *v)
{
	switch (s) {
	case VERSION_DPKG:
		return dpkg_valid(v);
	case VERSION_APK:
		return apk_valid(v);
	case VERSION_RPM:
		return rpm_valid(v);
	case VERSION_PEP440:
		return pep440_valid(v);
	case VERSION_SEMVER:
		return semver_valid(v);
	case VERSION_GO:
		return go_valid(v);
	case VERSION_MAVEN:
		return maven_valid(v);
	default:
		return false;
	}
}

bool version_apk_match(const char *a, const char *op, const char *b)
{
	bool negate = *op == '!';
	if (negate)
		op++;
	bool less = false, equal = false, greater = false, fuzzy = false;
	if (!*op)
		return false;
	for (; *op; op++) {
		switch (*op) {
		case '<':
			less = true;
			break;
		case '>':
			greater = true;
			break;
		case '=':
			equal = true;
			break;
		case '~':
			fuzzy = equal = true;
			break;
		default:
			return false;
		}
	}
	int r = apk_compare(a, b, fuzzy);
	bool ok = (r < 0 && less) || (r == 0 && equal) || (r > 0 && greater);
	return ok != negate;
}

static const struct {
	const char *prefix;
	enum version_scheme scheme;
} ecosystem_schemes[] = {
	{ "Debian", VERSION_DPKG },
	{ "Ubuntu", VERSION_DPKG },
	{ "Alpine", VERSION_APK },
	{ "Wolfi", VERSION_APK },
	{ "Chainguard", VERSION_APK },
	{ "Red Hat", VERSION_RPM },
	{ "AlmaLinux", VERSION_RPM },
	{ "Rocky Linux", VERSION_RPM },
	{ "openSUSE", VERSION_RPM },
	{ "SUSE", VERSION_RPM },
	{ "Mageia", VERSION_RPM },
	{ "Photon OS", VERSION_RPM },
	{ "PyPI", VERSION_PEP440 },
	{ "npm", VERSION_SEMVER },
	{ "crates.io", VERSION_SEMVER },
	{ "Go", VERSION_GO },
	{ "Maven", VERSION_MAVEN },
};

int version_scheme_for_ecosystem(const char *ecosystem)
{
	size_t n = strcspn(ecosystem, ":");
	for (size_t i = 0; i < sizeof(ecosystem_schemes) / sizeof(ecosystem_schemes[0]); i++)
		if (strlen(ecosystem_schemes[i].prefix) == n && strncmp(ecosystem, ecosystem_schemes[i].prefix, n) == 0)
			return (int)ecosystem_schemes[i].scheme;
	return -1;
}

const char *version_scheme_name(enum version_scheme s)
{
	static const char *const names[] = { "dpkg", "apk", "rpm", "pep440", "semver", "go", "maven" };
	return (unsigned)s < VERSION_SCHEME_COUNT ? names[s] : "unknown";
}
