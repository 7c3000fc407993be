/* osv.c: one OSV advisory record read into the parts the matcher uses, with every count and size bounded. */
#include "osv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cvss.h"
#include "json.h"

#define SUMMARY_MAX 240

static void free_strv(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void range_free(struct osv_range *r)
{
	for (size_t j = 0; j < r->n_events; j++)
		free(r->events[j].version);
	free(r->events);
	memset(r, 0, sizeof(*r));
}

static void affected_free(struct osv_affected *a)
{
	free(a->ecosystem);
	free(a->name);
	for (size_t i = 0; i < a->n_ranges; i++)
		range_free(&a->ranges[i]);
	free(a->ranges);
	free_strv(a->versions, a->n_versions);
	memset(a, 0, sizeof(*a));
}

void osv_record_free(struct osv_record *r)
{
	if (!r)
		return;
	free(r->id);
	free(r->modified);
	free_strv(r->aliases, r->n_aliases);
	free(r->summary);
	for (size_t i = 0; i < r->n_affected; i++)
		affected_free(&r->affected[i]);
	free(r->affected);
	free(r->severity);
	free(r->cvss_vector);
	memset(r, 0, sizeof(*r));
}

/* A version or name usable as a key: non-empty, bounded, no control characters. */
static bool clean_string(const char *s)
{
	size_t n = 0;
	for (; s[n]; n++)
		if ((unsigned char)s[n] < 0x20 || s[n] == 0x7f)
			return false;
	return n > 0 && n <= OSV_MAX_VERSION_LEN;
}

/* Copies an array of strings (non-strings and unclean entries are an error). */
static int strv_from(yajl_val arr, size_t max, char ***out, size_t *n, const char *what, char *err, size_t errlen)
{
	size_t len = json_array_len(arr);
	*out = NULL;
	*n = 0;
	if (!len)
		return 0;
	if (len > max) {
		snprintf(err, errlen, "too many %s (%zu, at most %zu)", what, len, max);
		return -E2BIG;
	}
	char **v = calloc(len, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < len; i++) {
		const char *s = YAJL_GET_STRING(json_array_at(arr, i));
		if (!s || !clean_string(s)) {
			free_strv(v, i);
			snprintf(err, errlen, "%s[%zu] is not a usable string", what, i);
			return -EINVAL;
		}
		if (!(v[i] = strdup(s))) {
			free_strv(v, i);
			return -ENOMEM;
		}
	}
	*out = v;
	*n = len;
	return 0;
}

static int range_from(yajl_val jr, struct osv_range *r, bool *keep, char *err, size_t errlen)
{
	static const char *const kinds[] = { "introduced", "fixed", "last_affected", "limit" };
	const char *type = json_str(jr, "type");
	*keep = false;
	if (!type) {
		snprintf(err, errlen, "a range has no type");
		return -EINVAL;
	}
	if (strcmp(type, "SEMVER") == 0)
		r->type = OSV_RANGE_SEMVER;
	else if (strcmp(type, "ECOSYSTEM") == 0)
		r->type = OSV_RANGE_ECOSYSTEM;
	else
		return 0;       /* GIT and types from later schema versions */
	yajl_val events = json_get(jr, "events");
	size_t n = json_array_len(events);
	if (!n) {
		snprintf(err, errlen, "a %s range has no events", type);
		return -EINVAL;
	}
	if (n > OSV_MAX_EVENTS) {
		snprintf(err, errlen, "a range has %zu events (at most %d)", n, OSV_MAX_EVENTS);
		return -E2BIG;
	}
	if (!(r->events = calloc(n, sizeof(*r->events))))
		return -ENOMEM;
	bool introduced = false;
	for (size_t i = 0; i < n; i++) {
		yajl_val e = json_array_at(events, i);
		const char *v = NULL;
		size_t k;
		for (k = 0; k < 4 && !(v = json_str(e, kinds[k])); k++)
			;
		if (!v || !clean_string(v)) {
			snprintf(err, errlen, "range event %zu has no usable introduced/fixed/last_affected/limit version", i);
			return -EINVAL;
		}
		if (k == OSV_LIMIT && strcmp(v, "*") == 0)
			continue;   /* "no limit" */
		introduced |= k == OSV_INTRODUCED;
		struct osv_event *ev = &r->events[r->n_events++];
		ev->kind = (enum osv_event_kind)k;
		if (!(ev->version = strdup(v)))
			return -ENOMEM;
	}
	if (!introduced) {
		snprintf(err, errlen, "a %s range has no introduced event", type);
		return -EINVAL;
	}
	*keep = true;
	return 0;
}

static int affected_from(yajl_val ja, struct osv_affected *a, bool *keep, char *err, size_t errlen)
{
	*keep = false;
	const char *eco = json_str(ja, "package.ecosystem"), *name = json_str(ja, "package.name");
	if (!eco || !name)
		return 0;       /* affected entries may describe only commits (GIT ranges) */
	if (!clean_string(eco) || !clean_string(name)) {
		snprintf(err, errlen, "affected package ecosystem or name is empty or has control characters");
		return -EINVAL;
	}
	if (!(a->ecosystem = strdup(eco)) || !(a->name = strdup(name)))
		return -ENOMEM;
	yajl_val ranges = json_get(ja, "ranges");
	size_t n = json_array_len(ranges);
	if (n > OSV_MAX_RANGES) {
		snprintf(err, errlen, "%zu ranges for %s (at most %d)", n, name, OSV_MAX_RANGES);
		return -E2BIG;
	}
	if (n && !(a->ranges = calloc(n, sizeof(*a->ranges))))
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		struct osv_range *slot = &a->ranges[a->n_ranges++];   /* owned even if it fails half-way */
		bool keep_range;
		int r = range_from(json_array_at(ranges, i), slot, &keep_range, err, errlen);
		if (r < 0)
			return r;
		if (!keep_range) {
			range_free(slot);
			a->n_ranges--;
		}
	}
	int r = strv_from(json_get(ja, "versions"), OSV_MAX_VERSIONS, &a->versions, &a->n_versions, "versions",
			  err, errlen);
	if (r < 0)
		return r;
	*keep = a->n_ranges || a->n_versions;
	return 0;
}

/* The CVSS vectors in a severity[] array: the first valid v3 one wins; a v4 or v2 vector is kept otherwise. */
static int severity_from(yajl_val arr, struct osv_record *rec, char **other)
{
	for (size_t i = 0; i < json_array_len(arr); i++) {
		yajl_val s = json_array_at(arr, i);
		const char *type = json_str(s, "type"), *score = json_str(s, "score");
		if (!type || !score)
			continue;
		double v;
		if (strcmp(type, "CVSS_V3") == 0 && rec->cvss_score < 0 && cvss3_base_score(score, &v) == 0) {
			free(rec->cvss_vector);
			if (!(rec->cvss_vector = strdup(score)))
				return -ENOMEM;
			rec->cvss_score = v;
		} else if ((strcmp(type, "CVSS_V4") == 0 || strcmp(type, "CVSS_V2") == 0) && !*other &&
			   clean_string(score)) {
			if (!(*other = strdup(score)))
				return -ENOMEM;
		}
	}
	return 0;
}

/* summary, else the first line of details, cut at a character boundary. */
static char *summary_from(yajl_val doc)
{
	const char *s = json_str(doc, "summary");
	if (!s || !*s)
		s = json_str(doc, "details");
	if (!s)
		return strdup("");
	while (*s == '\n' || *s == ' ')
		s++;
	size_t n = strcspn(s, "\n");
	if (n > SUMMARY_MAX) {
		n = SUMMARY_MAX;
		while (n && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	return strndup(s, n);
}

static int parse_doc(yajl_val doc, struct osv_record *rec, char *err, size_t errlen)
{
	const char *id = json_str(doc, "id");
	if (!YAJL_IS_OBJECT(doc)) {
		snprintf(err, errlen, "not a JSON object");
		return -EINVAL;
	}
	if (!id || !clean_string(id)) {
		snprintf(err, errlen, "no usable \"id\"");
		return -EINVAL;
	}
	if (!(rec->id = strdup(id)) || !(rec->modified = json_strdup(doc, "modified")) ||
	    !(rec->summary = summary_from(doc)))
		return -ENOMEM;
	rec->withdrawn = json_str(doc, "withdrawn") != NULL;
	int r = strv_from(json_get(doc, "aliases"), OSV_MAX_ALIASES, &rec->aliases, &rec->n_aliases, "aliases",
			  err, errlen);
	if (r < 0)
		return r;

	yajl_val affected = json_get(doc, "affected");
	size_t n = json_array_len(affected);
	if (n > OSV_MAX_AFFECTED) {
		snprintf(err, errlen, "%zu affected entries (at most %d)", n, OSV_MAX_AFFECTED);
		return -E2BIG;
	}
	if (n && !(rec->affected = calloc(n, sizeof(*rec->affected))))
		return -ENOMEM;
	char *other_vector = NULL;
	const char *vendor_severity = json_str(doc, "database_specific.severity");
	rec->cvss_score = -1;
	r = severity_from(json_get(doc, "severity"), rec, &other_vector);
	for (size_t i = 0; i < n && r == 0; i++) {
		yajl_val ja = json_array_at(affected, i);
		bool keep;
		r = affected_from(ja, &rec->affected[rec->n_affected], &keep, err, errlen);
		rec->n_affected++;     /* owned from here on, kept or not */
		if (r == 0 && !keep)
			affected_free(&rec->affected[--rec->n_affected]);
		if (r == 0)
			r = severity_from(json_get(ja, "severity"), rec, &other_vector);
		/* RustSec keeps its v3 vector in database_specific.cvss */
		const char *cvss = json_str(ja, "database_specific.cvss");
		double v;
		if (r == 0 && cvss && rec->cvss_score < 0 && cvss3_base_score(cvss, &v) == 0) {
			free(rec->cvss_vector);
			if (!(rec->cvss_vector = strdup(cvss)))
				r = -ENOMEM;
			rec->cvss_score = v;
		}
		if (!vendor_severity)
			vendor_severity = json_str(ja, "ecosystem_specific.severity");
		if (!vendor_severity)
			vendor_severity = json_str(ja, "database_specific.severity");
	}
	if (r == 0 && !rec->cvss_vector) {
		rec->cvss_vector = other_vector ? other_vector : strdup("");
		other_vector = NULL;
		if (!rec->cvss_vector)
			r = -ENOMEM;
	}
	free(other_vector);
	if (r < 0)
		return r;
	/* the five names of the matcher's contract: a 0.0 score ("none" in CVSS) is reported as low */
	const char *sev = rec->cvss_score >= 0 ? cvss3_severity(rec->cvss_score) : severity_normalize(vendor_severity);
	rec->severity = strdup(strcmp(sev, "none") == 0 ? "low" : sev);
	return rec->severity ? 0 : -ENOMEM;
}

int osv_parse(const char *text, size_t len, struct osv_record *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	if (len > OSV_MAX_RECORD_BYTES) {
		snprintf(err, errlen, "record of %zu bytes (at most %zu)", len, OSV_MAX_RECORD_BYTES);
		return -E2BIG;
	}
	yajl_val doc = NULL;
	int r = json_parse(text, len, &doc, err, errlen);
	if (r < 0)
		return r;
	r = parse_doc(doc, out, err, errlen);
	if (r == -ENOMEM)
		snprintf(err, errlen, "out of memory");
	yajl_tree_free(doc);
	if (r < 0)
		osv_record_free(out);
	return r;
}
