/* outcome.c: building a primitive's answer: verdict, reason, offenders and evidence. */
#include "audit/primitive.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *audit_verdict_name(enum audit_verdict v)
{
	static const char *const names[AUDIT_N_VERDICTS] = {
		"pass", "fail", "manual", "not-applicable", "not-evaluated", "waived",
	};
	return (unsigned)v < AUDIT_N_VERDICTS ? names[v] : "unknown";
}

void audit_item_free(struct audit_item *it)
{
	if (!it)
		return;
	free(it->kind);
	free(it->id);
	free(it->name);
	free(it->detail);
	memset(it, 0, sizeof(*it));
}

__attribute__((format(printf, 6, 0)))
static int item_add(struct audit_item **items, size_t *n, const char *kind, const char *id,
		    const char *name, const char *fmt, va_list ap)
{
	if (*n >= AUDIT_MAX_ITEMS)
		return -E2BIG;
	struct audit_item *grown = realloc(*items, (*n + 1) * sizeof(**items));
	if (!grown)
		return -ENOMEM;
	*items = grown;
	struct audit_item *it = &grown[*n];
	memset(it, 0, sizeof(*it));
	it->kind = strdup(kind ? kind : "");
	it->id = strdup(id ? id : "");
	it->name = strdup(name ? name : "");
	if (fmt && vasprintf(&it->detail, fmt, ap) < 0)
		it->detail = NULL;
	else if (!fmt)
		it->detail = strdup("");
	if (!it->kind || !it->id || !it->name || !it->detail) {
		audit_item_free(it);
		return -ENOMEM;
	}
	(*n)++;
	return 0;
}

int audit_offender_add(struct audit_outcome *o, const char *kind, const char *id, const char *name,
		       const char *detail_fmt, ...)
{
	va_list ap;
	va_start(ap, detail_fmt);
	int r = item_add(&o->offenders, &o->n_offenders, kind, id, name, detail_fmt, ap);
	va_end(ap);
	return r;
}

int audit_evidence_add(struct audit_outcome *o, const char *kind, const char *id, const char *name,
		       const char *detail_fmt, ...)
{
	va_list ap;
	va_start(ap, detail_fmt);
	int r = item_add(&o->evidence, &o->n_evidence, kind, id, name, detail_fmt, ap);
	va_end(ap);
	return r;
}

void audit_outcome_set(struct audit_outcome *o, enum audit_verdict v, const char *reason_fmt, ...)
{
	o->verdict = v;
	o->reason[0] = '\0';
	if (!reason_fmt)
		return;
	va_list ap;
	va_start(ap, reason_fmt);
	vsnprintf(o->reason, sizeof(o->reason), reason_fmt, ap);
	va_end(ap);
}

void audit_outcome_free(struct audit_outcome *o)
{
	if (!o)
		return;
	for (size_t i = 0; i < o->n_offenders; i++)
		audit_item_free(&o->offenders[i]);
	for (size_t i = 0; i < o->n_evidence; i++)
		audit_item_free(&o->evidence[i]);
	free(o->offenders);
	free(o->evidence);
	o->offenders = o->evidence = NULL;
	o->n_offenders = o->n_evidence = 0;
}
