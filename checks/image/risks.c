/* risks.c: the image risk checks: root user, healthcheck, secret-looking variables and history steps, setuid/setgid files. */
#include "image/risks.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "image/imagefs.h"

static const char *const sev_names[SEV_COUNT] = { "unknown", "low", "medium", "high", "critical" };

const char *severity_name(enum severity s)
{
	return (unsigned)s < SEV_COUNT ? sev_names[s] : "unknown";
}

int severity_parse(const char *s)
{
	for (int i = 0; i < SEV_COUNT; i++)
		if (strcasecmp(s, sev_names[i]) == 0)
			return i;
	if (strcasecmp(s, "moderate") == 0)
		return SEV_MEDIUM;
	if (strcasecmp(s, "important") == 0)
		return SEV_HIGH;
	if (strcasecmp(s, "negligible") == 0 || strcasecmp(s, "unimportant") == 0)
		return SEV_LOW;
	return -1;
}

static const struct {
	const char *id, *cis, *title, *remedy;
} kinds[RISK_KIND_COUNT] = {
	[RISK_ROOT_USER] = { "DW-IMG-ROOT-USER", "4.1", "image runs as root",
			     "add a USER instruction with a non-root user" },
	[RISK_NO_HEALTHCHECK] = { "DW-IMG-NO-HEALTHCHECK", "4.6", "image has no HEALTHCHECK",
				  "add a HEALTHCHECK instruction" },
	[RISK_SETUID] = { "DW-IMG-SETUID", "4.8", "setuid/setgid file",
			  "remove the setuid/setgid bit (chmod u-s,g-s) unless the file needs it" },
	[RISK_SECRET_ENV] = { "DW-IMG-SECRET-ENV", "4.10", "secret in an environment variable of the image",
			      "pass secrets at run time (secrets, mounted files), not in ENV" },
	[RISK_SECRET_HISTORY] = { "DW-IMG-SECRET-HISTORY", "4.10", "secret in the image's build history",
				  "use build secrets (RUN --mount=type=secret) instead of ARG/ENV for credentials" },
};

const char *risk_id(enum risk_kind k) { return kinds[k].id; }
const char *risk_cis(enum risk_kind k) { return kinds[k].cis; }
const char *risk_title(enum risk_kind k) { return kinds[k].title; }
const char *risk_remedy(enum risk_kind k) { return kinds[k].remedy; }

int risk_list_add(struct risk_list *l, enum risk_kind k, enum severity s, const char *subject, const char *detail)
{
	if (l->len == l->alloc) {
		size_t na = l->alloc ? l->alloc * 2 : 16;
		struct image_risk *n = realloc(l->items, na * sizeof(*n));
		if (!n)
			return -ENOMEM;
		l->items = n;
		l->alloc = na;
	}
	struct image_risk *r = &l->items[l->len];
	r->kind = k;
	r->severity = s;
	r->subject = strdup(subject ? subject : "");
	r->detail = strdup(detail ? detail : "");
	if (!r->subject || !r->detail) {
		free(r->subject);
		free(r->detail);
		return -ENOMEM;
	}
	l->len++;
	return 0;
}

void risk_list_free(struct risk_list *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->len; i++) {
		free(l->items[i].subject);
		free(l->items[i].detail);
	}
	free(l->items);
	memset(l, 0, sizeof(*l));
}

static bool ends_with(const char *s, size_t len, const char *suffix)
{
	size_t sl = strlen(suffix);
	return len >= sl && strncasecmp(s + len - sl, suffix, sl) == 0;
}

static bool contains(const char *s, size_t len, const char *needle)
{
	size_t nl = strlen(needle);
	for (size_t i = 0; i + nl <= len; i++)
		if (strncasecmp(s + i, needle, nl) == 0)
			return true;
	return false;
}

bool secret_name(const char *name, size_t len)
{
	static const char *const words[] = { "PASSWORD", "PASSWD", "SECRET", "TOKEN", "API_KEY", "APIKEY",
					     "PRIVATE_KEY", "ACCESS_KEY", "CREDENTIAL", "AUTH_KEY" };
	if (ends_with(name, len, "_FILE") || ends_with(name, len, "_PATH") || ends_with(name, len, "_DIR"))
		return false;
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (contains(name, len, words[i]))
			return true;
	return false;
}

bool secret_value(const char *value)
{
	const char *b = strstr(value, "-----BEGIN ");
	return b && strstr(b, "PRIVATE KEY-----");
}

static bool is_root_user(const char *user)
{
	if (!user || !*user)
		return true;
	/* "user[:group]": only the user part decides */
	size_t ul = strcspn(user, ":");
	return (ul == 4 && strncmp(user, "root", 4) == 0) || (ul == 1 && user[0] == '0');
}

/* Is an env var "NAME=value" a secret: reports its name in name. */
static bool env_secret(const char *kv, char *name, size_t namelen)
{
	const char *eq = strchr(kv, '=');
	if (!eq || eq == kv)
		return false;
	size_t nl = (size_t)(eq - kv);
	const char *value = eq + 1;
	if (!*value)
		return false;
	if (!secret_name(kv, nl) && !secret_value(value))
		return false;
	snprintf(name, namelen, "%.*s", (int)(nl < namelen ? nl : namelen - 1), kv);
	return true;
}

static bool env_has_name(const struct image_facts *f, const char *name)
{
	size_t nl = strlen(name);
	for (size_t i = 0; i < f->n_env; i++)
		if (strncmp(f->env[i], name, nl) == 0 && f->env[i][nl] == '=')
			return true;
	return false;
}

/* NAME=value words of one history step that look secret (not already in the
 * final environment, which the env check reports). */
static int history_secrets(const struct image_facts *f, size_t step, struct risk_list *out)
{
	const char *s = f->history[step];
	int r = 0;
	char reported[8][128];
	size_t n_rep = 0;
	for (const char *p = s; *p && r == 0;) {
		/* a word: letters, digits, '_' followed by '=' */
		if (!(isalpha((unsigned char)*p) || *p == '_') || (p > s && (isalnum((unsigned char)p[-1]) || p[-1] == '_'))) {
			p++;
			continue;
		}
		const char *w = p;
		while (isalnum((unsigned char)*p) || *p == '_')
			p++;
		if (*p != '=')
			continue;
		size_t nl = (size_t)(p - w);
		const char *v = p + 1;
		bool has_value = *v && !isspace((unsigned char)*v) && !(v[0] == '"' && v[1] == '"') &&
				 !(v[0] == '\'' && v[1] == '\'');
		if (!has_value || nl >= 128 || !secret_name(w, nl))
			continue;
		char name[128];
		snprintf(name, sizeof(name), "%.*s", (int)nl, w);
		if (env_has_name(f, name))
			continue;
		bool dup = false;
		for (size_t i = 0; i < n_rep; i++)
			dup |= strcmp(reported[i], name) == 0;
		if (dup)
			continue;
		if (n_rep < 8)
			snprintf(reported[n_rep++], sizeof(reported[0]), "%s", name);
		char subject[200], detail[320];
		snprintf(subject, sizeof(subject), "history step %zu: %s", step + 1, name);
		snprintf(detail, sizeof(detail), "build step %zu sets %s (value not shown)", step + 1, name);
		r = risk_list_add(out, RISK_SECRET_HISTORY, SEV_HIGH, subject, detail);
	}
	if (r == 0 && secret_value(s)) {
		char subject[64];
		snprintf(subject, sizeof(subject), "history step %zu", step + 1);
		r = risk_list_add(out, RISK_SECRET_HISTORY, SEV_HIGH, subject,
				  "a build step holds private key material (not shown)");
	}
	return r;
}

int image_risks_config(const struct image_facts *f, struct risk_list *out)
{
	int r = 0;
	if (is_root_user(f->user)) {
		char detail[160];
		snprintf(detail, sizeof(detail), "USER is %s%.64s%s", *(f->user ? f->user : "") ? "\"" : "",
			 *(f->user ? f->user : "") ? f->user : "not set (root)", *(f->user ? f->user : "") ? "\"" : "");
		r = risk_list_add(out, RISK_ROOT_USER, SEV_MEDIUM, "USER", detail);
	}
	if (r == 0 && !f->healthcheck)
		r = risk_list_add(out, RISK_NO_HEALTHCHECK, SEV_LOW, "HEALTHCHECK", "no HEALTHCHECK (or HEALTHCHECK NONE)");
	for (size_t i = 0; i < f->n_env && r == 0; i++) {
		char name[128], detail[200];
		if (!env_secret(f->env[i], name, sizeof(name)))
			continue;
		snprintf(detail, sizeof(detail), "ENV %s holds a secret-looking value (not shown)", name);
		r = risk_list_add(out, RISK_SECRET_ENV, SEV_HIGH, name, detail);
	}
	for (size_t i = 0; i < f->n_history && r == 0; i++)
		if (f->history[i])
			r = history_secrets(f, i, out);
	return r;
}

struct suid_ctx {
	struct risk_list *out;
	size_t visited;
	int err;
};

static int suid_entry(const char *path, const struct stat *st, void *user)
{
	struct suid_ctx *c = user;
	c->visited++;
	if (!S_ISREG(st->st_mode) || !(st->st_mode & (S_ISUID | S_ISGID)))
		return 0;
	char detail[64];
	snprintf(detail, sizeof(detail), "%s%s%s, mode %04o", st->st_mode & S_ISUID ? "setuid" : "",
		 (st->st_mode & S_ISUID) && (st->st_mode & S_ISGID) ? "+" : "",
		 st->st_mode & S_ISGID ? "setgid" : "", (unsigned)(st->st_mode & 07777));
	int r = risk_list_add(c->out, RISK_SETUID, SEV_LOW, path, detail);
	return r < 0 ? r : 0;
}

int image_risks_setuid(struct imagefs *fs, size_t max_entries, struct risk_list *out, size_t *visited,
		       bool *truncated)
{
	struct suid_ctx c = { .out = out };
	imagefs_set_max_entries(fs, max_entries);
	int r = imagefs_walk(fs, "/", IMAGEFS_MAX_DEPTH, suid_entry, &c);
	*visited = c.visited;
	*truncated = r == -E2BIG;
	if (r == -E2BIG)
		r = 0;
	return r;
}
