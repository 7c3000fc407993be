/* cmd_version.c: `dockward version`: our version, the Docker API range we speak, library versions. */
#include <bpf/libbpf.h>
#include <curl/curl.h>
#include <getopt.h>
#include <stdio.h>
#include <yajl/yajl_version.h>

#include "app.h"
#include "exitcode.h"
#include "log.h"
#include "report/jsonw.h"

int cmd_version(struct app *a, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	static const char *const formats[] = { "text", "json" };
	int fmt = 0, c;
	(void)a;
	while ((c = getopt_long(argc, argv, "f:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if ((fmt = parse_choice(optarg, formats, 2)) < 0) {
				log_error("version: --format must be text or json");
				return EXIT_USAGE;
			}
			break;
		case 'h':
			printf("Usage: dockward version [-f text|json]\n\n"
			       "Shows dockward's version, the Docker Engine API versions it speaks,\n"
			       "and the versions of libcurl, yajl, libbpf and inih it runs with.\n");
			return EXIT_OK;
		default:
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		log_error("version: unexpected argument \"%s\"", argv[optind]);
		return EXIT_USAGE;
	}
	const curl_version_info_data *cv = curl_version_info(CURLVERSION_NOW);
	char yajl[32];
	int yv = yajl_version();
	snprintf(yajl, sizeof(yajl), "%d.%d.%d", yv / 10000, yv / 100 % 100, yv % 100);
	if (fmt == 0) {
		printf("dockward %s\n", DOCKWARD_VERSION);
		printf("Docker Engine API %s (oldest %s)\n", DOCKER_API_MAX, DOCKER_API_MIN);
		printf("libcurl %s (%s)\n", cv->version, cv->ssl_version ? cv->ssl_version : "no TLS");
		printf("yajl %s\n", yajl);
		printf("libbpf %s\n", libbpf_version_string());
		printf("inih %s\n", INIH_VERSION);
		return EXIT_OK;
	}
	struct jsonw w;
	if (jsonw_init(&w, true) < 0)
		return EXIT_CANNOT_RUN;
	jsonw_obj_begin(&w);
	jsonw_kstr(&w, "dockward", DOCKWARD_VERSION);
	jsonw_kstr(&w, "docker_api", DOCKER_API_MAX);
	jsonw_kstr(&w, "docker_api_min", DOCKER_API_MIN);
	jsonw_kstr(&w, "libcurl", cv->version);
	jsonw_kstr(&w, "tls", cv->ssl_version);
	jsonw_kstr(&w, "yajl", yajl);
	jsonw_kstr(&w, "libbpf", libbpf_version_string());
	jsonw_kstr(&w, "inih", INIH_VERSION);
	jsonw_obj_end(&w);
	int r = jsonw_write(&w, stdout);
	jsonw_free(&w);
	return r < 0 ? EXIT_CANNOT_RUN : EXIT_OK;
}
