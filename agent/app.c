/* app.c: the top-level context a command runs with: configuration and global options. */
#include "app.h"

#include <errno.h>
#include <string.h>
#include <strings.h>

#include "exitcode.h"
#include "log.h"

int app_docker_client(const struct app *a, struct docker_client **out)
{
	struct docker_client_options o = {
		.host = a->cfg.docker_host,
		.api_version = a->cfg.api_version,
		.connect_timeout_ms = a->cfg.connect_timeout_ms,
		.request_timeout_ms = a->cfg.request_timeout_ms,
		.max_response_bytes = a->cfg.max_response_bytes,
		.tls_verify = a->cfg.tls_verify,
	};
	/* TLS files in the config switch TLS on for tcp:// hosts */
	if (a->cfg.tls_ca[0] || a->cfg.tls_cert[0]) {
		o.tls = true;
		o.tls_ca = a->cfg.tls_ca[0] ? a->cfg.tls_ca : NULL;
		o.tls_cert = a->cfg.tls_cert[0] ? a->cfg.tls_cert : NULL;
		o.tls_key = a->cfg.tls_key[0] ? a->cfg.tls_key : NULL;
	}
	struct docker_env_paths paths;
	docker_options_from_env(&o, &paths);
	if (a->docker_host)
		o.host = a->docker_host;
	char err[512] = "";
	int r = docker_client_new(&o, out, err, sizeof(err));
	if (r < 0)
		log_error("%s", err);
	return r;
}

int app_docker_failed(struct docker_client *c, int err)
{
	/* the commonest first-run problem gets a hint on the same line */
	bool absent = err == -ENOENT || err == -ECONNREFUSED;
	if (absent && strncmp(docker_client_error(c), "cannot connect", 14) == 0)
		log_error("%s (is the Docker engine installed and running?)", docker_client_error(c));
	else if (err == -EACCES && strncmp(docker_client_error(c), "cannot connect", 14) == 0)
		log_error("%s (run as root or as a member of the docker group)", docker_client_error(c));
	else
		log_error("%s", docker_client_error(c));
	return EXIT_CANNOT_RUN;
}

int parse_choice(const char *value, const char *const *names, int n)
{
	for (int i = 0; i < n; i++)
		if (strcasecmp(value, names[i]) == 0)
			return i;
	return -1;
}
