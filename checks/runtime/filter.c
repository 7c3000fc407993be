/* filter.c: turns the active runtime rules into the kernel-side filter (tracepoints, path tries, ports, program names). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "runtime/rules.h"

static bool has_wildcard(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

struct filters {
	struct rt_path_filter *v;
	size_t n;
};

static int filter_add(struct filters *f, const char *text, size_t len, bool exact, bool suffix, uint32_t mask)
{
	if (len >= RT_PATH_LEN)
		len = RT_PATH_LEN - 1;
	for (size_t i = 0; i < f->n; i++) {
		struct rt_path_filter *e = &f->v[i];
		if (e->exact == exact && e->suffix == suffix && strlen(e->path) == len && memcmp(e->path, text, len) == 0) {
			e->mask |= mask;
			return 0;
		}
	}
	if (f->n >= 512)
		return -E2BIG;
	struct rt_path_filter *v = realloc(f->v, (f->n + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	f->v = v;
	memset(&v[f->n], 0, sizeof(v[0]));
	memcpy(v[f->n].path, text, len);
	v[f->n].exact = exact;
	v[f->n].suffix = suffix;
	v[f->n].mask = mask;
	f->n++;
	return 0;
}

/* "/etc/shadow": exact; "/root/.ssh/id_*": the prefix "/root/.ssh/id_"; "*" then "/release_agent": a suffix */
static int add_glob(struct filters *f, const char *g, uint32_t mask)
{
	if (g[0] == '*')
		return filter_add(f, g + 1, strlen(g + 1), false, true, mask);
	size_t lit = strcspn(g, "*?[");
	return filter_add(f, g, lit, g[lit] == 0, false, mask);
}

/* The tries return only the longest match: each entry carries the masks of the shorter ones it extends. */
static void fold_masks(struct filters *f)
{
	uint32_t *add = calloc(f->n ? f->n : 1, sizeof(*add));
	if (!add)
		return;
	for (size_t i = 0; i < f->n; i++) {
		const struct rt_path_filter *e = &f->v[i];
		size_t el = strlen(e->path);
		for (size_t j = 0; j < f->n; j++) {
			const struct rt_path_filter *q = &f->v[j];
			size_t ql = strlen(q->path);
			if (i == j || q->suffix != e->suffix || q->exact || ql > el)
				continue;
			bool covers = e->suffix ? memcmp(e->path + el - ql, q->path, ql) == 0
						: memcmp(e->path, q->path, ql) == 0;
			if (covers)
				add[i] |= q->mask;
		}
	}
	for (size_t i = 0; i < f->n; i++)
		f->v[i].mask |= add[i];
	free(add);
}

static uint32_t path_bits(const struct rt_rule *r)
{
	switch (r->event) {
	case RT_EV_OPEN: return r->open_mode;
	case RT_EV_TRUNCATE: return RT_PM_TRUNC;
	case RT_EV_SYMLINK: return RT_PM_SYMLINK;
	case RT_EV_CONNECT: return r->family == AF_UNIX || r->family == 0 ? RT_PM_UNIX : 0;
	}
	return 0;       /* chmod and mount filter on their arguments, not the path */
}

static int add_ports(uint16_t **ports, size_t *n, const struct rt_rule *r)
{
	for (size_t i = 0; i < r->n_ports; i++) {
		for (uint32_t p = r->ports[i].lo; p <= r->ports[i].hi; p++) {
			bool seen = false;
			for (size_t k = 0; k < *n && !seen; k++)
				seen = (*ports)[k] == p;
			if (seen)
				continue;
			if (*n >= RT_MAX_PORTS)
				return -E2BIG;
			uint16_t *v = realloc(*ports, (*n + 1) * sizeof(*v));
			if (!v)
				return -ENOMEM;
			*ports = v;
			v[(*n)++] = (uint16_t)p;
		}
	}
	return 0;
}

int rt_rules_probe_config(const struct rt_ruleset *rs, const bool *active, struct rt_probe_config *cfg)
{
	struct filters f = { 0 };
	uint16_t *ports = NULL;
	size_t n_ports = 0;
	int r = 0;
	memset(cfg, 0, sizeof(*cfg));
	for (size_t i = 0; i < rs->n && r == 0; i++) {
		const struct rt_rule *rule = &rs->rules[i];
		if (!rule->enabled || (active && !active[i]) || rule->event >= RT_EV__COUNT)
			continue;
		cfg->want[rule->event] = true;
		if (rule->event == RT_EV_CONNECT) {
			cfg->connect_unix |= rule->family == AF_UNIX || rule->path.n;
			cfg->connect_inet |= rule->n_ports > 0;
		}
		if (!rule->container_only)
			cfg->include_host = true;
		uint32_t bits = path_bits(rule);
		for (size_t k = 0; bits && k < rule->path.n && r == 0; k++)
			r = add_glob(&f, rule->path.v[k], bits);
		if (r == 0)
			r = add_ports(&ports, &n_ports, rule);
		if (rule->event != RT_EV_EXEC)
			continue;
		bool literal_names = rule->name.n > 0;
		for (size_t k = 0; k < rule->name.n; k++)
			literal_names = literal_names && !has_wildcard(rule->name.v[k]);
		if (literal_names) {
			for (size_t k = 0; k < rule->name.n && r == 0; k++) {
				char s[RT_PATH_LEN];
				size_t l = strlen(rule->name.v[k]);
				s[0] = '/';
				memcpy(s + 1, rule->name.v[k], l < sizeof(s) - 2 ? l : sizeof(s) - 2);
				r = filter_add(&f, s, l + 1 < sizeof(s) - 1 ? l + 1 : sizeof(s) - 1, false, true, RT_PM_EXEC);
			}
		} else if (rule->flags_all | rule->flags_any) {
			cfg->exec_pass_flags |= rule->flags_all | rule->flags_any;
		} else {
			cfg->exec_pass_all = true;
		}
	}
	if (r < 0) {
		free(f.v);
		free(ports);
		return r;
	}
	fold_masks(&f);
	cfg->paths = f.v;
	cfg->n_paths = f.n;
	cfg->ports = ports;
	cfg->n_ports = n_ports;
	return 0;
}

void rt_probe_config_free(struct rt_probe_config *cfg)
{
	if (!cfg)
		return;
	free((void *)cfg->paths);
	free((void *)cfg->ports);
	cfg->paths = NULL;
	cfg->ports = NULL;
	cfg->n_paths = cfg->n_ports = 0;
}
