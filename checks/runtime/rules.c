/* rules.c: parsing the INI files of rules/runtime into runtime detection rules, with validation of every key. */
#include "runtime/rules.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "config.h"
#include "ini_file.h"

static const char *const severity_names[] = { "info", "low", "medium", "high", "critical" };

static const char *const event_names[RT_RULE_EV__COUNT] = {
	[RT_EV_NONE] = "none", [RT_EV_EXEC] = "exec", [RT_EV_OPEN] = "open", [RT_EV_CONNECT] = "connect",
	[RT_EV_PTRACE] = "ptrace", [RT_EV_MOUNT] = "mount", [RT_EV_UNSHARE] = "unshare",
	[RT_EV_SETNS] = "setns", [RT_EV_SOCKET] = "socket", [RT_EV_BPF] = "bpf", [RT_EV_CHMOD] = "chmod",
	[RT_EV_SYMLINK] = "symlink", [RT_EV_TRUNCATE] = "truncate", [RT_EV_USERFAULTFD] = "userfaultfd",
	[RT_EV_VM_WRITEV] = "process_vm_writev", [RT_EV_MODULE] = "module_load",
	[RT_EV_MODULE_SYSCALL] = "module_syscall",
	[RT_RULE_EV_CONTAINER_START] = "container_start",
};

static const struct { const char *name; uint32_t bit; } flag_names[] = {
	{ "tty", RT_F_TTY }, { "stdin_socket", RT_F_STDIN_SOCK }, { "stdout_socket", RT_F_STDOUT_SOCK },
	{ "memfd", RT_F_MEMFD }, { "deleted", RT_F_DELETED }, { "new_file", RT_F_NEW_FILE },
};

static const struct { const char *name; uint32_t bit; } open_names[] = {
	{ "read", RT_PM_READ }, { "write", RT_PM_WRITE }, { "truncate", RT_PM_TRUNC },
};

static const struct { const char *name; int family; } family_names[] = {
	{ "unix", AF_UNIX }, { "inet", AF_INET }, { "inet6", AF_INET6 }, { "packet", AF_PACKET },
};

const char *rt_severity_name(int sev)
{
	return sev >= 0 && sev <= RT_SEV_CRITICAL ? severity_names[sev] : "?";
}

const char *rt_event_name(int event)
{
	return event >= 0 && event < RT_RULE_EV__COUNT && event_names[event] ? event_names[event] : "?";
}

void rt_list_free(struct rt_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static void rule_free(struct rt_rule *r)
{
	free(r->id);
	free(r->description);
	free(r->mitre);
	free(r->origin);
	free(r->ports);
	struct rt_list *lists[] = { &r->name, &r->exe, &r->parent, &r->ancestor, &r->path, &r->cap_add,
				    &r->mount_source, &r->except_name, &r->except_exe, &r->except_parent,
				    &r->except_ancestor, &r->except_path, &r->except_image, &r->except_container };
	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
		rt_list_free(lists[i]);
}

void rt_rules_free(struct rt_ruleset *rs)
{
	if (!rs)
		return;
	for (size_t i = 0; i < rs->n; i++)
		rule_free(&rs->rules[i]);
	free(rs->rules);
	rs->rules = NULL;
	rs->n = 0;
}

int rt_list_push(struct rt_list *l, const char *s)
{
	if (l->n >= RT_MAX_LIST)
		return 0;
	char **v = realloc(l->v, (l->n + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	l->v = v;
	if (!(v[l->n] = strdup(s)))
		return -ENOMEM;
	l->n++;
	return 0;
}

/* Splits on blanks and commas; each value appends. */
static int list_add(struct rt_list *l, const char *value, char *err, size_t errlen)
{
	const char *p = value;
	while (*p) {
		p += strspn(p, " \t,");
		size_t n = strcspn(p, " \t,");
		if (!n)
			break;
		if (l->n >= RT_MAX_LIST) {
			snprintf(err, errlen, "more than %d values", RT_MAX_LIST);
			return -EINVAL;
		}
		if (n >= RT_PATH_LEN) {
			snprintf(err, errlen, "a value longer than %d bytes", RT_PATH_LEN - 1);
			return -EINVAL;
		}
		char one[RT_PATH_LEN];
		memcpy(one, p, n);
		one[n] = 0;
		int r = rt_list_push(l, one);
		if (r < 0)
			return r;
		p += n;
	}
	return 0;
}

static int set_string(char **field, const char *value)
{
	char *d = strdup(value);
	if (!d)
		return -ENOMEM;
	free(*field);
	*field = d;
	return 0;
}

static int set_tri(enum rt_tri *t, const char *value, char *err, size_t errlen)
{
	bool b;
	if (parse_bool(value, &b) < 0) {
		snprintf(err, errlen, "expected true or false, got \"%s\"", value);
		return -EINVAL;
	}
	*t = b ? RT_YES : RT_NO;
	return 0;
}

static int set_flags(uint32_t *out, const char *value, char *err, size_t errlen)
{
	struct rt_list l = { 0 };
	int r = list_add(&l, value, err, errlen);
	for (size_t i = 0; r == 0 && i < l.n; i++) {
		size_t k;
		for (k = 0; k < sizeof(flag_names) / sizeof(flag_names[0]); k++)
			if (strcmp(l.v[i], flag_names[k].name) == 0)
				break;
		if (k == sizeof(flag_names) / sizeof(flag_names[0])) {
			snprintf(err, errlen, "unknown flag \"%s\" (tty, stdin_socket, stdout_socket, memfd, deleted, new_file)",
				 l.v[i]);
			r = -EINVAL;
		} else {
			*out |= flag_names[k].bit;
		}
	}
	rt_list_free(&l);
	return r;
}

static int set_open(uint32_t *out, const char *value, char *err, size_t errlen)
{
	struct rt_list l = { 0 };
	int r = list_add(&l, value, err, errlen);
	for (size_t i = 0; r == 0 && i < l.n; i++) {
		size_t k;
		for (k = 0; k < 3; k++)
			if (strcmp(l.v[i], open_names[k].name) == 0)
				break;
		if (k == 3) {
			snprintf(err, errlen, "unknown open mode \"%s\" (read, write, truncate)", l.v[i]);
			r = -EINVAL;
		} else {
			*out |= open_names[k].bit;
		}
	}
	rt_list_free(&l);
	return r;
}

static int parse_port(const char *s, uint16_t *out)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || end == s || v == 0 || v > 65535 || (*end && *end != '-'))
		return -EINVAL;
	*out = (uint16_t)v;
	return (int)(end - s);
}

static int set_ports(struct rt_rule *rule, const char *value, char *err, size_t errlen)
{
	struct rt_list l = { 0 };
	int r = list_add(&l, value, err, errlen);
	for (size_t i = 0; r == 0 && i < l.n; i++) {
		struct rt_port_range pr;
		int n = parse_port(l.v[i], &pr.lo);
		pr.hi = pr.lo;
		if (n > 0 && l.v[i][n] == '-') {
			int m = parse_port(l.v[i] + n + 1, &pr.hi);
			if (m <= 0 || l.v[i][n + 1 + m] || pr.hi < pr.lo)
				n = -1;
		} else if (n > 0 && l.v[i][n]) {
			n = -1;
		}
		if (n <= 0) {
			snprintf(err, errlen, "bad port \"%s\" (1-65535 or LOW-HIGH)", l.v[i]);
			r = -EINVAL;
			break;
		}
		struct rt_port_range *v = realloc(rule->ports, (rule->n_ports + 1) * sizeof(*v));
		if (!v) {
			r = -ENOMEM;
			break;
		}
		rule->ports = v;
		rule->ports[rule->n_ports++] = pr;
	}
	rt_list_free(&l);
	return r;
}

static int set_event(int *out, const char *value, char *err, size_t errlen)
{
	for (int i = 1; i < RT_RULE_EV__COUNT; i++)
		if (strcmp(value, event_names[i]) == 0) {
			*out = i;
			return 0;
		}
	snprintf(err, errlen, "unknown event \"%s\"", value);
	return -EINVAL;
}

struct parse_ctx {
	struct rt_ruleset *rs;
	const char *origin;
	size_t first;           /* rules of this file start here */
	char section[128];
};

static struct rt_rule *find_rule(struct rt_ruleset *rs, const char *id, size_t from)
{
	for (size_t i = from; i < rs->n; i++)
		if (strcmp(rs->rules[i].id, id) == 0)
			return &rs->rules[i];
	return NULL;
}

static int begin_rule(struct parse_ctx *c, const char *section, unsigned line, char *err, size_t errlen)
{
	if (!section[0]) {
		snprintf(err, errlen, "a key outside of any [rule] section");
		return -EINVAL;
	}
	if (strlen(section) >= sizeof(c->section)) {
		snprintf(err, errlen, "rule name longer than %zu bytes", sizeof(c->section) - 1);
		return -EINVAL;
	}
	if (find_rule(c->rs, section, 0)) {
		snprintf(err, errlen, "rule [%s] is defined twice", section);
		return -EINVAL;
	}
	if (c->rs->n >= RT_MAX_RULES) {
		snprintf(err, errlen, "more than %d rules", RT_MAX_RULES);
		return -EINVAL;
	}
	struct rt_rule *v = realloc(c->rs->rules, (c->rs->n + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	c->rs->rules = v;
	struct rt_rule *r = &v[c->rs->n];
	memset(r, 0, sizeof(*r));
	r->severity = -1;
	r->enabled = true;
	r->container_only = true;
	char origin[512];
	snprintf(origin, sizeof(origin), "%s:%u", c->origin, line);
	if (!(r->id = strdup(section)) || !(r->origin = strdup(origin))) {
		rule_free(r);
		return -ENOMEM;
	}
	c->rs->n++;
	snprintf(c->section, sizeof(c->section), "%s", section);
	return 0;
}

static int on_key(void *user, const char *section, const char *name, const char *value, unsigned line,
		  char *err, size_t errlen)
{
	struct parse_ctx *c = user;
	int r;
	if ((!section[0] || strcmp(section, c->section) != 0) && (r = begin_rule(c, section, line, err, errlen)) < 0)
		return r;
	struct rt_rule *rule = &c->rs->rules[c->rs->n - 1];
	bool b;
	struct { const char *key; struct rt_list *list; } lists[] = {
		{ "name", &rule->name }, { "exe", &rule->exe }, { "parent", &rule->parent },
		{ "ancestor", &rule->ancestor }, { "path", &rule->path }, { "cap_add", &rule->cap_add },
		{ "mount_source", &rule->mount_source }, { "except_name", &rule->except_name },
		{ "except_exe", &rule->except_exe }, { "except_parent", &rule->except_parent },
		{ "except_ancestor", &rule->except_ancestor }, { "except_path", &rule->except_path },
		{ "except_image", &rule->except_image }, { "except_container", &rule->except_container },
	};
	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
		if (strcmp(name, lists[i].key) == 0)
			return list_add(lists[i].list, value, err, errlen);
	struct { const char *key; enum rt_tri *t; } tris[] = {
		{ "tty", &rule->tty }, { "privileged", &rule->privileged },
		{ "seccomp_unconfined", &rule->seccomp_unconfined }, { "pid_host", &rule->pid_host },
		{ "network_host", &rule->network_host }, { "docker_sock", &rule->docker_sock },
	};
	for (size_t i = 0; i < sizeof(tris) / sizeof(tris[0]); i++)
		if (strcmp(name, tris[i].key) == 0)
			return set_tri(tris[i].t, value, err, errlen);
	if (strcmp(name, "description") == 0)
		return set_string(&rule->description, value);
	if (strcmp(name, "mitre") == 0)
		return set_string(&rule->mitre, value);
	if (strcmp(name, "event") == 0)
		return set_event(&rule->event, value, err, errlen);
	if (strcmp(name, "flags") == 0)
		return set_flags(&rule->flags_all, value, err, errlen);
	if (strcmp(name, "any_flags") == 0)
		return set_flags(&rule->flags_any, value, err, errlen);
	if (strcmp(name, "open") == 0)
		return set_open(&rule->open_mode, value, err, errlen);
	if (strcmp(name, "port") == 0)
		return set_ports(rule, value, err, errlen);
	if (strcmp(name, "severity") == 0) {
		for (int i = 0; i <= RT_SEV_CRITICAL; i++)
			if (strcasecmp(value, severity_names[i]) == 0) {
				rule->severity = i;
				return 0;
			}
		snprintf(err, errlen, "severity must be info, low, medium, high or critical, got \"%s\"", value);
		return -EINVAL;
	}
	if (strcmp(name, "family") == 0) {
		for (size_t i = 0; i < sizeof(family_names) / sizeof(family_names[0]); i++)
			if (strcmp(value, family_names[i].name) == 0) {
				rule->family = family_names[i].family;
				return 0;
			}
		snprintf(err, errlen, "family must be unix, inet, inet6 or packet, got \"%s\"", value);
		return -EINVAL;
	}
	if (strcmp(name, "enabled") == 0 || strcmp(name, "container_only") == 0) {
		if (parse_bool(value, &b) < 0) {
			snprintf(err, errlen, "%s: expected true or false, got \"%s\"", name, value);
			return -EINVAL;
		}
		*(name[0] == 'e' ? &rule->enabled : &rule->container_only) = b;
		return 0;
	}
	snprintf(err, errlen, "unknown key \"%s\" in rule [%s]", name, section);
	return -EINVAL;
}

static bool has_wildcard(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

/* A path glob must give the kernel a prefix or a literal suffix to filter on. */
static int check_path_glob(const char *g, char *err, size_t errlen)
{
	if (g[0] == '/')
		return 0;
	if (g[0] == '*' && g[1] == '/' && !has_wildcard(g + 1))
		return 0;
	snprintf(err, errlen, "path \"%s\" must be absolute or \"*/NAME\" with a literal NAME", g);
	return -EINVAL;
}

static int validate(const struct rt_rule *r, char *err, size_t errlen)
{
	const char *why = NULL;
	bool kernel = r->event != RT_RULE_EV_CONTAINER_START;
	bool pathy = r->event == RT_EV_OPEN || r->event == RT_EV_TRUNCATE || r->event == RT_EV_SYMLINK ||
		     r->event == RT_EV_CONNECT || r->event == RT_EV_CHMOD || r->event == RT_EV_MOUNT;
	if (!r->event)
		why = "no event";
	else if (!r->description || !r->description[0])
		why = "no description";
	else if (r->severity < 0)
		why = "no severity";
	else if (r->path.n && !pathy)
		why = "path is not a condition of this event";
	else if ((r->event == RT_EV_OPEN || r->event == RT_EV_TRUNCATE || r->event == RT_EV_SYMLINK) && !r->path.n)
		why = "this event needs a path (the kernel filters on it)";
	else if (r->event == RT_EV_OPEN && !r->open_mode)
		why = "open needs open = read, write and/or truncate";
	else if (r->event != RT_EV_OPEN && r->open_mode)
		why = "open is a condition of the open event only";
	else if (r->event == RT_EV_CONNECT && !r->n_ports && !(r->family == AF_UNIX && r->path.n))
		why = "connect needs a port list, or family = unix and a path";
	else if (r->n_ports && r->event != RT_EV_CONNECT)
		why = "port is a condition of connect only";
	else if ((r->flags_all || r->flags_any || r->tty) && r->event != RT_EV_EXEC)
		why = "flags and tty are conditions of exec only";
	else if (kernel && (r->privileged || r->seccomp_unconfined || r->pid_host || r->network_host ||
			    r->docker_sock || r->cap_add.n || r->mount_source.n))
		why = "launch conditions (privileged, cap_add, ...) belong to container_start rules";
	else if (!kernel && (r->name.n || r->exe.n || r->parent.n || r->ancestor.n))
		why = "process conditions do not apply to container_start";
	else if (!kernel && !r->container_only)
		why = "container_start is about containers only";
	if (why) {
		snprintf(err, errlen, "rule [%s]: %s", r->id, why);
		return -EINVAL;
	}
	if (r->event != RT_EV_MOUNT)
		for (size_t i = 0; i < r->path.n; i++) {
			char e2[200];
			if (check_path_glob(r->path.v[i], e2, sizeof(e2)) < 0) {
				snprintf(err, errlen, "rule [%s]: %s", r->id, e2);
				return -EINVAL;
			}
		}
	return 0;
}

int rt_rules_parse_text(struct rt_ruleset *rs, const char *origin, const char *text, size_t len,
			char *err, size_t errlen)
{
	struct parse_ctx c = { .rs = rs, .origin = origin, .first = rs->n };
	int r = ini_file_parse_text(origin, text, len, on_key, &c, err, errlen);
	for (size_t i = c.first; r == 0 && i < rs->n; i++) {
		char e2[400];
		if ((r = validate(&rs->rules[i], e2, sizeof(e2))) < 0)
			snprintf(err, errlen, "%s: %s", rs->rules[i].origin, e2);
	}
	if (r < 0) {
		/* a file is taken whole or not at all */
		for (size_t i = c.first; i < rs->n; i++)
			rule_free(&rs->rules[i]);
		rs->n = c.first;
	}
	return r;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int rt_rules_load_dir(struct rt_ruleset *rs, const char *dir, char *err, size_t errlen)
{
	DIR *d = opendir(dir);
	if (!d) {
		int r = -errno;
		snprintf(err, errlen, "rules directory %s: %s", dir, strerror(-r));
		return r;
	}
	char **names = NULL;
	size_t n = 0;
	int r = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);
		if (l < 5 || strcmp(de->d_name + l - 4, ".ini") != 0 || de->d_name[0] == '.')
			continue;
		char **v = realloc(names, (n + 1) * sizeof(*v));
		if (!v || !(v[n] = strdup(de->d_name))) {
			names = v ? v : names;
			r = -ENOMEM;
			goto out;
		}
		names = v;
		n++;
	}
	qsort(names, n, sizeof(*names), cmp_names);
	for (size_t i = 0; i < n && r == 0; i++) {
		char path[4096], *text = NULL;
		size_t len;
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		r = read_file_capped(path, INI_FILE_MAX_BYTES, &text, &len);
		if (r < 0) {
			snprintf(err, errlen, "%s: %s", path, strerror(-r));
			break;
		}
		r = rt_rules_parse_text(rs, path, text, len, err, errlen);
		free(text);
	}
	if (r == 0 && rs->n == 0) {
		snprintf(err, errlen, "rules directory %s holds no rules (*.ini)", dir);
		r = -ENOENT;
	}
out:
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	closedir(d);
	return r;
}
