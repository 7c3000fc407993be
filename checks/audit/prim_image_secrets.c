/* prim_image_secrets.c: secrets in images' configuration (ENV) and build history, through the image scanner's own checks. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/prim_util.h"
#include "image/risks.h"
#include "json.h"

/* The strings of a JSON array (borrowed), or of one field of each element of it. */
static const char **strings_of(yajl_val arr, const char *field, size_t *n, bool reverse)
{
	size_t len = json_array_len(arr);
	*n = 0;
	const char **out = calloc(len + 1, sizeof(*out));
	if (!out)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		yajl_val el = json_array_at(arr, reverse ? len - 1 - i : i);
		const char *s = json_str(el, field ? field : "");
		if (s)
			out[(*n)++] = s;
	}
	return out;
}

static int eval_secrets(const struct audit_check *c, struct audit_outcome *o)
{
	if (!c->snap->have_images) {
		audit_outcome_set(o, AUDIT_NOT_EVALUATED, "the images were not collected");
		return 0;
	}
	for (size_t i = 0; i < c->snap->n_images; i++) {
		if (c->image_in_scope && !c->image_in_scope[i])
			continue;
		const struct docker_image *img = &c->snap->images[i];
		struct image_facts f = { .user = img->user, .healthcheck = img->has_healthcheck };
		struct risk_list risks = { 0 };
		f.env = strings_of(json_get(img->raw, "Config.Env"), NULL, &f.n_env, false);
		/* the API lists history newest first; the checks want it oldest first */
		f.history = strings_of(img->history, "CreatedBy", &f.n_history, true);
		int r = f.env && f.history ? image_risks_config(&f, &risks) : -ENOMEM;
		for (size_t k = 0; r == 0 && k < risks.len; k++) {
			const struct image_risk *rk = &risks.items[k];
			if (rk->kind == RISK_SECRET_ENV || rk->kind == RISK_SECRET_HISTORY)
				r = audit_offender_add(o, "image", img->id, image_display(img), "%s", rk->detail);
		}
		free(f.env);
		free(f.history);
		risk_list_free(&risks);
		if (r < 0)
			return r;
		o->n_objects++;
	}
	outcome_conclude(o, "images (ENV and build history; files inside layers need dockward scan)", "no images");
	return 0;
}

const struct audit_primitive audit_prim_image_secrets = {
	.name = "image_secrets",
	.summary = "images whose ENV or build history holds a secret-looking value (the image scanner's checks; "
		   "files inside layers are the scanner's job)",
	.needs = AUDIT_NEED_IMAGES | AUDIT_NEED_HISTORY,
	.eval = eval_secrets,
};
