/* timefmt.c: times as every report writes them: RFC 3339 in UTC, to the second. */
#include "timefmt.h"

void format_utc(time_t t, char *out, size_t len)
{
	struct tm tm;
	gmtime_r(&t, &tm);
	if (len && strftime(out, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		out[0] = '\0';
}
