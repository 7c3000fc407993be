/* cmd_daemon.c: `dockward daemon`: the collector process and its unprivileged uploader process. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "daemon/daemon.h"
#include "exitcode.h"
#include "ini_file.h"
#include "log.h"
#include "upstream/atomic_file.h"
#include "upstream/sink_config.h"
#include "upstream/uploader.h"

struct daemon_cmd {
	struct app *a;
	char host_name[256];
	char host_id[256];
	uid_t uid;              /* the uploader's user, (uid_t)-1 = stay as we are */
	gid_t gid;
	struct sink_config *sinks;      /* borrowed strings: the primary, then [sink.NAME] */
	size_t n_sinks;
};

/* The primary collector ([upstream] url) as sink "upstream", then the [sink.NAME] ones. */
static int build_sinks(const struct config *cfg, struct sink_config **out, size_t *n)
{
	*out = calloc(cfg->n_sinks + 1, sizeof(**out));
	*n = 0;
	if (!*out)
		return -ENOMEM;
	if (cfg->upstream_url[0]) {
		struct sink_config *p = &(*out)[(*n)++];
		p->name = "upstream";
		p->type = SINK_COLLECTOR;
		p->url = cfg->upstream_url;
		p->token_file = cfg->upstream_token_file[0] ? cfg->upstream_token_file : NULL;
		p->ca_file = cfg->upstream_ca_file[0] ? cfg->upstream_ca_file : NULL;
		p->client_cert = cfg->upstream_client_cert[0] ? cfg->upstream_client_cert : NULL;
		p->client_key = cfg->upstream_client_key[0] ? cfg->upstream_client_key : NULL;
		p->tls_verify = cfg->upstream_tls_verify;
		p->allow_insecure = cfg->upstream_allow_insecure;
		p->gzip = cfg->upstream_gzip;
		if (cfg->upstream_enroll_url[0]) {
			p->enroll_url = cfg->upstream_enroll_url;
			p->enroll_secret_file = cfg->upstream_enroll_secret_file[0] ? cfg->upstream_enroll_secret_file : NULL;
			p->node_key_file = cfg->upstream_node_key_file[0] ? cfg->upstream_node_key_file : NULL;
		}
	}
	for (size_t i = 0; i < cfg->n_sinks; i++)
		(*out)[(*n)++] = cfg->sinks[i];
	return 0;
}

static void uploader_options_fill(const struct daemon_cmd *dc, const struct config *cfg,
				  const struct sink_config *sinks, size_t n, struct uploader_options *o)
{
	memset(o, 0, sizeof(*o));
	o->spool_dir = cfg->upstream_spool_dir;
	o->sinks = sinks;
	o->n_sinks = n;
	o->timeout_ms = cfg->upstream_timeout_ms;
	o->retry_min_ms = cfg->upstream_retry_min_ms;
	o->retry_max_ms = cfg->upstream_retry_max_ms;
	o->flush_timeout_ms = cfg->upstream_flush_timeout_ms;
	o->host_name = dc->host_name;
	o->host_id = dc->host_id;
	o->notify_fd = -1;
	o->signal_fd = -1;
}

/* Everything the uploader will need, checked now: sink settings, secrets and their modes. */
static int check_upstream(struct daemon_cmd *dc, const struct config *cfg, char *err, size_t errlen)
{
	struct sink_config *sinks;
	size_t n;
	int r = build_sinks(cfg, &sinks, &n);
	if (r < 0)
		return r;
	struct uploader_options o;
	uploader_options_fill(dc, cfg, sinks, n, &o);
	struct uploader *u;
	r = uploader_new(&o, &u, err, errlen);
	uploader_free(r == 0 ? u : NULL);
	free(sinks);
	return r;
}

static bool has_destination(const struct config *cfg)
{
	return cfg->upstream_url[0] || cfg->n_sinks > 0;
}

static void host_identity(struct daemon_cmd *dc)
{
	if (gethostname(dc->host_name, sizeof(dc->host_name)) < 0)
		snprintf(dc->host_name, sizeof(dc->host_name), "localhost");
	dc->host_name[sizeof(dc->host_name) - 1] = '\0';
	char path[4096], *text;
	size_t len;
	snprintf(path, sizeof(path), "%s/etc/machine-id", dc->a->cfg.host_root);
	if (read_file_capped(path, 256, &text, &len) == 0) {
		text[strcspn(text, " \t\r\n")] = '\0';
		snprintf(dc->host_id, sizeof(dc->host_id), "%s", text);
		free(text);
	}
	if (!dc->host_id[0])
		snprintf(dc->host_id, sizeof(dc->host_id), "%s", dc->host_name);
}

static int drop_privileges(uid_t uid, gid_t gid)
{
	if (uid == (uid_t)-1)
		return 0;
	if (setgroups(0, NULL) < 0 || setgid(gid) < 0 || setuid(uid) < 0)
		return -errno;
	/* make sure there is no way back */
	if (setuid(0) == 0 && uid != 0)
		return -EPERM;
	return 0;
}

/* The uploader process: reads its secrets, gives up root, delivers until told to stop. */
static int uploader_child(struct daemon_cmd *dc, int sock)
{
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	prctl(PR_SET_NAME, "dockward-upload");
	/* nothing of the daemon's: no Docker connection, no signalfd, no files */
	if (sock > 3)
		close_range(3, (unsigned)sock - 1, 0);
	close_range((unsigned)sock + 1, ~0U, 0);
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	int sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	signal(SIGHUP, SIG_IGN);
	struct sink_config *sinks;
	size_t n;
	if (sfd < 0 || build_sinks(&dc->a->cfg, &sinks, &n) < 0)
		return EXIT_CANNOT_RUN;
	struct uploader_options o;
	uploader_options_fill(dc, &dc->a->cfg, sinks, n, &o);
	o.notify_fd = sock;
	o.signal_fd = sfd;
	char err[512] = "";
	struct uploader *u;
	int r = uploader_new(&o, &u, err, sizeof(err));
	if (r < 0) {
		log_error("uploader: %s", err);
		free(sinks);
		return EXIT_CANNOT_RUN;
	}
	r = drop_privileges(dc->uid, dc->gid);
	if (r < 0) {
		log_error("uploader: cannot switch to user %s: %s", dc->a->cfg.upstream_user, strerror(-r));
	} else {
		prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
		r = uploader_run(u);
	}
	uploader_free(u);
	free(sinks);
	return r < 0 ? EXIT_CANNOT_RUN : EXIT_OK;
}

/* Forks the uploader and returns its pid (0 on failure) and our end of the
 * socketpair. The child never returns into the daemon: it ends with _exit,
 * as a forked child must not run the parent's cleanup (atexit, stdio). */
static pid_t spawn_uploader(struct daemon_cmd *dc, int *notify_fd)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return 0;
	pid_t pid = fork();
	if (pid < 0) {
		close(sv[0]);
		close(sv[1]);
		return 0;
	}
	if (pid == 0) {
		close(sv[0]);
		int rc = uploader_child(dc, sv[1]);
		fflush(stderr);
		_exit(rc);
	}
	close(sv[1]);
	fcntl(sv[0], F_SETFL, O_NONBLOCK);
	*notify_fd = sv[0];
	return pid;
}

static void stop_uploader(pid_t pid, int notify_fd, uint64_t flush_timeout_ms)
{
	if (notify_fd >= 0)
		close(notify_fd);
	if (pid <= 0)
		return;
	kill(pid, SIGTERM);
	struct timespec start, now;
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		int status;
		if (waitpid(pid, &status, WNOHANG) == pid) {
			if (WIFSIGNALED(status))
				log_error("daemon: the uploader process was ended by signal %d", WTERMSIG(status));
			else if (WEXITSTATUS(status))
				log_error("daemon: the uploader process failed (exit status %d)", WEXITSTATUS(status));
			return;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		int64_t ms = ((int64_t)now.tv_sec - start.tv_sec) * 1000 + ((int64_t)now.tv_nsec - start.tv_nsec) / 1000000;
		if (ms > (int64_t)flush_timeout_ms + 2000) {
			log_error("daemon: the uploader did not stop within flush_timeout; killing it");
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			return;
		}
		usleep(20000);
	}
}

static struct docker_client *make_client(const struct config *cfg, void *user)
{
	struct daemon_cmd *dc = user;
	(void)cfg;      /* app_docker_client reads the app's config, which reload replaces in place */
	struct docker_client *c;
	return app_docker_client(dc->a, &c) < 0 ? NULL : c;
}

static int reload_config(struct daemon_options *o, char *err, size_t errlen)
{
	struct daemon_cmd *dc = o->user;
	struct config fresh;
	int r = config_defaults(&fresh);
	if (r < 0)
		return r;
	r = config_load(&fresh, dc->a->config_path, true, err, errlen);
	if (!r)
		r = check_upstream(dc, &fresh, err, errlen);
	if (r < 0) {
		config_free(&fresh);
		return r;
	}
	/* the new uploader must start from the new settings: stop the old one first */
	stop_uploader(o->uploader_pid, o->notify_fd, dc->a->cfg.upstream_flush_timeout_ms);
	o->uploader_pid = 0;
	o->notify_fd = -1;
	config_free(&dc->a->cfg);
	dc->a->cfg = fresh;
	o->cfg = &dc->a->cfg;
	log_set_level(fresh.log_level);
	pid_t pid = spawn_uploader(dc, &o->notify_fd);
	o->uploader_pid = pid;
	if (pid == 0)
		log_error("daemon: cannot start the uploader process: %s", strerror(errno));
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: dockward daemon [--foreground]\n\n"
		   "Runs as a service: follows Docker events, re-audits what changes, runs a\n"
		   "full audit every [audit] interval and ships findings (raised, updated,\n"
		   "resolved) and a heartbeat to the [upstream] collector and [sink.NAME]\n"
		   "destinations through a spool under [upstream] spool_dir. SIGHUP reloads\n"
		   "the configuration; SIGTERM stops after flushing. `dockward status` shows\n"
		   "what it is doing.\n\n"
		   "  -f, --foreground   stay attached (for systemd and containers)\n"
		   "      --once         one full audit and scan, reported to the configured\n"
		   "                     destinations, then exit (the daily timer's run);\n"
		   "                     exit status 3 when the Docker engine is unreachable\n");
}

int cmd_daemon(struct app *a, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "foreground", no_argument, NULL, 'f' },
		{ "once", no_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	bool foreground = false, once = false;
	int c;
	while ((c = getopt_long(argc, argv, "fh", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			foreground = true;
			break;
		case 'o':
			once = foreground = true;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		log_error("daemon: unexpected argument \"%s\"", argv[optind]);
		return EXIT_USAGE;
	}
	struct daemon_cmd dc = { .a = a, .uid = (uid_t)-1, .gid = (gid_t)-1 };
	host_identity(&dc);
	char err[512] = "";
	if (check_upstream(&dc, &a->cfg, err, sizeof(err)) < 0) {
		log_error("daemon: %s", err);
		return EXIT_USAGE;
	}
	if (once && !has_destination(&a->cfg)) {
		/* nobody would ever read the spool: do not let daily runs fill it */
		log_info("daemon: no [upstream] url and no [sink.NAME] configured: nothing to report");
		return EXIT_OK;
	}
	struct passwd *pw = getuid() == 0 && a->cfg.upstream_user[0] ? getpwnam(a->cfg.upstream_user) : NULL;
	if (pw) {
		dc.uid = pw->pw_uid;
		dc.gid = pw->pw_gid;
	} else if (getuid() == 0) {
		log_warning("daemon: user \"%s\" does not exist; the uploader process keeps root's identity",
			    a->cfg.upstream_user);
	}
	int r = mkdir_p(a->cfg.upstream_spool_dir, 0700);
	if (r < 0 || (dc.uid != (uid_t)-1 && chown(a->cfg.upstream_spool_dir, dc.uid, dc.gid) < 0)) {
		log_error("daemon: spool %s: %s", a->cfg.upstream_spool_dir, strerror(r < 0 ? -r : errno));
		return EXIT_CANNOT_RUN;
	}
	if (!foreground) {
		pid_t pid = fork();
		if (pid < 0) {
			log_error("daemon: fork: %s", strerror(errno));
			return EXIT_CANNOT_RUN;
		}
		if (pid > 0)
			return EXIT_OK;
		setsid();
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (null >= 0) {
			dup2(null, 0);
			dup2(null, 1);
			close(null);
		}
	}
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	struct daemon_options o = {
		.cfg = &a->cfg, .make_client = make_client, .make_client_user = &dc,
		.host_name = dc.host_name, .host_id = dc.host_id, .notify_fd = -1,
		.spool_uid = dc.uid, .spool_gid = dc.gid, .reload = reload_config, .user = &dc,
		.once = once,
	};
	pid_t pid = spawn_uploader(&dc, &o.notify_fd);
	if (pid == 0) {
		log_error("daemon: cannot start the uploader process: %s", strerror(errno));
		return EXIT_CANNOT_RUN;
	}
	o.uploader_pid = pid;
	o.signal_fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (o.signal_fd < 0) {
		log_error("daemon: signalfd: %s", strerror(errno));
		stop_uploader(o.uploader_pid, o.notify_fd, 0);
		return EXIT_CANNOT_RUN;
	}
	r = daemon_run(&o, err, sizeof(err));
	close(o.signal_fd);
	stop_uploader(o.uploader_pid, o.notify_fd, a->cfg.upstream_flush_timeout_ms);
	if (r < 0) {
		log_error("daemon: %s", err[0] ? err : strerror(-r));
		return EXIT_CANNOT_RUN;
	}
	return EXIT_OK;
}
