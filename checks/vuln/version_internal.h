/* version_internal.h: the per-scheme comparators behind version.h, and helpers they share. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

/* Compares two runs of decimal digits as numbers of any length. */
int digits_compare(const char *a, size_t alen, const char *b, size_t blen);
static inline int sign_of(int v)
{
	return (v > 0) - (v < 0);
}

int dpkg_compare(const char *a, const char *b);
bool dpkg_valid(const char *v);
int apk_compare(const char *a, const char *b, bool fuzzy);
bool apk_valid(const char *v);
int rpm_compare(const char *a, const char *b);
bool rpm_valid(const char *v);
int pep440_compare(const char *a, const char *b);
bool pep440_valid(const char *v);
int semver_compare(const char *a, const char *b);
bool semver_valid(const char *v);
int go_compare(const char *a, const char *b);
bool go_valid(const char *v);
int maven_compare(const char *a, const char *b);
bool maven_valid(const char *v);
