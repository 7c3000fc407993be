/* rules.c: loading a rule set from INI files and resolving it for one benchmark version. */
#include "audit/rules.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ini_file.h"

static const char *const severity_names[SEV_N] = { "low", "medium", "high", "critical" };
static const char *const scope_names[SCOPE_N] = { "host", "daemon", "file", "image", "container", "swarm" };

const char *audit_severity_name(enum audit_severity s)
{
	return (unsigned)s < SEV_N ? severity_names[s] : "?";
}

int audit_severity_parse(const char *s)
{
	for (int i = 0; i < SEV_N; i++)
		if (strcmp(s, severity_names[i]) == 0)
			return i;
	return -1;
}

const char *audit_scope_name(enum audit_scope s)
{
	return (unsigned)s < SCOPE_N ? scope_names[s] : "?";
}

int audit_id_cmp(const char *a, const char *b)
{
	while (*a || *b) {
		if (!*a)
			return -1;
		if (!*b)
			return 1;
		unsigned long x = strtoul(a, (char **)&a, 10), y = strtoul(b, (char **)&b, 10);
		if (x != y)
			return x < y ? -1 : 1;
		if (*a == '.')
			a++;
		if (*b == '.')
			b++;
	}
	return 0;
}

bool audit_id_matches(const char *id, const char *list)
{
	const char *p = list;
	while (p && *p) {
		while (*p == ',' || *p == ' ')
			p++;
		size_t n = strcspn(p, ", ");
		/* "5" selects 5.x, "1.1" selects 1.1.x, "5.1" selects 5.1 but not 5.10 */
		if (n && strncmp(id, p, n) == 0 && (id[n] == '\0' || id[n] == '.'))
			return true;
		p += n;
	}
	return false;
}

/* "5.4"; a section name may add "@TAG" ("2.7@1.8.0") to stay unique beside
 * another benchmark's rule of the same id: the rule's id is the part before it. */
static bool valid_id(const char *s)
{
	if (!isdigit((unsigned char)*s))
		return false;
	for (; *s && *s != '@'; s++)
		if (!isdigit((unsigned char)*s) && !(*s == '.' && isdigit((unsigned char)s[1])))
			return false;
	if (*s == '@' && (!s[1] || strspn(s + 1, "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ._-") !=
				   strlen(s + 1)))
		return false;
	return true;
}

struct load_state {
	struct audit_ruleset *rs;
	struct audit_rule *cur;
	char *ruleset_benchmarks;       /* raw [ruleset] benchmarks value */
	/* the text, to tell an indented continuation line from a repeated key */
	const char *text, *end, *line_start;
	unsigned line_no;
};

/* Whether line (1-based, never smaller than the last one asked about) starts with blank space. */
static bool line_indented(struct load_state *st, unsigned line)
{
	while (st->line_no < line && st->line_start < st->end) {
		const char *nl = memchr(st->line_start, '\n', (size_t)(st->end - st->line_start));
		st->line_start = nl ? nl + 1 : st->end;
		st->line_no++;
	}
	return st->line_start < st->end && (*st->line_start == ' ' || *st->line_start == '\t');
}

static int add_key(struct audit_rule *r, const char *name, const char *value, unsigned line)
{
	const char *at = strchr(name, '@');
	size_t nlen = at ? (size_t)(at - name) : strlen(name);
	struct audit_rule_key *grown = realloc(r->keys, (r->n_keys + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	r->keys = grown;
	struct audit_rule_key *k = &grown[r->n_keys];
	k->name = strndup(name, nlen);
	k->profile = strdup(at ? at + 1 : "");
	k->value = strdup(value);
	k->line = line;
	if (!k->name || !k->profile || !k->value) {
		free(k->name);
		free(k->profile);
		free(k->value);
		return -ENOMEM;
	}
	r->n_keys++;
	return 0;
}

static int append_value(char **v, const char *more)
{
	size_t a = strlen(*v), b = strlen(more);
	char *grown = realloc(*v, a + b + 2);
	if (!grown)
		return -ENOMEM;
	grown[a] = ' ';
	memcpy(grown + a + 1, more, b + 1);
	*v = grown;
	return 0;
}

static int ruleset_key(struct load_state *st, const char *name, const char *value, char *err, size_t errlen)
{
	char **field = NULL;
	if (strcmp(name, "name") == 0)
		field = &st->rs->name;
	else if (strcmp(name, "benchmarks") == 0)
		field = &st->ruleset_benchmarks;
	if (!field) {
		snprintf(err, errlen, "unknown key \"%s\" in [ruleset] (name, benchmarks)", name);
		return -EINVAL;
	}
	char *dup = strdup(value);
	if (!dup)
		return -ENOMEM;
	free(*field);
	*field = dup;
	return 0;
}

static int rules_handler(void *user, const char *section, const char *name, const char *value,
			 unsigned line, char *err, size_t errlen)
{
	struct load_state *st = user;
	bool continuation = line_indented(st, line);
	if (strcmp(section, "ruleset") == 0)
		return ruleset_key(st, name, value, err, errlen);
	if (!valid_id(section)) {
		snprintf(err, errlen, "[%s]: a rule's section is its id, such as [5.4]", section);
		return -EINVAL;
	}
	if (!st->cur || strcmp(st->cur->id, section) != 0) {
		for (size_t i = 0; i < st->rs->n_rules; i++)
			if (strcmp(st->rs->rules[i].id, section) == 0) {
				snprintf(err, errlen, "rule [%s] defined twice (first at line %u)", section,
					 st->rs->rules[i].line);
				return -EINVAL;
			}
		if (st->rs->n_rules >= AUDIT_MAX_RULES) {
			snprintf(err, errlen, "more than %d rules", AUDIT_MAX_RULES);
			return -E2BIG;
		}
		struct audit_rule *grown = realloc(st->rs->rules, (st->rs->n_rules + 1) * sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		st->rs->rules = grown;
		st->cur = &grown[st->rs->n_rules];
		memset(st->cur, 0, sizeof(*st->cur));
		st->cur->line = line;
		st->cur->id = strdup(section);
		if (!st->cur->id)
			return -ENOMEM;
		st->rs->n_rules++;
		continuation = false;
	}
	struct audit_rule *r = st->cur;
	if (continuation && r->n_keys)
		return append_value(&r->keys[r->n_keys - 1].value, value);
	for (size_t i = 0; i < r->n_keys; i++) {
		const struct audit_rule_key *k = &r->keys[i];
		size_t n = strlen(k->name);
		if (strncmp(name, k->name, n) == 0 && (name[n] == '@' ? strcmp(name + n + 1, k->profile) == 0
								     : name[n] == '\0' && !k->profile[0])) {
			snprintf(err, errlen, "[%s] key \"%s\" given twice (first at line %u)", section, name, k->line);
			return -EINVAL;
		}
	}
	return add_key(r, name, value, line);
}

/* The key's value for the benchmark: NAME@BENCHMARK, else NAME. */
static const struct audit_rule_key *rule_key(const struct audit_rule *r, const char *name, const char *bench)
{
	const struct audit_rule_key *plain = NULL;
	for (size_t i = 0; i < r->n_keys; i++) {
		if (strcmp(r->keys[i].name, name) != 0)
			continue;
		if (bench && bench[0] && strcmp(r->keys[i].profile, bench) == 0)
			return &r->keys[i];
		if (!r->keys[i].profile[0])
			plain = &r->keys[i];
	}
	return plain;
}

static bool name_in(const char *name, const char *const *list)
{
	for (; list && *list; list++)
		if (strcmp(name, *list) == 0)
			return true;
	return false;
}

static int resolve_check(struct audit_rule *r, const char *bench, const char *origin, char *err, size_t errlen)
{
	const struct audit_rule_key *ck = rule_key(r, "check", bench);
	if (!ck || !ck->value[0])
		return 0;
	r->prim = audit_primitive_find(ck->value);
	if (!r->prim) {
		snprintf(err, errlen, "%s:%u: [%s] unknown check primitive \"%s\"", origin, ck->line, r->id, ck->value);
		return -EINVAL;
	}
	for (size_t i = 0; i < r->n_keys; i++) {
		const struct audit_rule_key *k = &r->keys[i];
		if (strncmp(k->name, "check.", 6) != 0)
			continue;
		const char *pname = k->name + 6;
		static const char *const requirements[] = { "apparmor", "selinux", "swarm", "tcp-socket", NULL };
		if (strcmp(pname, "requires") == 0 && !name_in(k->value, requirements)) {
			snprintf(err, errlen, "%s:%u: [%s] check.requires must be apparmor, selinux, swarm or tcp-socket",
				 origin, k->line, r->id);
			return -EINVAL;
		}
		if (strcmp(pname, "requires") != 0 && !name_in(pname, r->prim->required) &&
		    !name_in(pname, r->prim->optional)) {
			snprintf(err, errlen, "%s:%u: [%s] check %s has no parameter \"%s\"", origin, k->line, r->id,
				 r->prim->name, pname);
			return -EINVAL;
		}
		if (rule_key(r, k->name, bench) != k)
			continue;       /* overridden for this benchmark, or another benchmark's */
		struct audit_param *grown = realloc(r->params, (r->n_params + 1) * sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		r->params = grown;
		grown[r->n_params].name = strdup(pname);
		grown[r->n_params].value = strdup(k->value);
		r->n_params++;
		if (!grown[r->n_params - 1].name || !grown[r->n_params - 1].value)
			return -ENOMEM;
	}
	for (const char *const *req = r->prim->required; req && *req; req++) {
		bool found = false;
		for (size_t i = 0; i < r->n_params; i++)
			found |= strcmp(r->params[i].name, *req) == 0;
		if (!found) {
			snprintf(err, errlen, "%s:%u: [%s] check %s needs check.%s", origin, ck->line, r->id,
				 r->prim->name, *req);
			return -EINVAL;
		}
	}
	if (r->prim->validate) {
		char why[256] = "";
		int v = r->prim->validate(r->params, r->n_params, why, sizeof(why));
		if (v < 0) {
			snprintf(err, errlen, "%s:%u: [%s] %s", origin, ck->line, r->id, why);
			return v;
		}
	}
	return 0;
}

static int resolve_rule(struct audit_rule *r, const char *bench, const char *origin, char *err, size_t errlen)
{
	static const char *const required[] = { "title", "section", "level", "assessment", "severity", "scope" };
	static const char *const known[] = { "title", "section", "level", "assessment", "severity", "scope",
					     "rationale", "remediation", "check", "id", "benchmarks", NULL };
	for (size_t i = 0; i < r->n_keys; i++)
		if (!name_in(r->keys[i].name, known) && strncmp(r->keys[i].name, "check.", 6) != 0) {
			snprintf(err, errlen, "%s:%u: [%s] unknown key \"%s\"", origin, r->keys[i].line, r->id,
				 r->keys[i].name);
			return -EINVAL;
		}
	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++)
		if (!rule_key(r, required[i], bench)) {
			snprintf(err, errlen, "%s:%u: [%s] has no %s", origin, r->line, r->id, required[i]);
			return -EINVAL;
		}
	const struct audit_rule_key *k = rule_key(r, "id", bench);
	if (k && !k->profile[0]) {
		snprintf(err, errlen, "%s:%u: [%s] id is the section name; id@VERSION renumbers it for one benchmark",
			 origin, k->line, r->id);
		return -EINVAL;
	}
	if (k) {
		/* this benchmark numbers the recommendation differently */
		char *renumbered = strdup(k->value);
		if (!renumbered)
			return -ENOMEM;
		free(r->id);
		r->id = renumbered;
	} else if (strchr(r->id, '@')) {
		*strchr(r->id, '@') = '\0';    /* [2.7@1.8.0] is rule 2.7 */
	}
	r->title = rule_key(r, "title", bench)->value;
	r->section = rule_key(r, "section", bench)->value;
	r->rationale = (k = rule_key(r, "rationale", bench)) ? k->value : "";
	r->remediation = (k = rule_key(r, "remediation", bench)) ? k->value : "";
	k = rule_key(r, "level", bench);
	if (strcmp(k->value, "1") != 0 && strcmp(k->value, "2") != 0) {
		snprintf(err, errlen, "%s:%u: [%s] level must be 1 or 2", origin, k->line, r->id);
		return -EINVAL;
	}
	r->level = k->value[0] - '0';
	k = rule_key(r, "assessment", bench);
	if (strcmp(k->value, "automated") != 0 && strcmp(k->value, "manual") != 0) {
		snprintf(err, errlen, "%s:%u: [%s] assessment must be automated or manual", origin, k->line, r->id);
		return -EINVAL;
	}
	r->automated = k->value[0] == 'a';
	k = rule_key(r, "severity", bench);
	int sev = audit_severity_parse(k->value);
	if (sev < 0) {
		snprintf(err, errlen, "%s:%u: [%s] severity must be low, medium, high or critical", origin, k->line,
			 r->id);
		return -EINVAL;
	}
	r->severity = (enum audit_severity)sev;
	k = rule_key(r, "scope", bench);
	r->scope = SCOPE_N;
	for (int i = 0; i < SCOPE_N; i++)
		if (strcmp(k->value, scope_names[i]) == 0)
			r->scope = (enum audit_scope)i;
	if (r->scope == SCOPE_N) {
		snprintf(err, errlen, "%s:%u: [%s] scope must be host, daemon, file, image, container or swarm",
			 origin, k->line, r->id);
		return -EINVAL;
	}
	return resolve_check(r, bench, origin, err, errlen);
}

static void rule_free(struct audit_rule *r)
{
	for (size_t k = 0; k < r->n_keys; k++) {
		free(r->keys[k].name);
		free(r->keys[k].profile);
		free(r->keys[k].value);
	}
	for (size_t k = 0; k < r->n_params; k++) {
		free(r->params[k].name);
		free(r->params[k].value);
	}
	free(r->keys);
	free(r->params);
	free(r->id);
}

static bool list_has(const char *list, const char *word)
{
	size_t n = strlen(word);
	for (const char *p = list; p && *p;) {
		p += strspn(p, ", ");
		size_t len = strcspn(p, ", ");
		if (len == n && strncmp(p, word, n) == 0)
			return true;
		p += len;
	}
	return false;
}

/* Drops the rules whose "benchmarks" key leaves out bench (a recommendation
 * only some benchmark versions have); a version not in [ruleset] benchmarks is an error. */
static const struct audit_rule_key *benchmarks_key(const struct audit_rule *r)
{
	for (size_t j = 0; j < r->n_keys; j++)
		if (strcmp(r->keys[j].name, "benchmarks") == 0)
			return &r->keys[j];
	return NULL;
}

static int keep_benchmark_rules(struct audit_ruleset *rs, const char *bench, char *err, size_t errlen)
{
	for (size_t i = 0; i < rs->n_rules; i++) {
		struct audit_rule *r = &rs->rules[i];
		const struct audit_rule_key *k = benchmarks_key(r);
		if (k && (k->profile[0] || !k->value[strspn(k->value, ", ")])) {
			snprintf(err, errlen, "%s:%u: [%s] benchmarks must list versions, without @VERSION", rs->origin,
				 k->line, r->id);
			return -EINVAL;
		}
		for (const char *p = k ? k->value : ""; *p;) {
			p += strspn(p, ", ");
			size_t len = strcspn(p, ", ");
			bool known = false;
			for (size_t b = 0; b < rs->n_benchmarks && len; b++)
				known |= strlen(rs->benchmarks[b]) == len && strncmp(rs->benchmarks[b], p, len) == 0;
			if (len && !known) {
				snprintf(err, errlen, "%s:%u: [%s] benchmark \"%.*s\" is not in [ruleset] benchmarks",
					 rs->origin, k->line, r->id, (int)len, p);
				return -EINVAL;
			}
			p += len;
		}
	}
	size_t keep = 0;
	for (size_t i = 0; i < rs->n_rules; i++) {
		const struct audit_rule_key *k = benchmarks_key(&rs->rules[i]);
		if (k && !list_has(k->value, bench))
			rule_free(&rs->rules[i]);
		else
			rs->rules[keep++] = rs->rules[i];
	}
	rs->n_rules = keep;
	return 0;
}

static int cmp_rules(const void *a, const void *b)
{
	return audit_id_cmp(((const struct audit_rule *)a)->id, ((const struct audit_rule *)b)->id);
}

static int split_benchmarks(struct audit_ruleset *rs, const char *list)
{
	const char *p = list;
	while (p && *p) {
		while (*p == ',' || *p == ' ')
			p++;
		size_t n = strcspn(p, ", ");
		if (!n)
			break;
		char **grown = realloc(rs->benchmarks, (rs->n_benchmarks + 1) * sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		rs->benchmarks = grown;
		if (!(grown[rs->n_benchmarks] = strndup(p, n)))
			return -ENOMEM;
		rs->n_benchmarks++;
		p += n;
	}
	return 0;
}

/* Picks the benchmark and resolves every rule for it. */
static int ruleset_finish(struct audit_ruleset *rs, const char *benchmarks, const char *benchmark,
			  char *err, size_t errlen)
{
	int r = split_benchmarks(rs, benchmarks);
	if (r < 0)
		return r;
	if (!rs->n_rules) {
		snprintf(err, errlen, "%s: no rules", rs->origin);
		return -ENOENT;
	}
	const char *pick = benchmark && *benchmark ? benchmark : rs->n_benchmarks ? rs->benchmarks[0] : "";
	bool known = !*pick;
	for (size_t i = 0; i < rs->n_benchmarks; i++)
		known |= strcmp(rs->benchmarks[i], pick) == 0;
	if (!known) {
		snprintf(err, errlen, "benchmark \"%s\" is not in the rule set (%s)", pick,
			 benchmarks && *benchmarks ? benchmarks : "no [ruleset] benchmarks");
		return -EINVAL;
	}
	if (!(rs->benchmark = strdup(pick)))
		return -ENOMEM;
	if (!rs->name && !(rs->name = strdup("rules")))
		return -ENOMEM;
	if ((r = keep_benchmark_rules(rs, pick, err, errlen)) < 0)
		return r;
	qsort(rs->rules, rs->n_rules, sizeof(*rs->rules), cmp_rules);
	for (size_t i = 0; i < rs->n_rules; i++) {
		r = resolve_rule(&rs->rules[i], pick, rs->origin, err, errlen);
		if (r < 0)
			return r;
	}
	qsort(rs->rules, rs->n_rules, sizeof(*rs->rules), cmp_rules);
	for (size_t i = 1; i < rs->n_rules; i++)
		if (strcmp(rs->rules[i - 1].id, rs->rules[i].id) == 0) {
			snprintf(err, errlen, "%s: two rules are %s in benchmark %s", rs->origin, rs->rules[i].id, pick);
			return -EINVAL;
		}
	return 0;
}

static int load_text_into(struct load_state *st, const char *origin, const char *text, size_t len,
			  char *err, size_t errlen)
{
	st->cur = NULL;
	st->text = st->line_start = text;
	st->end = text + len;
	st->line_no = 1;
	return ini_file_parse_text(origin, text, len, rules_handler, st, err, errlen);
}

int audit_ruleset_load_text(struct audit_ruleset *rs, const char *origin, const char *text, size_t len,
			    const char *benchmark, char *err, size_t errlen)
{
	struct load_state st = { .rs = rs };
	memset(rs, 0, sizeof(*rs));
	int r = -ENOMEM;
	if (!(rs->origin = strdup(origin)))
		goto out;
	r = load_text_into(&st, origin, text, len, err, errlen);
	if (r == 0)
		r = ruleset_finish(rs, st.ruleset_benchmarks, benchmark, err, errlen);
out:
	free(st.ruleset_benchmarks);
	if (r < 0)
		audit_ruleset_free(rs);
	return r;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int audit_ruleset_load_dir(struct audit_ruleset *rs, const char *dir, const char *benchmark,
			   char *err, size_t errlen)
{
	struct load_state st = { .rs = rs };
	char **names = NULL;
	size_t n = 0;
	int r = 0;
	memset(rs, 0, sizeof(*rs));
	DIR *d = opendir(dir);
	if (!d) {
		r = -errno;
		snprintf(err, errlen, "rules directory %s: %s", dir, strerror(errno));
		return r;
	}
	struct dirent *e;
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);
		if (l < 5 || strcmp(e->d_name + l - 4, ".ini") != 0 || e->d_name[0] == '.')
			continue;
		char **grown = realloc(names, (n + 1) * sizeof(*grown));
		if (!grown || !(grown[n] = strdup(e->d_name))) {
			if (grown)
				names = grown;
			r = -ENOMEM;
			goto out;
		}
		names = grown;
		n++;
	}
	if (!n) {
		snprintf(err, errlen, "rules directory %s: no *.ini files", dir);
		r = -ENOENT;
		goto out;
	}
	qsort(names, n, sizeof(*names), cmp_str);
	if (!(rs->origin = strdup(dir))) {
		r = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n && r == 0; i++) {
		char path[4096];
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		char *text;
		size_t len;
		r = read_file_capped(path, INI_FILE_MAX_BYTES, &text, &len);
		if (r < 0) {
			snprintf(err, errlen, "%s: %s", path, strerror(-r));
			break;
		}
		r = load_text_into(&st, path, text, len, err, errlen);
		free(text);
	}
	if (r == 0)
		r = ruleset_finish(rs, st.ruleset_benchmarks, benchmark, err, errlen);
out:
	if (d)
		closedir(d);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(st.ruleset_benchmarks);
	if (r < 0)
		audit_ruleset_free(rs);
	return r;
}

void audit_ruleset_free(struct audit_ruleset *rs)
{
	if (!rs)
		return;
	for (size_t i = 0; i < rs->n_rules; i++)
		rule_free(&rs->rules[i]);
	free(rs->rules);
	for (size_t i = 0; i < rs->n_benchmarks; i++)
		free(rs->benchmarks[i]);
	free(rs->benchmarks);
	free(rs->name);
	free(rs->benchmark);
	free(rs->origin);
	memset(rs, 0, sizeof(*rs));
}

const struct audit_rule *audit_ruleset_find(const struct audit_ruleset *rs, const char *id)
{
	for (size_t i = 0; i < rs->n_rules; i++)
		if (strcmp(rs->rules[i].id, id) == 0)
			return &rs->rules[i];
	return NULL;
}
