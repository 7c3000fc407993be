/* main.c: dockward's command line: global options, configuration, and command dispatch. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "exitcode.h"
#include "log.h"

static const struct command commands[] = {
	/* in the order a newcomer needs them: the jobs first, then the tools */
	{ "audit", "audit this host against the CIS Docker Benchmark", cmd_audit },
	{ "scan", "scan images for vulnerable packages and risks (root user, secrets, setuid files)", cmd_scan },
	{ "watch", "stream runtime threat alerts from eBPF probes in containers", cmd_watch },
	{ "daemon", "run as a service: follow Docker events, keep findings current, ship them upstream", cmd_daemon },
	{ "status", "show what the daemon is doing: engines, audits, spool, deliveries", cmd_status },
	{ "inventory", "list the host's Docker facts and every container", cmd_inventory },
	{ "rules", "list the audit rules of a benchmark version", cmd_rules },
	{ "db", "import OSV advisories into the local vulnerability database, show it, query it", cmd_db },
	{ "events", "follow the Docker engine's event stream", cmd_events },
	{ "version", "show versions of dockward, the Docker API it speaks and its libraries", cmd_version },
};
#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: dockward [OPTIONS] COMMAND [ARGS]\n"
		"\n"
		"Host-side Docker security agent.\n"
		"\n"
		"Options:\n"
		"  -c, --config FILE        configuration file (default %s, or $DOCKWARD_CONFIG)\n"
		"  -H, --docker-host URL    Docker engine: unix:///PATH or tcp://HOST:PORT\n"
		"                           (default: $DOCKER_HOST, then [docker] host)\n"
		"  -v, --verbose            more messages on stderr (repeat for debug)\n"
		"  -h, --help               this help; `dockward COMMAND --help` for a command's\n"
		"      --version            same as `dockward version`\n"
		"\n"
		"Commands:\n",
		CONFIG_DEFAULT_PATH);
	for (size_t i = 0; i < N_COMMANDS; i++)
		fprintf(f, "  %-12s %s\n", commands[i].name, commands[i].summary);
	fprintf(f,
		"\n"
		"Exit status: 0 ok, 1 findings at or above the threshold, 2 usage or\n"
		"configuration error, 3 could not run (e.g. Docker unreachable).\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "docker-host", required_argument, NULL, 'H' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	struct app a = { 0 };
	int verbose = 0, rc = EXIT_USAGE, c;
	bool show_version = false;
	const char *config_path = getenv("DOCKWARD_CONFIG");
	bool explicit_config = config_path && *config_path;

	/* '+': options after the command belong to the command */
	while ((c = getopt_long(argc, argv, "+c:H:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			config_path = optarg;
			explicit_config = true;
			break;
		case 'H':
			a.docker_host = optarg;
			break;
		case 'v':
			verbose++;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case 'V':
			show_version = true;
			break;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (!explicit_config)
		config_path = CONFIG_DEFAULT_PATH;
	a.config_path = config_path;

	if (config_defaults(&a.cfg) < 0) {
		log_error("out of memory");
		return EXIT_CANNOT_RUN;
	}
	char err[512] = "";
	if (config_load(&a.cfg, config_path, explicit_config, err, sizeof(err)) < 0) {
		log_error("%s", err);
		goto out;
	}
	log_set_level(a.cfg.log_level + verbose > LOG_LEVEL_DEBUG ? LOG_LEVEL_DEBUG : a.cfg.log_level + verbose);

	const char *name = show_version ? "version" : (optind < argc ? argv[optind] : NULL);
	if (!name) {
		usage(stderr);
		goto out;
	}
	if (strcmp(name, "help") == 0) {
		usage(stdout);
		rc = EXIT_OK;
		goto out;
	}
	for (size_t i = 0; i < N_COMMANDS; i++) {
		if (strcmp(commands[i].name, name) != 0)
			continue;
		int sub_argc = show_version ? 1 : argc - optind;
		char **sub_argv = show_version ? (char *[]){ "version", NULL } : argv + optind;
		/* getopt names argv[0] in its messages: "dockward inventory: ..." */
		char prog[64];
		snprintf(prog, sizeof(prog), "dockward %s", commands[i].name);
		sub_argv[0] = prog;
		optind = 0;     /* getopt starts afresh for the command's own options */
		rc = commands[i].run(&a, sub_argc, sub_argv);
		goto out;
	}
	log_error("unknown command \"%s\"; see dockward --help", name);
out:
	config_free(&a.cfg);
	return rc;
}
