/* match.c: evaluating one runtime rule against a kernel event or a container launch. */
#include "runtime/match.h"

#include <fnmatch.h>
#include <string.h>

static bool any_glob(const struct rt_list *l, const char *s)
{
	if (!s || !s[0])
		return false;
	for (size_t i = 0; i < l->n; i++)
		if (fnmatch(l->v[i], s, 0) == 0)
			return true;
	return false;
}

/* A condition list holds when it is empty or one of the candidates matches. */
static bool cond(const struct rt_list *l, const char *const *cands, size_t n)
{
	if (!l->n)
		return true;
	for (size_t i = 0; i < n; i++)
		if (any_glob(l, cands[i]))
			return true;
	return false;
}

static bool except(const struct rt_list *l, const char *const *cands, size_t n)
{
	return l->n && cond(l, cands, n);
}

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

static void copy_str(char *dst, size_t dstlen, const char *src, size_t srclen)
{
	size_t n = strnlen(src, srclen);
	if (n >= dstlen)
		n = dstlen - 1;
	memcpy(dst, src, n);
	dst[n] = 0;
}

void rt_event_view_init(struct rt_event_view *v, const struct rt_event *ev, const char *exe)
{
	memset(v, 0, sizeof(*v));
	v->ev = ev;
	copy_str(v->comm, sizeof(v->comm), ev->comm, sizeof(ev->comm));
	copy_str(v->path, sizeof(v->path), ev->path, sizeof(ev->path));
	copy_str(v->path2, sizeof(v->path2), ev->path2, sizeof(ev->path2));
	for (int i = 0; i < RT_ANCESTORS; i++)
		copy_str(v->ancestors[i], sizeof(v->ancestors[i]), ev->ancestors[i], sizeof(ev->ancestors[i]));
	copy_str(v->argv0, sizeof(v->argv0), ev->args, ev->args_len < sizeof(ev->args) ? ev->args_len : sizeof(ev->args));
	if (ev->type == RT_EV_EXEC)
		copy_str(v->exe, sizeof(v->exe), v->path2[0] ? v->path2 : v->path, sizeof(v->exe));
	else if (ev->exe[0])
		copy_str(v->exe, sizeof(v->exe), ev->exe, sizeof(ev->exe));
	else if (exe)
		copy_str(v->exe, sizeof(v->exe), exe, strlen(exe) + 1);
}

bool rt_rule_match_event(const struct rt_rule *r, const struct rt_event_view *v, const char *image,
			 const char *container_name)
{
	const struct rt_event *ev = v->ev;
	if (!r->enabled || r->event != (int)ev->type)
		return false;
	if (r->container_only && (ev->flags & RT_F_HOST))
		return false;
	const char *names[4] = { v->comm, base_name(v->exe), base_name(v->argv0), NULL };
	const char *exes[2] = { v->exe, NULL };
	size_t n_names = 3, n_exes = 1;
	if (ev->type == RT_EV_EXEC) {
		names[0] = base_name(v->path);
		names[1] = base_name(v->path2);
		names[2] = v->comm;
		names[3] = base_name(v->argv0);
		n_names = 4;
		exes[0] = v->path;
		exes[1] = v->path2;
		n_exes = 2;
	}
	const char *parent[1] = { v->ancestors[0] };
	const char *ancestors[RT_ANCESTORS];
	for (int i = 0; i < RT_ANCESTORS; i++)
		ancestors[i] = v->ancestors[i];
	const char *path[1] = { ev->type == RT_EV_MOUNT ? v->path2 : v->path };
	const char *img[1] = { image }, *cname[1] = { container_name };

	if (!cond(&r->name, names, n_names) || !cond(&r->exe, exes, n_exes) || !cond(&r->parent, parent, 1) ||
	    !cond(&r->ancestor, ancestors, RT_ANCESTORS) || !cond(&r->path, path, 1))
		return false;
	if (ev->type == RT_EV_OPEN) {
		uint32_t mode = (ev->arg[0] & 3) == 0 ? RT_PM_READ : RT_PM_WRITE;
		if (ev->arg[0] & 0100)
			mode |= RT_PM_WRITE;
		if (ev->arg[0] & 01000)
			mode |= RT_PM_TRUNC;
		if (!(mode & r->open_mode))
			return false;
	}
	if ((ev->flags & r->flags_all) != r->flags_all)
		return false;
	if (r->flags_any && !(ev->flags & r->flags_any))
		return false;
	if (r->tty && ((ev->flags & RT_F_TTY) != 0) != (r->tty == RT_YES))
		return false;
	if (r->family && (ev->type == RT_EV_CONNECT || ev->type == RT_EV_SOCKET) && ev->arg[0] != r->family)
		return false;
	if (r->n_ports) {
		bool in = false;
		for (size_t i = 0; i < r->n_ports && !in; i++)
			in = ev->arg[1] >= r->ports[i].lo && ev->arg[1] <= r->ports[i].hi;
		if (!in)
			return false;
	}
	if (except(&r->except_name, names, n_names) || except(&r->except_exe, exes, n_exes) ||
	    except(&r->except_parent, parent, 1) || except(&r->except_ancestor, ancestors, RT_ANCESTORS) ||
	    except(&r->except_path, path, 1) || except(&r->except_image, img, 1) ||
	    except(&r->except_container, cname, 1))
		return false;
	return true;
}

static bool tri_ok(enum rt_tri want, bool have)
{
	return want == RT_ANY || (want == RT_YES) == have;
}

bool rt_rule_match_launch(const struct rt_rule *r, const struct rt_posture *p, const char *image,
			  const char *container_name)
{
	if (!r->enabled || r->event != RT_RULE_EV_CONTAINER_START || !p->known)
		return false;
	if (!tri_ok(r->privileged, p->privileged) || !tri_ok(r->seccomp_unconfined, p->seccomp_unconfined) ||
	    !tri_ok(r->pid_host, p->pid_host) || !tri_ok(r->network_host, p->network_host) ||
	    !tri_ok(r->docker_sock, p->docker_sock))
		return false;
	if (r->cap_add.n) {
		bool hit = false;
		for (size_t i = 0; i < p->cap_add.n && !hit; i++) {
			const char *c = p->cap_add.v[i];
			if (strncmp(c, "CAP_", 4) == 0)
				c += 4;
			hit = strcmp(c, "ALL") == 0 || any_glob(&r->cap_add, c);
		}
		if (!hit)
			return false;
	}
	if (r->mount_source.n) {
		bool hit = false;
		for (size_t i = 0; i < p->mount_sources.n && !hit; i++)
			hit = any_glob(&r->mount_source, p->mount_sources.v[i]);
		if (!hit)
			return false;
	}
	const char *img[1] = { image }, *cname[1] = { container_name };
	return !except(&r->except_image, img, 1) && !except(&r->except_container, cname, 1);
}
