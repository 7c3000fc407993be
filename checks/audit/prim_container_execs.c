/* prim_container_execs.c: the exec instances the engine still knows for each container (ExecIDs), gathered for a person: a one-shot audit sees neither past execs nor their flags. */
#include <stdio.h>
#include <string.h>

#include "audit/prim_util.h"
#include "buf.h"
#include "json.h"

/* How many exec ids a container's evidence names before "and N more". */
#define EXEC_IDS_SHOWN 10

static int eval_execs(const struct audit_check *c, struct audit_outcome *o)
{
	const char *what = audit_param(c, "look_for");
	size_t with = 0;
	for (size_t i = 0; i < c->snap->n_containers; i++) {
		if (!container_selected(c, i, false))
			continue;
		const struct docker_container *ct = &c->snap->containers[i];
		o->n_objects++;
		yajl_val ids = json_get(ct->raw, "ExecIDs");
		size_t n = json_array_len(ids);
		if (!n)
			continue;
		with++;
		struct buf b = { 0 };
		int r = 0;
		for (size_t k = 0; k < n && k < EXEC_IDS_SHOWN && r == 0; k++) {
			const char *id = YAJL_IS_STRING(json_array_at(ids, k)) ? YAJL_GET_STRING(json_array_at(ids, k)) : "?";
			r = buf_printf(&b, "%s%.12s", k ? ", " : "", id);
		}
		if (r == 0 && n > EXEC_IDS_SHOWN)
			r = buf_printf(&b, " and %zu more", n - EXEC_IDS_SHOWN);
		if (r == 0)
			r = evidence_container(o, ct, "%zu exec instance%s known to the engine: %s", n, n == 1 ? "" : "s",
					       b.data);
		buf_free(&b);
		if (r < 0)
			return r;
	}
	if (!o->n_objects) {
		audit_outcome_set(o, AUDIT_NOT_APPLICABLE, "no containers");
		return 0;
	}
	/* never a pass: execs that ended are gone from inspect, and their flags were never in it */
	audit_outcome_set(o, AUDIT_MANUAL, "%zu of %zu containers have exec instances the engine still knows; whether "
			  "any exec used %s is not in the engine's container data, and past execs are only in its "
			  "event stream and the host's audit log (ausearch -k docker)", with, o->n_objects, what);
	return 0;
}

const struct audit_primitive audit_prim_container_execs = {
	.name = "container_execs",
	.summary = "lists each container's current exec instances (ExecIDs) for a person to check for LOOK_FOR; "
		   "always manual, since a one-shot audit cannot see past execs or their options",
	.required = (const char *const[]){ "look_for", NULL },
	.eval = eval_execs,
};
