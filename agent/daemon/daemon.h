/* daemon.h: `dockward daemon`'s event loop: Docker events, timers, findings state, spooling of changes. */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "config.h"
#include "docker/client.h"

struct daemon_options {
	struct config *cfg;             /* the daemon may replace its contents on reload */
	struct docker_client *(*make_client)(const struct config *cfg, void *user);
	void *make_client_user;
	const char *host_name, *host_id;
	int notify_fd;                  /* written to when a batch is spooled; -1 = none */
	int signal_fd;                  /* signalfd for SIGTERM, SIGINT, SIGHUP */
	pid_t uploader_pid;
	uid_t spool_uid;                /* batches go to the uploader's user; -1 = ours */
	gid_t spool_gid;
	/* SIGHUP: reload the configuration into o->cfg (and restart the uploader,
	 * updating notify_fd and uploader_pid); <0 keeps everything as it was */
	int (*reload)(struct daemon_options *o, char *err, size_t errlen);
	void *user;
	/* one full evaluation, spooled and handed to the uploader, then stop
	 * (the daily one-shot run); an unreachable engine is then an error */
	bool once;
};

/* Runs until SIGTERM/SIGINT; returns 0 after a clean stop (state saved,
 * pending events spooled) or a negative errno when it could not start. */
int daemon_run(struct daemon_options *o, char *err, size_t errlen);

/* Milliseconds to wait before reconnect attempt n (1, 2, ...): 1s doubling to 30s. */
uint64_t daemon_reconnect_delay_ms(unsigned attempt);
