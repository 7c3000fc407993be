/* containers.c: the runtime engine's container table: posture from inspect data, cgroup and mount-namespace keys. */
#include "runtime/containers.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "json.h"

static bool is_hex_id(const char *s, size_t n)
{
	if (n != RT_CONTAINER_ID_LEN)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]) || isupper((unsigned char)s[i]))
			return false;
	return true;
}

int rt_cgroup_leaf_container_id(const char *leaf, const char *parent, char out[RT_CONTAINER_ID_LEN + 1])
{
	size_t n = strlen(leaf);
	const char *id = NULL;
	if (strcmp(parent, "docker") == 0 && is_hex_id(leaf, n))
		id = leaf;
	else if (n == 7 + RT_CONTAINER_ID_LEN + 6 && strncmp(leaf, "docker-", 7) == 0 &&
		 strcmp(leaf + n - 6, ".scope") == 0 && is_hex_id(leaf + 7, RT_CONTAINER_ID_LEN))
		id = leaf + 7;
	if (!id)
		return -ENOENT;
	memcpy(out, id, RT_CONTAINER_ID_LEN);
	out[RT_CONTAINER_ID_LEN] = 0;
	return 0;
}

int rt_cgroup_path_container_id(const char *path, char out[RT_CONTAINER_ID_LEN + 1])
{
	/* the last two components name the leaf and its parent */
	size_t n = strlen(path);
	while (n && (path[n - 1] == '/' || path[n - 1] == '\n'))
		n--;
	size_t leaf_start = n;
	while (leaf_start && path[leaf_start - 1] != '/')
		leaf_start--;
	if (!leaf_start)
		return -ENOENT;
	size_t parent_end = leaf_start - 1, parent_start = parent_end;
	while (parent_start && path[parent_start - 1] != '/' && path[parent_start - 1] != ':')
		parent_start--;
	char leaf[128], parent[64];
	if (n - leaf_start >= sizeof(leaf) || parent_end - parent_start >= sizeof(parent))
		return -ENOENT;
	memcpy(leaf, path + leaf_start, n - leaf_start);
	leaf[n - leaf_start] = 0;
	memcpy(parent, path + parent_start, parent_end - parent_start);
	parent[parent_end - parent_start] = 0;
	return rt_cgroup_leaf_container_id(leaf, parent, out);
}

void rt_posture_free(struct rt_posture *p)
{
	if (!p)
		return;
	rt_list_free(&p->cap_add);
	rt_list_free(&p->mount_sources);
	memset(p, 0, sizeof(*p));
	p->vulnerable = -1;
}

static bool user_is_root(const char *u)
{
	if (!u || !u[0])
		return true;    /* the image's default, which Config.User already reflects: root */
	size_t n = strcspn(u, ":");
	return (n == 1 && u[0] == '0') || (n == 4 && strncmp(u, "root", 4) == 0);
}

int rt_posture_from_inspect(const struct docker_container *c, struct rt_posture *p)
{
	memset(p, 0, sizeof(*p));
	p->vulnerable = -1;
	p->known = true;
	p->privileged = c->privileged;
	p->root = user_is_root(c->user);
	yajl_val sec = json_get(c->raw, "HostConfig.SecurityOpt");
	for (size_t i = 0; i < json_array_len(sec); i++) {
		yajl_val o = json_array_at(sec, i);
		const char *s = YAJL_IS_STRING(o) ? o->u.string : "";
		if (strcmp(s, "seccomp=unconfined") == 0 || strcmp(s, "seccomp:unconfined") == 0)
			p->seccomp_unconfined = true;
	}
	/* a privileged container runs without seccomp too */
	if (p->privileged)
		p->seccomp_unconfined = true;
	const char *pid_mode = json_str(c->raw, "HostConfig.PidMode");
	p->pid_host = pid_mode && strcmp(pid_mode, "host") == 0;
	p->network_host = c->network_mode && strcmp(c->network_mode, "host") == 0;
	int r = 0;
	yajl_val caps = json_get(c->raw, "HostConfig.CapAdd");
	for (size_t i = 0; i < json_array_len(caps) && r == 0; i++) {
		yajl_val o = json_array_at(caps, i);
		if (YAJL_IS_STRING(o))
			r = rt_list_push(&p->cap_add, o->u.string);
	}
	for (size_t i = 0; i < c->n_mounts && r == 0; i++) {
		const char *src = c->mounts[i].source;
		if (!src || !src[0])
			continue;
		r = rt_list_push(&p->mount_sources, src);
		size_t l = strlen(src);
		if (l >= 11 && strcmp(src + l - 11, "docker.sock") == 0)
			p->docker_sock = true;
	}
	if (r < 0)
		rt_posture_free(p);
	return r;
}

static uint64_t inode_of(const char *host_root, const char *path)
{
	char full[4096];
	struct stat st;
	snprintf(full, sizeof(full), "%s%s", host_root, path);
	return stat(full, &st) == 0 ? (uint64_t)st.st_ino : 0;
}

/* cgroup v2 (unified) and v1 (memory hierarchy) places of a container's cgroup */
static uint64_t cgroup_id_of(const char *host_root, const char *id)
{
	static const char *const dirs[][2] = {
		{ "/sys/fs/cgroup/system.slice/docker-", ".scope" }, { "/sys/fs/cgroup/docker/", "" },
		{ "/sys/fs/cgroup/memory/docker/", "" }, { "/sys/fs/cgroup/memory/system.slice/docker-", ".scope" },
	};
	char p[256];
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(p, sizeof(p), "%s%s%s", dirs[i][0], id, dirs[i][1]);
		uint64_t ino = inode_of(host_root, p);
		if (ino)
			return ino;
	}
	return 0;
}

static void container_free(struct rt_container *c)
{
	free(c->name);
	free(c->image);
	free(c->image_id);
	rt_posture_free(&c->posture);
}

int rt_containers_upsert(struct rt_containers *t, const struct docker_container *dc, const char *host_root)
{
	size_t idlen = strlen(dc->id);
	if (!is_hex_id(dc->id, idlen))
		return -EINVAL;
	struct rt_container n = { 0 };
	memcpy(n.id, dc->id, idlen + 1);
	n.name = strdup(dc->name ? dc->name : "");
	n.image = strdup(dc->image_ref ? dc->image_ref : "");
	n.image_id = strdup(dc->image_id ? dc->image_id : "");
	int r = rt_posture_from_inspect(dc, &n.posture);
	if (!n.name || !n.image || !n.image_id || r < 0) {
		container_free(&n);
		return r < 0 ? r : -ENOMEM;
	}
	n.pid = dc->pid;
	if (n.pid > 0) {
		char p[64];
		snprintf(p, sizeof(p), "/proc/%lld/ns/mnt", (long long)n.pid);
		n.mntns = inode_of(host_root, p);
	}
	n.cgroup_id = cgroup_id_of(host_root, n.id);
	struct rt_container *old = rt_containers_find(t, n.id);
	if (old) {
		/* a scan result survives a refresh of the same image */
		if (old->posture.vulnerable >= 0 && strcmp(old->image_id, n.image_id) == 0) {
			n.posture.vulnerable = old->posture.vulnerable;
			memcpy(n.posture.vulnerable_note, old->posture.vulnerable_note, sizeof(n.posture.vulnerable_note));
		}
		container_free(old);
		*old = n;
		return 0;
	}
	if (t->n >= RT_MAX_CONTAINERS) {
		container_free(&n);
		return -E2BIG;
	}
	struct rt_container *v = realloc(t->v, (t->n + 1) * sizeof(*v));
	if (!v) {
		container_free(&n);
		return -ENOMEM;
	}
	t->v = v;
	v[t->n++] = n;
	return 0;
}

void rt_containers_remove(struct rt_containers *t, const char *id)
{
	struct rt_container *c = rt_containers_find(t, id);
	if (!c)
		return;
	container_free(c);
	*c = t->v[--t->n];
}

void rt_containers_free(struct rt_containers *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n; i++)
		container_free(&t->v[i]);
	free(t->v);
	t->v = NULL;
	t->n = 0;
}

struct rt_container *rt_containers_find(struct rt_containers *t, const char *id)
{
	size_t l = strlen(id);
	struct rt_container *found = NULL;
	if (l < 12)
		return NULL;
	for (size_t i = 0; i < t->n; i++) {
		if (strncmp(t->v[i].id, id, l) != 0)
			continue;
		if (l == RT_CONTAINER_ID_LEN)
			return &t->v[i];
		if (found)
			return NULL;    /* ambiguous prefix */
		found = &t->v[i];
	}
	return found;
}

struct rt_container *rt_containers_find_key(struct rt_containers *t, uint64_t cgroup_id, uint64_t mntns)
{
	for (size_t i = 0; i < t->n; i++)
		if ((cgroup_id && t->v[i].cgroup_id == cgroup_id) || (mntns && t->v[i].mntns == mntns))
			return &t->v[i];
	return NULL;
}

/* The last argument of a runtime's argv when its command creates a container ("create", "run");
 * "" when it does not, or the argv is not whole enough to tell. */
static void created_arg(const struct rt_note *n, char *id, size_t idlen)
{
	id[0] = 0;
	size_t hl = n->args_len < RT_NOTE_HEAD ? n->args_len : RT_NOTE_HEAD;
	bool creates = n->args_len > RT_NOTE_HEAD;     /* the command may be past the head: assume it */
	size_t a = strnlen(n->head, hl) + 1;            /* after argv[0] */
	while (a < hl) {
		size_t l = strnlen(n->head + a, hl - a);
		if (a + l == hl && n->args_len > hl)
			break;      /* cut */
		if ((l == 6 && memcmp(n->head + a, "create", 6) == 0) || (l == 3 && memcmp(n->head + a, "run", 3) == 0))
			creates = true;
		a += l + 1;
	}
	size_t tl = n->args_len < RT_NOTE_TAIL ? n->args_len : RT_NOTE_TAIL;
	if (!creates || tl < 2 || n->tail[tl - 1] != 0)
		return;
	size_t b = tl - 1;
	while (b > 0 && n->tail[b - 1])
		b--;
	if (b == 0 && n->args_len > tl)
		return;     /* the last argument is longer than the tail */
	snprintf(id, idlen, "%.*s", (int)(tl - 1 - b), n->tail + b);
}

int rt_runtime_created_id(const struct rt_note *n, char out[RT_CONTAINER_ID_LEN + 1])
{
	char arg[RT_NOTE_TAIL + 1];
	created_arg(n, arg, sizeof(arg));
	return arg[0] ? rt_cgroup_leaf_container_id(arg, "docker", out) : -ENOENT;
}
