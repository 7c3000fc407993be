/* prim_image.c: image predicates: config fields, HEALTHCHECK, history (ADD, lone update instructions), the image scanner's findings. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/host_state.h"
#include "audit/image_scans.h"
#include "audit/prim_util.h"
#include "buf.h"
#include "json.h"
#include "scan.h"

static int image_offender(struct audit_outcome *o, const struct docker_image *img, const char *detail)
{
	return audit_offender_add(o, "image", img->id, image_display(img), "%s", detail);
}

/* Which images a rule examines: every local image, or only those containers in scope use. */
static bool image_wanted(const struct audit_check *c, size_t i)
{
	if (c->image_in_scope && !c->image_in_scope[i])
		return false;
	const char *which = audit_param(c, "images");
	if (!which || strcmp(which, "all") == 0)
		return true;
	for (size_t k = 0; k < c->snap->n_containers; k++)
		if (container_selected(c, k, false) && strcmp(c->snap->containers[k].image_id, c->snap->images[i].id) == 0)
			return true;
	return false;
}

static bool images_missing(const struct audit_check *c, struct audit_outcome *o)
{
	if (c->snap->have_images)
		return false;
	audit_outcome_set(o, AUDIT_NOT_EVALUATED, "the images were not collected");
	return true;
}

static int eval_image_field(const struct audit_check *c, struct audit_outcome *o)
{
	if (images_missing(c, o))
		return 0;
	const char *path = audit_param(c, "path");
	enum audit_op op = (enum audit_op)audit_op_parse(audit_param(c, "fail_if"));
	const char *value = audit_param(c, "value");
	for (size_t i = 0; i < c->snap->n_images; i++) {
		if (!image_wanted(c, i))
			continue;
		const struct docker_image *img = &c->snap->images[i];
		o->n_objects++;
		yajl_val f = json_get(img->raw, path);
		if (audit_json_satisfies(f, op, value)) {
			char seen[256], detail[300];
			audit_json_text(f, seen, sizeof(seen));
			snprintf(detail, sizeof(detail), "%s = %s", path, seen);
			int r = image_offender(o, img, detail);
			if (r < 0)
				return r;
		}
	}
	outcome_conclude(o, "images", "no images");
	return 0;
}

static int validate_images_param(const struct audit_param *p, size_t n, char *err, size_t errlen)
{
	const char *which = param_in(p, n, "images");
	if (which && strcmp(which, "all") != 0 && strcmp(which, "in-use") != 0) {
		snprintf(err, errlen, "check.images must be all or in-use");
		return -EINVAL;
	}
	return 0;
}

static int validate_image_field(const struct audit_param *p, size_t n, char *err, size_t errlen)
{
	int r = validate_images_param(p, n, err, errlen);
	return r < 0 ? r : validate_op_value(p, n, err, errlen);
}

const struct audit_primitive audit_prim_image_field = {
	.name = "image_field",
	.summary = "fails each image whose inspect field PATH satisfies FAIL_IF VALUE",
	.required = (const char *const[]){ "path", "fail_if", NULL },
	.optional = (const char *const[]){ "value", "images", NULL },
	.needs = AUDIT_NEED_IMAGES,
	.validate = validate_image_field,
	.eval = eval_image_field,
};

static bool user_is_root(const char *user)
{
	static const char *const roots = ",root,0,root:root,0:0,root:0,0:root";
	return audit_str_satisfies(user ? user : "", OP_IN, roots);
}

/* The image's default user, and each container's effective one (its
 * Config.User holds the image's default unless --user replaced it). */
static int eval_user(const struct audit_check *c, struct audit_outcome *o)
{
	if (images_missing(c, o))
		return 0;
	for (size_t i = 0; i < c->snap->n_images; i++) {
		if (!image_wanted(c, i))
			continue;
		const struct docker_image *img = &c->snap->images[i];
		o->n_objects++;
		if (user_is_root(img->user)) {
			int r = image_offender(o, img, img->user[0] ? "USER is root" : "no USER: runs as root");
			if (r < 0)
				return r;
		}
	}
	for (size_t i = 0; i < c->snap->n_containers; i++) {
		if (!container_selected(c, i, false))
			continue;
		const struct docker_container *ct = &c->snap->containers[i];
		const struct docker_image *img = snapshot_find_image(c->snap, ct->image_id);
		o->n_objects++;
		/* a container that runs as root although its image names another user */
		const struct host_ctr_state *ps = host_ctr_state_find(c->host, ct->id);
		int r = 0;
		if (user_is_root(ct->user) && img && !user_is_root(img->user))
			r = offender_container(o, ct, "runs as %s, overriding the image's USER %s",
					       ct->user[0] ? ct->user : "root", img->user);
		/* what the kernel says about its init process (host_procs.c) */
		else if (!user_is_root(ct->user) && ps && ps->status.state == FACT_OK && ps->uid == 0)
			r = offender_container(o, ct, "names user %s, but its init process (pid %d) runs as uid 0",
					       ct->user[0] ? ct->user : img ? img->user : "?", ps->pid);
		if (r < 0)
			return r;
	}
	outcome_conclude(o, "images and containers", "no images");
	return 0;
}

const struct audit_primitive audit_prim_image_user = {
	.name = "image_user",
	.summary = "fails images whose default user is root (or unset), and containers run as root against "
		   "their image's USER",
	.optional = (const char *const[]){ "images", NULL },
	.needs = AUDIT_NEED_IMAGES | AUDIT_NEED_HOST_PROCS,
	.validate = validate_images_param,
	.eval = eval_user,
};

static int eval_healthcheck(const struct audit_check *c, struct audit_outcome *o)
{
	if (images_missing(c, o))
		return 0;
	for (size_t i = 0; i < c->snap->n_images; i++) {
		if (!image_wanted(c, i))
			continue;
		const struct docker_image *img = &c->snap->images[i];
		o->n_objects++;
		if (img->has_healthcheck)
			continue;
		yajl_val test = json_get(img->raw, "Config.Healthcheck.Test");
		const char *first = YAJL_IS_STRING(json_array_at(test, 0)) ? YAJL_GET_STRING(json_array_at(test, 0)) : "";
		int r = image_offender(o, img, strcmp(first, "NONE") == 0 ? "HEALTHCHECK NONE" : "no HEALTHCHECK");
		if (r < 0)
			return r;
	}
	outcome_conclude(o, "images", "no images");
	return 0;
}

const struct audit_primitive audit_prim_image_healthcheck = {
	.name = "image_healthcheck",
	.summary = "fails images without a HEALTHCHECK (HEALTHCHECK NONE counts as none)",
	.optional = (const char *const[]){ "images", NULL },
	.needs = AUDIT_NEED_IMAGES,
	.validate = validate_images_param,
	.eval = eval_healthcheck,
};

/* "RUN apt-get update" with no install in the same instruction. */
static bool lone_update(const char *cmd)
{
	static const char *const updates[] = { "apt-get update", "apt update", "apk update", "yum update",
					       "dnf update", "zypper refresh", "yum makecache", NULL };
	static const char *const installs[] = { "install", "upgrade", "apk add", "dist-upgrade", NULL };
	bool upd = false;
	for (const char *const *u = updates; *u && !upd; u++)
		upd = strstr(cmd, *u) != NULL;
	if (!upd)
		return false;
	for (const char *const *i = installs; *i; i++)
		if (strstr(cmd, *i))
			return false;
	return true;
}

/* An ADD instruction other than the base image's own root file system. */
static bool risky_add(const char *cmd, bool bottom)
{
	const char *nop = strstr(cmd, "#(nop) ADD ");
	const char *arg = nop ? nop + 11 : strncmp(cmd, "ADD ", 4) == 0 ? cmd + 4 : NULL;
	if (!arg)
		return false;
	if (bottom && (strncmp(arg, "file:", 5) == 0 || strncmp(arg, "dir:", 4) == 0) && strstr(arg, " in / "))
		return false;
	return true;
}

static int eval_history(const struct audit_check *c, struct audit_outcome *o)
{
	if (images_missing(c, o))
		return 0;
	const char *mode = audit_param(c, "mode");
	bool add = strcmp(mode, "add") == 0;
	for (size_t i = 0; i < c->snap->n_images; i++) {
		if (!image_wanted(c, i))
			continue;
		const struct docker_image *img = &c->snap->images[i];
		if (!img->history) {
			audit_outcome_set(o, AUDIT_NOT_EVALUATED, "the image histories were not collected");
			return 0;
		}
		o->n_objects++;
		size_t n = json_array_len(img->history);
		/* newest first: the last entry is the bottom layer */
		for (size_t h = 0; h < n; h++) {
			const char *cmd = json_str(json_array_at(img->history, h), "CreatedBy");
			if (!cmd)
				continue;
			bool hit = add ? risky_add(cmd, h + 1 == n) : lone_update(cmd);
			if (hit) {
				char shown[200];
				const char *nop = strstr(cmd, "#(nop) ");
				snprintf(shown, sizeof(shown), "%s", nop ? nop + 7 : cmd);
				int r = image_offender(o, img, shown);
				if (r < 0)
					return r;
				break;
			}
		}
	}
	outcome_conclude(o, "images", "no images");
	return 0;
}

static int validate_history(const struct audit_param *p, size_t n, char *err, size_t errlen)
{
	const char *mode = param_in(p, n, "mode");
	if (strcmp(mode, "add") != 0 && strcmp(mode, "lone-update") != 0) {
		snprintf(err, errlen, "check.mode must be add or lone-update");
		return -EINVAL;
	}
	return validate_images_param(p, n, err, errlen);
}

const struct audit_primitive audit_prim_image_history = {
	.name = "image_history",
	.summary = "fails images whose history has, with mode = add, an ADD (other than the base root file "
		   "system) or, with mode = lone-update, a package index update without an install",
	.required = (const char *const[]){ "mode", NULL },
	.optional = (const char *const[]){ "images", NULL },
	.needs = AUDIT_NEED_IMAGES | AUDIT_NEED_HISTORY,
	.validate = validate_history,
	.eval = eval_history,
};

static int validate_scan(const struct audit_param *p, size_t n, char *err, size_t errlen)
{
	const char *f = param_in(p, n, "finding");
	if (strcmp(f, "packages") != 0 && strcmp(f, "vulnerabilities") != 0 && strcmp(f, "setuid") != 0) {
		snprintf(err, errlen, "check.finding must be packages, vulnerabilities or setuid");
		return -EINVAL;
	}
	return validate_images_param(p, n, err, errlen);
}

/* How many items a scan offender's detail names before "and N more". */
#define SCAN_DETAIL_ITEMS 20

static int scan_packages(const struct audit_check *c, const struct docker_image *img, const struct scan_image *s,
			 struct audit_outcome *o)
{
	if (!s->inventory_done)
		return audit_evidence_add(o, "image", img->id, image_display(img), "packages were not listed: %s",
					  s->n_notes ? s->notes[0] : "no package database was recognised");
	return audit_evidence_add(o, "image", img->id, image_display(img), "%zu packages%s%s%s%s", s->n_pkgs,
				  s->ecosystem[0] || s->os[0] ? " (" : "", s->os[0] ? s->os : s->ecosystem,
				  s->ecosystem[0] || s->os[0] ? ")" : "",
				  s->inventory_truncated ? ", inventory incomplete (a limit was hit)" : "");
}

static int scan_vulns(const struct audit_check *c, const struct docker_image *img, const struct scan_image *s,
		      struct audit_outcome *o)
{
	if (!s->n_vulns)
		return 0;
	struct buf b = { 0 };
	size_t fixable = 0;
	int br = 0;
	for (size_t v = 0; v < s->n_vulns; v++) {
		const struct scan_vuln *sv = &s->vulns[v];
		fixable += sv->fixed && sv->fixed[0];
		if (v == SCAN_DETAIL_ITEMS) {
			if (br == 0)
				br = buf_printf(&b, "; and %zu more", s->n_vulns - v);
			break;
		}
		const struct package *p = sv->pkg < s->n_pkgs ? &s->pkgs[sv->pkg] : NULL;
		if (br == 0)
			br = buf_printf(&b, "%s%s %s: %s (%s, %s%s)", v ? "; " : "", p ? p->name : "?",
					p ? p->version : "", sv->id, severity_name(sv->severity),
					sv->fixed && sv->fixed[0] ? "fixed in " : "no fix yet", sv->fixed ? sv->fixed : "");
	}
	if (br < 0) {
		buf_free(&b);
		return br;
	}
	int r = audit_offender_add(o, "image", img->id, image_display(img), "%zu known vulnerabilities (%zu with a "
				   "fixed version): %s", s->n_vulns, fixable, b.data ? b.data : "");
	buf_free(&b);
	return r;
}

static int scan_setuid(const struct audit_check *c, const struct docker_image *img, const struct scan_image *s,
		       struct audit_outcome *o)
{
	struct buf b = { 0 };
	size_t n = 0;
	int r = 0;
	for (size_t k = 0; k < s->risks.len && r == 0; k++) {
		const struct image_risk *rk = &s->risks.items[k];
		if (rk->kind != RISK_SETUID)
			continue;
		if (n < SCAN_DETAIL_ITEMS)
			r = buf_printf(&b, "%s%s (%s)", n ? ", " : "", rk->subject, rk->detail);
		n++;
	}
	if (n > SCAN_DETAIL_ITEMS && r == 0)
		r = buf_printf(&b, ", and %zu more", n - SCAN_DETAIL_ITEMS);
	if (n && r == 0)
		r = audit_offender_add(o, "image", img->id, image_display(img), "%zu setuid/setgid files%s: %s", n,
				       s->walk_truncated ? " (walk incomplete: a limit was hit)" : "", b.data);
	else if (r == 0 && s->walk_truncated)
		r = audit_evidence_add(o, "image", img->id, image_display(img), "walk incomplete after %zu entries: a "
				       "limit was hit", s->files_walked);
	buf_free(&b);
	return r;
}

static int eval_scan(const struct audit_check *c, struct audit_outcome *o)
{
	if (images_missing(c, o))
		return 0;
	const struct audit_image_scans *x = c->host->scans;
	if (!x || x->status.state != FACT_OK) {
		audit_outcome_set(o, AUDIT_NOT_EVALUATED, "%s", x ? x->status.reason
				  : "the image scanner's results were not collected");
		return 0;
	}
	const char *finding = audit_param(c, "finding");
	bool packages = strcmp(finding, "packages") == 0, vulns = strcmp(finding, "vulnerabilities") == 0;
	if (vulns && !x->db_available) {
		audit_outcome_set(o, AUDIT_NOT_EVALUATED, "no vulnerability database to match the images against: %s",
				  x->db_note[0] ? x->db_note : "none is installed (dockward db import)");
		return 0;
	}
	size_t unread = 0;
	const char *first_reason = NULL;
	for (size_t i = 0; i < c->snap->n_images; i++) {
		if (!image_wanted(c, i))
			continue;
		const struct docker_image *img = &c->snap->images[i];
		const struct scan_image *s = i < x->n && x->collected[i] ? &x->images[i] : NULL;
		int r = 0;
		if (!s || s->status != SCAN_OK || (vulns && (!s->vulns_checked || !s->n_pkgs))) {
			const char *why = !s ? "the image was not scanned" : s->status != SCAN_OK ? s->reason
					  : !s->inventory_done || !s->n_pkgs ? "no packages were found in it: nothing to match "
					  "(files outside a package database are not known to the vulnerability database)"
					  : "its packages were not matched against the vulnerability database";
			unread++;
			first_reason = first_reason ? first_reason : why;
			r = audit_evidence_add(o, "image", img->id, image_display(img), "not evaluated: %s", why);
		} else {
			o->n_objects++;
			r = packages ? scan_packages(c, img, s, o) : vulns ? scan_vulns(c, img, s, o)
									   : scan_setuid(c, img, s, o);
		}
		if (r < 0)
			return r;
	}
	if (o->n_offenders || !unread) {
		if (packages && o->n_objects)
			audit_outcome_set(o, AUDIT_MANUAL, "package counts of %zu images for review: does each need "
					  "all of its packages?", o->n_objects);
		else
			outcome_conclude(o, "images", "no images");
		if (unread && o->verdict != AUDIT_NOT_APPLICABLE) {
			char was[sizeof(o->reason)];
			snprintf(was, sizeof(was), "%s", o->reason);
			audit_outcome_set(o, o->verdict, "%s; %zu more images could not be evaluated", was, unread);
		}
		return 0;
	}
	audit_outcome_set(o, AUDIT_NOT_EVALUATED, "%zu of %zu images could not be evaluated: %s", unread,
			  unread + o->n_objects, first_reason);
	return 0;
}

const struct audit_primitive audit_prim_image_scan = {
	.name = "image_scan",
	.summary = "the image scanner's results ([audit] scan_images) for each image: finding = packages (counts "
		   "for review), vulnerabilities (fails images with known advisories) or setuid (fails images with "
		   "setuid/setgid files)",
	.required = (const char *const[]){ "finding", NULL },
	.optional = (const char *const[]){ "images", NULL },
	.needs = AUDIT_NEED_IMAGES | AUDIT_NEED_IMAGE_SCANS,
	.validate = validate_scan,
	.eval = eval_scan,
};
