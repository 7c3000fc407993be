/* finding.c: stable ids, evidence hashes and names of findings. */
#include "daemon/finding.h"

#include <stdio.h>
#include <string.h>

uint64_t fnv1a(uint64_t h, const void *data, size_t len)
{
	const unsigned char *p = data;
	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* Each field is hashed with its length so that ("ab","c") != ("a","bc"). */
static uint64_t hash_field(uint64_t h, const char *s)
{
	uint64_t n = s ? strlen(s) : UINT64_MAX;
	h = fnv1a(h, &n, sizeof(n));
	return s ? fnv1a(h, s, strlen(s)) : h;
}

void finding_id(const char *host_id, const struct finding *f, char out[FINDING_ID_LEN + 1])
{
	uint64_t h[2] = { FNV1A_INIT, FNV1A_INIT ^ 0x5bd1e9955bd1e995ULL };
	for (int i = 0; i < 2; i++) {
		h[i] = hash_field(h[i], host_id);
		h[i] = hash_field(h[i], finding_class_name(f->cls));
		h[i] = hash_field(h[i], f->rule_id);
		h[i] = hash_field(h[i], finding_object_name(f->object_type));
		h[i] = hash_field(h[i], f->object_id);
		/* a vulnerability is per package too: one advisory can hit two */
		if (f->cls == FINDING_VULNERABILITY)
			h[i] = hash_field(h[i], f->package_name);
	}
	snprintf(out, FINDING_ID_LEN + 1, "%016llx%016llx", (unsigned long long)h[0], (unsigned long long)h[1]);
}

uint64_t finding_evidence_hash(const struct finding *f)
{
	uint64_t h = FNV1A_INIT;
	int sev = f->severity;
	h = fnv1a(h, &sev, sizeof(sev));
	h = hash_field(h, f->evidence);
	h = hash_field(h, f->package_version);
	h = hash_field(h, f->fixed_version);
	h = hash_field(h, f->object_name);
	return h;
}

static const char *const class_names[] = { "compliance", "vulnerability", "detection" };
static const char *const object_names[] = { "host", "container", "image", "file" };

const char *finding_class_name(enum finding_class c)
{
	return (unsigned)c < 3 ? class_names[c] : "unknown";
}

const char *finding_object_name(enum finding_object o)
{
	return (unsigned)o < 4 ? object_names[o] : "unknown";
}

const char *finding_severity_name(int sev)
{
	static const char *const names[] = { "Unknown", "Informational", "Low", "Medium", "High", "Critical" };
	return sev >= 0 && sev <= 5 ? names[sev] : "Unknown";
}

static int lookup(const char *s, const char *const *names, int n)
{
	for (int i = 0; i < n; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	return -1;
}

int finding_class_parse(const char *s) { return lookup(s, class_names, 3); }
int finding_object_parse(const char *s) { return lookup(s, object_names, 4); }
