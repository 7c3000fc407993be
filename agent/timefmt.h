/* timefmt.h: times as every report writes them: RFC 3339 in UTC, to the second. */
#pragma once
#include <stddef.h>
#include <time.h>

#define UTC_TIME_LEN 32

/* "2026-11-23T09:24:37Z" into out (len bytes, UTC_TIME_LEN is enough). */
void format_utc(time_t t, char *out, size_t len);
