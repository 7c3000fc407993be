/* waivers.c: the waivers file (INI): which failures of which rules are accepted, on which objects, why and until when. */
#include "audit/waivers.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ini_file.h"

struct wload {
	struct audit_waivers *ws;
	char cur[128];
};

/* "YYYY-MM-DD" → the first second after that day ends, UTC. */
static int parse_date(const char *s, time_t *out)
{
	int y, m, d;
	char tail;
	if (strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 || y < 1970 || y > 9999 ||
	    m < 1 || m > 12 || d < 1 || d > 31)
		return -EINVAL;
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (d > mdays[m - 1] || (m == 2 && d == 29 && !leap))
		return -EINVAL;
	struct tm tm = { .tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d + 1 };
	*out = timegm(&tm);
	return 0;
}

static int set_str(char **field, const char *value)
{
	char *dup = strdup(value);
	if (!dup)
		return -ENOMEM;
	free(*field);
	*field = dup;
	return 0;
}

static int waiver_handler(void *user, const char *section, const char *name, const char *value,
			  unsigned line, char *err, size_t errlen)
{
	struct wload *st = user;
	struct audit_waivers *ws = st->ws;
	if (!section[0]) {
		snprintf(err, errlen, "key \"%s\" outside of any [waiver] section", name);
		return -EINVAL;
	}
	if (!ws->n || strcmp(st->cur, section) != 0) {
		for (size_t i = 0; i < ws->n; i++)
			if (strcmp(ws->w[i].name, section) == 0) {
				snprintf(err, errlen, "waiver [%s] given twice", section);
				return -EINVAL;
			}
		if (ws->n >= AUDIT_MAX_WAIVERS) {
			snprintf(err, errlen, "more than %d waivers", AUDIT_MAX_WAIVERS);
			return -E2BIG;
		}
		struct audit_waiver *grown = realloc(ws->w, (ws->n + 1) * sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		ws->w = grown;
		struct audit_waiver *w = &grown[ws->n];
		memset(w, 0, sizeof(*w));
		w->line = line;
		if (!(w->name = strdup(section)))
			return -ENOMEM;
		ws->n++;
		snprintf(st->cur, sizeof(st->cur), "%s", section);
	}
	struct audit_waiver *w = &ws->w[ws->n - 1];
	if (strcmp(name, "rule") == 0) {
		for (const char *p = value; *p; p++)
			if (!isdigit((unsigned char)*p) && *p != '.') {
				snprintf(err, errlen, "rule must be a rule id or section such as 5.4 or 5, not \"%s\"", value);
				return -EINVAL;
			}
		return set_str(&w->rule, value);
	}
	if (strcmp(name, "container") == 0)
		return set_str(&w->container, value);
	if (strcmp(name, "image") == 0)
		return set_str(&w->image, value);
	if (strcmp(name, "reason") == 0)
	{
		if (!w->reason)
			return set_str(&w->reason, value);
		/* an indented continuation line */
		char *joined;
		if (asprintf(&joined, "%s %s", w->reason, value) < 0)
			return -ENOMEM;
		free(w->reason);
		w->reason = joined;
		return 0;
	}
	if (strcmp(name, "expires") == 0) {
		if (parse_date(value, &w->expires) < 0) {
			snprintf(err, errlen, "expires must be a date YYYY-MM-DD, not \"%s\"", value);
			return -EINVAL;
		}
		snprintf(w->expires_text, sizeof(w->expires_text), "%s", value);
		return 0;
	}
	snprintf(err, errlen, "unknown key \"%s\" (rule, container, image, reason, expires)", name);
	return -EINVAL;
}

int audit_waivers_load_text(struct audit_waivers *ws, const char *origin, const char *text, size_t len,
			    char *err, size_t errlen)
{
	struct wload st = { .ws = ws };
	memset(ws, 0, sizeof(*ws));
	int r = ini_file_parse_text(origin, text, len, waiver_handler, &st, err, errlen);
	for (size_t i = 0; r == 0 && i < ws->n; i++) {
		const struct audit_waiver *w = &ws->w[i];
		const char *missing = !w->rule ? "rule" : !w->reason || !w->reason[0] ? "reason" : NULL;
		if (missing) {
			snprintf(err, errlen, "%s:%u: waiver [%s] has no %s", origin, w->line, w->name, missing);
			r = -EINVAL;
		}
	}
	if (r == 0 && !(ws->origin = strdup(origin)))
		r = -ENOMEM;
	if (r < 0)
		audit_waivers_free(ws);
	return r;
}

int audit_waivers_load(struct audit_waivers *ws, const char *path, char *err, size_t errlen)
{
	char *text;
	size_t len;
	memset(ws, 0, sizeof(*ws));
	int r = read_file_capped(path, INI_FILE_MAX_BYTES, &text, &len);
	if (r < 0) {
		snprintf(err, errlen, "%s: %s", path, r == -EFBIG ? "file too large" : strerror(-r));
		return r;
	}
	r = audit_waivers_load_text(ws, path, text, len, err, errlen);
	free(text);
	return r;
}

void audit_waivers_free(struct audit_waivers *ws)
{
	if (!ws)
		return;
	for (size_t i = 0; i < ws->n; i++) {
		free(ws->w[i].name);
		free(ws->w[i].rule);
		free(ws->w[i].container);
		free(ws->w[i].image);
		free(ws->w[i].reason);
	}
	free(ws->w);
	free(ws->origin);
	memset(ws, 0, sizeof(*ws));
}

bool audit_waiver_expired(const struct audit_waiver *w, time_t now)
{
	return w->expires && now >= w->expires;
}
