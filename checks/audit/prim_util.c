/* prim_util.c: helpers the primitives share: walking the containers and images in scope, reading parameters. */
#include "audit/prim_util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool container_is_running(const struct docker_container *ct)
{
	return strcmp(ct->state, "running") == 0 || strcmp(ct->state, "paused") == 0 ||
	       strcmp(ct->state, "restarting") == 0;
}

bool container_selected(const struct audit_check *c, size_t i, bool running_only)
{
	if (c->container_in_scope && !c->container_in_scope[i])
		return false;
	return !running_only || container_is_running(&c->snap->containers[i]);
}

size_t containers_selected(const struct audit_check *c, bool running_only)
{
	size_t n = 0;
	for (size_t i = 0; i < c->snap->n_containers; i++)
		n += container_selected(c, i, running_only);
	return n;
}

const char *image_display(const struct docker_image *img)
{
	if (img->n_repo_tags && strcmp(img->repo_tags[0], "<none>:<none>") != 0)
		return img->repo_tags[0];
	return img->id;
}

__attribute__((format(printf, 4, 0)))
static int container_item(struct audit_outcome *o, bool offender, const struct docker_container *ct,
			  const char *fmt, va_list ap)
{
	char *detail = NULL;
	if (vasprintf(&detail, fmt, ap) < 0)
		return -ENOMEM;
	int r = offender ? audit_offender_add(o, "container", ct->id, ct->name, "%s", detail)
			 : audit_evidence_add(o, "container", ct->id, ct->name, "%s", detail);
	free(detail);
	return r;
}

int offender_container(struct audit_outcome *o, const struct docker_container *ct, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = container_item(o, true, ct, fmt, ap);
	va_end(ap);
	return r;
}

int evidence_container(struct audit_outcome *o, const struct docker_container *ct, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = container_item(o, false, ct, fmt, ap);
	va_end(ap);
	return r;
}

const char *param_in(const struct audit_param *params, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(params[i].name, name) == 0)
			return params[i].value;
	return NULL;
}

int validate_op_value(const struct audit_param *params, size_t n, char *err, size_t errlen)
{
	const char *op = param_in(params, n, "fail_if");
	int o = op ? audit_op_parse(op) : -1;
	if (o < 0) {
		snprintf(err, errlen, "check.fail_if \"%s\" is not one of eq, ne, in, not-in, empty, not-empty, "
			 "absent, present, lt, le, gt, ge, prefix, contains, lacks", op ? op : "");
		return -EINVAL;
	}
	if (audit_op_takes_value(o) && !param_in(params, n, "value")) {
		snprintf(err, errlen, "check.fail_if = %s needs check.value", op);
		return -EINVAL;
	}
	return 0;
}

/* Offending objects, not offences: a container with two bad ports counts
 * once (primitives add an object's offences one after the other). */
static size_t distinct_offenders(const struct audit_outcome *o)
{
	size_t n = 0;
	for (size_t i = 0; i < o->n_offenders; i++)
		n += i == 0 || strcmp(o->offenders[i - 1].id, o->offenders[i].id) != 0 ||
		     strcmp(o->offenders[i - 1].kind, o->offenders[i].kind) != 0;
	return n;
}

void outcome_conclude(struct audit_outcome *o, const char *what, const char *none_reason)
{
	if (o->n_offenders)
		audit_outcome_set(o, AUDIT_FAIL, "%zu of %zu %s affected", distinct_offenders(o), o->n_objects, what);
	else if (!o->n_objects && none_reason)
		audit_outcome_set(o, AUDIT_NOT_APPLICABLE, "%s", none_reason);
	else
		audit_outcome_set(o, AUDIT_PASS, "%zu %s checked, none affected", o->n_objects, what);
}
