/* exitcode.h: the exit statuses every dockward command shares (documented in dockward(8)). */
#pragma once

enum {
	EXIT_OK = 0,            /* ran; nothing at or above the failure threshold */
	EXIT_FINDINGS = 1,      /* ran; findings at or above the threshold */
	EXIT_USAGE = 2,         /* bad command line, configuration or input file */
	EXIT_CANNOT_RUN = 3,    /* could not run: Docker unreachable, no permission, ... */
};
