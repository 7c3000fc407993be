/* app.h: the top-level context a command runs with: configuration and global options. */
#pragma once
#include <stdbool.h>

#include "config.h"
#include "docker/client.h"

struct app {
	struct config cfg;
	const char *config_path;
	const char *docker_host;        /* --docker-host, NULL when not given */
};

/* Builds a client from --docker-host > DOCKER_HOST > [docker] host > the default.
 * Logs and returns a negative errno on failure. */
int app_docker_client(const struct app *a, struct docker_client **out);
/* Maps a Docker client failure to an exit status after logging it. */
int app_docker_failed(struct docker_client *c, int err);

struct command {
	const char *name;
	const char *summary;
	int (*run)(struct app *a, int argc, char **argv);
};

int cmd_version(struct app *a, int argc, char **argv);
int cmd_watch(struct app *a, int argc, char **argv);
int cmd_inventory(struct app *a, int argc, char **argv);
int cmd_scan(struct app *a, int argc, char **argv);
int cmd_daemon(struct app *a, int argc, char **argv);
int cmd_status(struct app *a, int argc, char **argv);
int cmd_events(struct app *a, int argc, char **argv);
int cmd_db(struct app *a, int argc, char **argv);
int cmd_audit(struct app *a, int argc, char **argv);
int cmd_rules(struct app *a, int argc, char **argv);

/* "--format text|json" style values; returns the index in names or -1. */
int parse_choice(const char *value, const char *const *names, int n);
