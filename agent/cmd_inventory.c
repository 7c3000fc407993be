/* cmd_inventory.c: `dockward inventory`: one snapshot of the host's Docker facts, as text or JSON. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "exitcode.h"
#include "inventory.h"
#include "log.h"
#include "report/term.h"

int cmd_inventory(struct app *a, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "no-color", no_argument, NULL, 'n' },
		{ "processes", no_argument, NULL, 'p' },
		{ "history", no_argument, NULL, 'y' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	static const char *const formats[] = { "text", "json" };
	int fmt = 0, c;
	enum color_mode color = COLOR_AUTO;
	struct snapshot_request req = { .images = true, .networks = true };
	while ((c = getopt_long(argc, argv, "f:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if ((fmt = parse_choice(optarg, formats, 2)) < 0) {
				log_error("inventory: --format must be text or json, not \"%s\"", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'n':
			color = COLOR_NEVER;
			break;
		case 'p':
			req.top = true;
			break;
		case 'y':
			req.image_history = true;
			break;
		case 'h':
			printf("Usage: dockward inventory [-f text|json] [--no-color] [--processes] [--history]\n\n"
			       "Lists the host's Docker facts (engine and API versions, OS and kernel,\n"
			       "storage driver, root dir, cgroups, security options, image and container\n"
			       "counts) and every container, running, stopped or created, with its image,\n"
			       "state, user, privileges, network mode, published ports and mounts.\n\n"
			       "  -f, --format text|json   text is a table (colour only on a tty, and never\n"
			       "                           with NO_COLOR set); json is one document with a\n"
			       "                           schema_version (see docs/inventory-json.md)\n"
			       "      --no-color           no colour even on a tty\n"
			       "      --processes          JSON: the processes of each running container\n"
			       "      --history            JSON: the history of each image\n\n"
			       "JSON also lists every image and network.\n");
			return EXIT_OK;
		default:
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		log_error("inventory: unexpected argument \"%s\"", argv[optind]);
		return EXIT_USAGE;
	}
	struct docker_client *dc = NULL;
	struct snapshot snap;
	int rc = EXIT_CANNOT_RUN;
	if (app_docker_client(a, &dc) < 0)
		return EXIT_USAGE;
	int r = snapshot_collect(dc, &req, &snap);
	if (r < 0) {
		rc = app_docker_failed(dc, r);
		goto out;
	}
	r = fmt == 1 ? inventory_write_json(&snap, stdout)
		     : inventory_write_text(&snap, stdout, term_use_color(stdout, color));
	snapshot_free(&snap);
	if (r < 0) {
		log_error("inventory: writing the report failed: %s", strerror(-r));
		goto out;
	}
	rc = EXIT_OK;
out:
	docker_client_free(dc);
	return rc;
}
