/* prim_file.c: file ownership and mode: owner and group by the host's names, "mode X or more restrictive" bit by bit ((mode & ~X) == 0), absent files not applicable, symlinks judged by their target. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/host_state.h"
#include "audit/prim_util.h"

static const char *const targets[] = { "docker.service", "docker.socket", "/etc/docker", "/etc/docker/certs.d",
				       "tlscacert", "tlscert", "tlskey", "docker.sock", "daemon.json",
				       "/etc/default/docker", "/etc/sysconfig/docker", "containerd.sock", NULL };

static int parse_mode(const char *s, unsigned *out)
{
	char *end;
	unsigned long v = strtoul(s, &end, 8);
	if (!*s || *end || v > 07777)
		return -EINVAL;
	*out = (unsigned)v;
	return 0;
}

static int validate_file(const struct audit_param *p, size_t n, char *err, size_t errlen)
{
	const char *file = param_in(p, n, "file"), *mode = param_in(p, n, "mode"), *owner = param_in(p, n, "owner");
	bool known = false;
	for (size_t i = 0; targets[i]; i++)
		known |= strcmp(targets[i], file) == 0;
	unsigned m;
	if (!known) {
		snprintf(err, errlen, "check.file \"%s\" is not a file dockward collects (docker.service, docker.socket, "
			 "/etc/docker, /etc/docker/certs.d, tlscacert, tlscert, tlskey, docker.sock, daemon.json, "
			 "/etc/default/docker, /etc/sysconfig/docker, containerd.sock)", file);
		return -EINVAL;
	}
	if (mode && parse_mode(mode, &m) < 0) {
		snprintf(err, errlen, "check.mode must be an octal mode such as 0644");
		return -EINVAL;
	}
	if (owner && (!strchr(owner, ':') || owner[0] == ':' || !strchr(owner, ':')[1])) {
		snprintf(err, errlen, "check.owner must be USER:GROUP");
		return -EINVAL;
	}
	if (!mode && !owner) {
		snprintf(err, errlen, "check.mode or check.owner is needed");
		return -EINVAL;
	}
	return 0;
}

/* "root" or "#1234" when the host's files do not name the id. */
static const char *id_name(const char *name, unsigned id, char *buf, size_t len)
{
	if (name)
		return name;
	snprintf(buf, len, "#%u", id);
	return buf;
}

/* Which permission bits a mode has beyond the allowed ones, for people. */
static void extra_bits(unsigned mode, unsigned allowed, char *out, size_t len)
{
	static const struct { unsigned bit; const char *what; } bits[] = {
		{ 04000, "setuid" }, { 02000, "setgid" }, { 01000, "sticky" }, { 0400, "owner read" },
		{ 0200, "owner write" }, { 0100, "owner execute" }, { 040, "group read" }, { 020, "group write" },
		{ 010, "group execute" }, { 04, "other read" }, { 02, "other write" }, { 01, "other execute" },
	};
	out[0] = '\0';
	size_t used = 0;
	for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]); i++)
		if (mode & ~allowed & bits[i].bit)
			used += (size_t)snprintf(out + used, used < len ? len - used : 0, "%s%s", used ? ", " : "",
						 bits[i].what);
}

static int eval_file(const struct audit_check *c, struct audit_outcome *o)
{
	const struct host_local *l = c->host->local;
	const char *target = audit_param(c, "file"), *owner = audit_param(c, "owner"), *mode = audit_param(c, "mode");
	bool contents = audit_param(c, "contents") && strcmp(audit_param(c, "contents"), "true") == 0;
	if (!l || l->files.status.state != FACT_OK) {
		audit_outcome_set(o, AUDIT_NOT_EVALUATED, "host files were not collected");
		return 0;
	}
	if (owner && l->users.status.state != FACT_OK) {
		audit_outcome_set(o, AUDIT_NOT_EVALUATED, "owner names unknown: %s", l->users.status.reason);
		return 0;
	}
	for (size_t i = 0; i < l->files.n_notes; i++)
		if (strcmp(l->files.notes[i].target, target) == 0) {
			audit_outcome_set(o, AUDIT_NOT_APPLICABLE, "%s", l->files.notes[i].why);
			return 0;
		}
	unsigned allowed = 07777;
	if (mode)
		parse_mode(mode, &allowed);
	char want_user[128] = "", want_group[128] = "";
	if (owner)
		sscanf(owner, "%127[^:]:%127s", want_user, want_group);
	const char *absent = NULL;
	size_t unreadable = 0;
	char why_unreadable[256] = "";
	for (size_t i = 0; i < l->files.n_files; i++) {
		const struct host_file *h = &l->files.files[i];
		if (strcmp(h->target, target) != 0)
			continue;
		int r = 0;
		if (h->err == ENOENT || (h->is_link && h->target_err == ENOENT)) {
			absent = h->path;
			if (h->is_link)
				r = audit_evidence_add(o, "file", h->path, h->path, "dangling symlink to %s", h->link_to);
			if (r < 0)
				return r;
			continue;
		}
		if (h->err || h->target_err) {
			unreadable++;
			snprintf(why_unreadable, sizeof(why_unreadable), "%s: %s", h->path,
				 strerror(h->err ? h->err : h->target_err));
			continue;
		}
		o->n_objects++;
		char ub[16], gb[16], link[PATH_MAX + 64] = "", problems[512] = "";
		const char *un = id_name(host_user_name(&l->users, h->uid), h->uid, ub, sizeof(ub));
		const char *gn = id_name(host_group_name(&l->users, h->gid), h->gid, gb, sizeof(gb));
		if (h->is_link)
			snprintf(link, sizeof(link), " (symlink to %s; its target checked)", h->link_to);
		size_t used = 0;
		if (owner && (strcmp(un, want_user) != 0 || strcmp(gn, want_group) != 0))
			used += (size_t)snprintf(problems, sizeof(problems), "owned by %s:%s, not %s", un, gn, owner);
		bool check_mode = mode && !(contents && h->is_dir);
		if (check_mode && (h->mode & ~allowed)) {
			char extra[256];
			extra_bits(h->mode, allowed, extra, sizeof(extra));
			snprintf(problems + used, used < sizeof(problems) ? sizeof(problems) - used : 0,
				 "%smode %04o is more permissive than %04o (%s)", used ? "; " : "", h->mode, allowed, extra);
		}
		if (problems[0])
			r = audit_offender_add(o, "file", h->path, h->path, "%s%s", problems, link);
		else
			r = audit_evidence_add(o, "file", h->path, h->path, "%s:%s mode %04o%s", un, gn, h->mode, link);
		if (r < 0)
			return r;
	}
	if (o->n_offenders) {
		audit_outcome_set(o, AUDIT_FAIL, "%zu of %zu paths of %s fail", o->n_offenders, o->n_objects, target);
	} else if (unreadable) {
		audit_outcome_set(o, AUDIT_NOT_EVALUATED, "cannot read %s", why_unreadable);
	} else if (o->n_objects) {
		audit_outcome_set(o, AUDIT_PASS, "%zu paths of %s checked", o->n_objects, target);
	} else {
		audit_outcome_set(o, AUDIT_NOT_APPLICABLE, "%s is absent", absent ? absent : target);
	}
	return 0;
}

const struct audit_primitive audit_prim_file_perms = {
	.name = "file_perms",
	.summary = "fails when FILE (and, with CONTENTS=true, everything below it) is not owned by OWNER "
		   "(USER:GROUP by the host's names) or has permission bits beyond MODE; absent: not applicable",
	.required = (const char *const[]){ "file", NULL },
	.optional = (const char *const[]){ "owner", "mode", "contents", NULL },
	.needs = AUDIT_NEED_HOST_FILES | AUDIT_NEED_HOST_DAEMON | AUDIT_NEED_NETWORKS,
	.validate = validate_file,
	.eval = eval_file,
};
