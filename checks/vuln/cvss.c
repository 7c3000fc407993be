/* cvss.c: CVSS v3.0/v3.1 base scores from vector strings, and the severity names of scores. */
#include "cvss.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

enum { M_AV, M_AC, M_PR, M_UI, M_S, M_C, M_I, M_A, M_BASE_COUNT };

static const char *const base_names[M_BASE_COUNT] = { "AV", "AC", "PR", "UI", "S", "C", "I", "A" };
static const char *const base_values[M_BASE_COUNT] = { "NALP", "LH", "NLH", "NR", "UC", "HLN", "HLN", "HLN" };

/* Metrics that may follow the base metrics; their values are not checked here beyond being one letter. */
static const char *const other_names[] = { "E", "RL", "RC", "CR", "IR", "AR", "MAV", "MAC", "MPR", "MUI", "MS",
	"MC", "MI", "MA" };

/* (Written without libm: scores are small and positive.) */
static double min10(double x)
{
	return x < 10.0 ? x : 10.0;
}

/* CVSS v3.1 Appendix A: the smallest one-decimal number >= x, robust to floating-point error. */
static double roundup31(double x)
{
	long long i = (long long)(x * 100000.0 + 0.5);
	if (i % 10000 == 0)
		return (double)i / 100000.0;
	return (double)(i / 10000 + 1) / 10.0;
}

static double roundup30(double x)
{
	long long t = (long long)(x * 10.0);
	return (double)(t + ((double)t < x * 10.0)) / 10.0;
}

static int metric_index(const char *name, size_t len, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(names[i]) == len && memcmp(names[i], name, len) == 0)
			return (int)i;
	return -1;
}

int cvss3_base_score(const char *vector, double *score)
{
	bool v30;
	if (strncmp(vector, "CVSS:3.1/", 9) == 0)
		v30 = false;
	else if (strncmp(vector, "CVSS:3.0/", 9) == 0)
		v30 = true;
	else
		return -EINVAL;
	char val[M_BASE_COUNT] = { 0 };
	const char *p = vector + 9;
	while (*p) {
		const char *colon = strchr(p, ':');
		if (!colon || !colon[1] || (colon[2] && colon[2] != '/'))
			return -EINVAL;
		int m = metric_index(p, (size_t)(colon - p), base_names, M_BASE_COUNT);
		char v = colon[1];
		if (m >= 0) {
			if (val[m] || !strchr(base_values[m], v))
				return -EINVAL;
			val[m] = v;
		} else if (metric_index(p, (size_t)(colon - p), other_names,
					sizeof(other_names) / sizeof(other_names[0])) < 0) {
			return -EINVAL;
		}
		p = colon + 2 + (colon[2] == '/');
		if (colon[2] == '/' && !*p)
			return -EINVAL;
	}
	for (int m = 0; m < M_BASE_COUNT; m++)
		if (!val[m])
			return -EINVAL;

	bool changed = val[M_S] == 'C';
	double av = val[M_AV] == 'N' ? 0.85 : val[M_AV] == 'A' ? 0.62 : val[M_AV] == 'L' ? 0.55 : 0.2;
	double ac = val[M_AC] == 'L' ? 0.77 : 0.44;
	double pr = val[M_PR] == 'N' ? 0.85 : val[M_PR] == 'L' ? (changed ? 0.68 : 0.62) : (changed ? 0.5 : 0.27);
	double ui = val[M_UI] == 'N' ? 0.85 : 0.62;
	double cia[3];
	for (int i = 0; i < 3; i++) {
		char v = val[M_C + i];
		cia[i] = v == 'H' ? 0.56 : v == 'L' ? 0.22 : 0.0;
	}
	double iss = 1.0 - (1.0 - cia[0]) * (1.0 - cia[1]) * (1.0 - cia[2]);
	double p15 = 1.0;
	for (int i = 0; i < 15; i++)
		p15 *= iss - 0.02;
	double impact = changed ? 7.52 * (iss - 0.029) - 3.25 * p15 : 6.42 * iss;
	double exploitability = 8.22 * av * ac * pr * ui;
	double (*roundup)(double) = v30 ? roundup30 : roundup31;
	if (impact <= 0)
		*score = 0.0;
	else if (changed)
		*score = roundup(min10(1.08 * (impact + exploitability)));
	else
		*score = roundup(min10(impact + exploitability));
	return 0;
}

const char *cvss3_severity(double score)
{
	if (score >= 9.0)
		return "critical";
	if (score >= 7.0)
		return "high";
	if (score >= 4.0)
		return "medium";
	if (score > 0.0)
		return "low";
	return "none";
}

const char *severity_normalize(const char *word)
{
	static const struct {
		const char *word, *severity;
	} words[] = {
		{ "critical", "critical" }, { "high", "high" }, { "important", "high" }, { "moderate", "medium" },
		{ "medium", "medium" }, { "low", "low" }, { "negligible", "low" }, { "unimportant", "low" },
		{ "informational", "low" },
	};
	if (!word)
		return "unknown";
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strcasecmp(word, words[i].word) == 0)
			return words[i].severity;
	return "unknown";
}
