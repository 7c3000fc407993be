/* log.c: the top layer's messages to stderr; library code returns errors instead. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>

#include "config.h"

/* set once from the command line / config before any work starts */
static int log_level = LOG_LEVEL_WARNING;

void log_set_level(int level)
{
	log_level = level;
}

__attribute__((format(printf, 2, 0))) static void vlog(int level, const char *fmt, va_list ap)
{
	if (level > log_level)
		return;
	static const char *const prefix[] = { "", "warning: ", "", "debug: " };
	fprintf(stderr, "dockward: %s", prefix[level]);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

#define LOGFN(name, level)                   \
	void name(const char *fmt, ...)      \
	{                                    \
		va_list ap;                  \
		va_start(ap, fmt);           \
		vlog(level, fmt, ap);        \
		va_end(ap);                  \
	}
LOGFN(log_error, LOG_LEVEL_ERROR)
LOGFN(log_warning, LOG_LEVEL_WARNING)
LOGFN(log_info, LOG_LEVEL_INFO)
LOGFN(log_debug, LOG_LEVEL_DEBUG)
