/* cmd_events.c: `dockward events`: follows the Docker engine's event stream, one line per event. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "exitcode.h"
#include "log.h"
#include "report/jsonw.h"
#include "report/term.h"
#include "timefmt.h"

struct events_out {
	int json;
	uint64_t count;
};

static int print_event(const struct docker_event *ev, void *user)
{
	struct events_out *o = user;
	o->count++;
	if (o->json) {
		struct jsonw w;
		if (jsonw_init(&w, false) < 0)
			return -ENOMEM;
		jsonw_obj_begin(&w);
		jsonw_kint(&w, "time", ev->time);
		jsonw_kint(&w, "time_nano", ev->time_nano);
		jsonw_kstr(&w, "type", ev->type);
		jsonw_kstr(&w, "action", ev->action);
		jsonw_kstr(&w, "id", ev->actor_id);
		jsonw_kstr(&w, "name", ev->name);
		jsonw_kstr(&w, "image", ev->image);
		jsonw_kstr(&w, "scope", ev->scope);
		jsonw_obj_end(&w);
		int r = jsonw_write(&w, stdout);
		jsonw_free(&w);
		return r;
	}
	char when[32], id[16], name[256], action[128];
	format_utc((time_t)ev->time, when, sizeof(when));
	term_sanitize(ev->actor_id, id, 13);
	term_sanitize(ev->name[0] ? ev->name : "-", name, sizeof(name));
	term_sanitize(ev->action, action, sizeof(action));
	printf("%s  %-9s %-12s %-12s %s\n", when, ev->type, action, id, name);
	return fflush(stdout) == 0 ? 0 : -errno;
}

static int parse_time(const char *s, int64_t *out)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || end == s)
		return -EINVAL;
	/* "+5" / "-60": seconds relative to now, as handy for scripts and tests */
	if (*end == '\0' && (s[0] == '+' || s[0] == '-'))
		v += (long long)time(NULL);
	else if (*end)
		return -EINVAL;
	*out = v;
	return 0;
}

int cmd_events(struct app *a, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "since", required_argument, NULL, 's' },
		{ "until", required_argument, NULL, 'u' },
		{ "filter", required_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	static const char *const formats[] = { "text", "json" };
	struct events_out o = { 0 };
	int64_t since = 0, until = 0;
	const char *filters = NULL;
	int c;
	while ((c = getopt_long(argc, argv, "f:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if ((o.json = parse_choice(optarg, formats, 2)) < 0) {
				log_error("events: --format must be text or json");
				return EXIT_USAGE;
			}
			break;
		case 's':
		case 'u':
			if (parse_time(optarg, c == 's' ? &since : &until) < 0) {
				log_error("events: --%s takes Unix seconds, or +N/-N seconds from now",
					  c == 's' ? "since" : "until");
				return EXIT_USAGE;
			}
			break;
		case 'F':
			filters = optarg;
			break;
		case 'h':
			printf("Usage: dockward events [-f text|json] [--since T] [--until T] [--filter JSON]\n\n"
			       "Follows the Docker engine's event stream: one line per event (json: one\n"
			       "object per line). T is Unix seconds or +N/-N seconds from now. Without\n"
			       "--until it runs until interrupted. --filter takes the engine's filter\n"
			       "document, e.g. '{\"type\":[\"container\"]}'.\n");
			return EXIT_OK;
		default:
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		log_error("events: unexpected argument \"%s\"", argv[optind]);
		return EXIT_USAGE;
	}
	struct docker_client *dc;
	if (app_docker_client(a, &dc) < 0)
		return EXIT_USAGE;
	int r = docker_stream_events(dc, since, until, filters, print_event, &o);
	int rc = r < 0 ? app_docker_failed(dc, r) : EXIT_OK;
	docker_client_free(dc);
	return rc;
}
