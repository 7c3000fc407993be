/* host_users.c: the host's accounts and groups from /etc/passwd and /etc/group under the host root (never the agent's own NSS). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/host_state.h"
#include "ini_file.h"

#define MAX_ACCOUNTS 100000

struct host_local *host_local_get(struct host_facts *f)
{
	if (!f->local)
		f->local = calloc(1, sizeof(*f->local));
	return f->local;
}

int host_read_n(const struct host_facts *f, const char *path, size_t cap, char **out, size_t *len)
{
	char full[PATH_MAX];
	*out = NULL;
	*len = 0;
	int r = host_path(f, path, full, sizeof(full));
	return r < 0 ? r : read_file_capped(full, cap, out, len);
}

int host_read(const struct host_facts *f, const char *path, size_t cap, char **out)
{
	size_t len;
	return host_read_n(f, path, cap, out, &len);
}

const char *host_user_name(const struct host_users *u, unsigned uid)
{
	for (size_t i = 0; i < u->n_users; i++)
		if (u->users[i].id == uid)
			return u->users[i].name;
	return NULL;
}

const char *host_group_name(const struct host_users *u, unsigned gid)
{
	for (size_t i = 0; i < u->n_groups; i++)
		if (u->groups[i].id == gid)
			return u->groups[i].name;
	return NULL;
}

/* Splits one line into at most n ':'-separated fields (in place). */
static size_t split_fields(char *line, char **fields, size_t n)
{
	size_t k = 0;
	fields[k++] = line;
	for (char *p = line; *p && k < n; p++)
		if (*p == ':') {
			*p = '\0';
			fields[k++] = p + 1;
		}
	return k;
}

static bool parse_id(const char *s, unsigned *out)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (!*s || *end || errno || v > 0xffffffffUL || *s == '-')
		return false;
	*out = (unsigned)v;
	return true;
}

/* Calls fn for each line of text that has at least want fields. */
static int each_line(const char *text, size_t want, int (*fn)(void *u, char **fields), void *u)
{
	char *copy = strdup(text ? text : "");
	if (!copy)
		return -ENOMEM;
	int r = 0;
	size_t count = 0;
	for (char *save = NULL, *line = strtok_r(copy, "\n", &save); line && r == 0 && count < MAX_ACCOUNTS;
	     line = strtok_r(NULL, "\n", &save), count++) {
		char *fields[7];
		if (line[0] == '#' || line[0] == '+' || line[0] == '-')
			continue;
		if (split_fields(line, fields, want) == want)
			r = fn(u, fields);
	}
	free(copy);
	return r;
}

static int add_user(void *p, char **f)
{
	struct host_users *u = p;
	unsigned uid, gid;
	if (!f[0][0] || !parse_id(f[2], &uid) || !parse_id(f[3], &gid))
		return 0;
	struct host_user *grown = realloc(u->users, (u->n_users + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	u->users = grown;
	if (!(grown[u->n_users].name = strdup(f[0])))
		return -ENOMEM;
	grown[u->n_users].id = uid;
	grown[u->n_users++].gid = gid;
	return 0;
}

static int add_group(void *p, char **f)
{
	struct host_users *u = p;
	unsigned gid;
	if (!f[0][0] || !parse_id(f[2], &gid))
		return 0;
	struct host_group *grown = realloc(u->groups, (u->n_groups + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	u->groups = grown;
	struct host_group *g = &grown[u->n_groups];
	g->name = strdup(f[0]);
	g->members = strdup(f[3]);
	g->id = gid;
	if (!g->name || !g->members) {
		free(g->name);
		free(g->members);
		return -ENOMEM;
	}
	u->n_groups++;
	return 0;
}

int host_users_parse_passwd(struct host_users *u, const char *text)
{
	return each_line(text, 7, add_user, u);
}

int host_users_parse_group(struct host_users *u, const char *text)
{
	return each_line(text, 4, add_group, u);
}

void host_users_free(struct host_users *u)
{
	for (size_t i = 0; i < u->n_users; i++)
		free(u->users[i].name);
	for (size_t i = 0; i < u->n_groups; i++) {
		free(u->groups[i].name);
		free(u->groups[i].members);
	}
	free(u->users);
	free(u->groups);
	memset(u, 0, sizeof(*u));
}

static int collect_users(struct host_facts *f, const struct snapshot *s)
{
	(void)s;
	struct host_local *l = host_local_get(f);
	if (!l)
		return -ENOMEM;
	char *pw = NULL, *gr = NULL;
	int rp = host_read(f, "/etc/passwd", 16 << 20, &pw);
	int rg = host_read(f, "/etc/group", 16 << 20, &gr);
	int r = 0;
	if (rp < 0 || rg < 0) {
		l->users.status.state = FACT_UNAVAILABLE;
		snprintf(l->users.status.reason, sizeof(l->users.status.reason), "cannot read %s: %s",
			 rp < 0 ? "/etc/passwd" : "/etc/group", strerror(-(rp < 0 ? rp : rg)));
	} else if ((r = host_users_parse_passwd(&l->users, pw)) == 0 &&
		   (r = host_users_parse_group(&l->users, gr)) == 0) {
		l->users.status.state = FACT_OK;
	}
	free(pw);
	free(gr);
	return r == -ENOMEM ? r : 0;
}

static bool wanted_files(const struct host_facts_request *req)
{
	return req->files;
}

/* Listed first of the host collectors, freed last: it frees host_local. */
static void free_local(struct host_facts *f)
{
	if (!f->local)
		return;
	host_users_free(&f->local->users);
	free(f->local);
	f->local = NULL;
}

const struct host_collector host_collector_users = {
	.name = "host-users",
	.wanted = wanted_files,
	.collect = collect_users,
	.free = free_local,
};
