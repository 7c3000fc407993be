/* host_daemon.h: parsing the daemon's own configuration sources (command-line flags, daemon.json, environment files, systemd units) into effective options; exposed for tests and fuzzing. */
#pragma once
#include <stddef.h>

#include "audit/host_facts.h"

/* Applies dockerd flags (argv without the program name) under their daemon.json names. */
int host_daemon_apply_args(struct daemon_options *d, char *const *argv, size_t argc,
			   enum daemon_opt_origin origin, const char *source);
/* Applies a daemon.json text; -EBADMSG with the reason in err when it is not a JSON object. */
int host_daemon_apply_json(struct daemon_options *d, const char *text, size_t len, const char *source,
			   char *err, size_t errlen);
/* Splits shell-like words (quotes, backslashes; at most 512 words). */
int host_daemon_split_words(const char *text, char ***argv, size_t *argc);
void host_daemon_free_words(char **argv, size_t argc);
/* Where a systemd unit lives under the host root: the first of the unit dirs that holds it. */
extern const char *const host_unit_dirs[];
int host_find_unit(const struct host_facts *f, const char *unit, char *out, size_t outlen);
