/* waivers.h: the waivers file (INI): which failures of which rules are accepted, on which objects, why and until when. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

struct audit_waiver {
	char *name;             /* the [section] */
	char *rule;             /* rule id or section prefix ("5.4", "5") */
	char *container;        /* glob on container names, NULL = any */
	char *image;            /* glob on image references, NULL = any */
	char *reason;
	time_t expires;         /* end of that day, UTC; 0 = never */
	char expires_text[16];
	unsigned line;
};

struct audit_waivers {
	struct audit_waiver *w; size_t n;
	char *origin;
};

#define AUDIT_MAX_WAIVERS 10000

/* Returns 0 or -EINVAL with "FILE:LINE: reason" in err (unknown key, missing rule or reason, bad date). */
int audit_waivers_load_text(struct audit_waivers *ws, const char *origin, const char *text, size_t len,
			    char *err, size_t errlen);
int audit_waivers_load(struct audit_waivers *ws, const char *path, char *err, size_t errlen);
void audit_waivers_free(struct audit_waivers *ws);
bool audit_waiver_expired(const struct audit_waiver *w, time_t now);
