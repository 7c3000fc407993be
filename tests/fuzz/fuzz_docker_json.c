/* fuzz_docker_json.c: libFuzzer target: json_parse, then every docker_parse_* on the tree and on its elements. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "docker/model.h"
#include "json.h"

/* Runs every mapping on v without giving v away: on success the struct's
 * borrowed tree is detached before the struct is freed. */
static void map_all(yajl_val v)
{
	char err[256];
	struct docker_version ver;
	if (docker_parse_version(v, &ver, err, sizeof(err)) == 0) {
		ver.raw = NULL;
		docker_version_free(&ver);
	}
	struct docker_info info;
	if (docker_parse_info(v, &info, err, sizeof(err)) == 0) {
		info.raw = NULL;
		docker_info_free(&info);
	}
	struct docker_container c;
	if (docker_parse_container(v, &c, err, sizeof(err)) == 0) {
		for (size_t i = 0; i < c.n_ports; i++)
			if (!c.ports[i].host_ip || !c.ports[i].private_port)
				abort();
		for (size_t i = 0; i < c.n_mounts; i++)
			if (!c.mounts[i].type || !c.mounts[i].destination)
				abort();
		c.raw = NULL;
		docker_container_free(&c);
	}
	const char **ids;
	size_t n;
	if (docker_parse_container_ids(v, &ids, &n, err, sizeof(err)) == 0)
		free(ids);
	if (docker_parse_image_ids(v, &ids, &n, err, sizeof(err)) == 0)
		free(ids);
	struct docker_image img;
	if (docker_parse_image(v, &img, err, sizeof(err)) == 0) {
		img.raw = NULL;
		docker_image_free(&img);
	}
	struct docker_network net;
	if (docker_parse_network(v, &net, err, sizeof(err)) == 0)
		docker_network_free(&net);
	struct docker_top top;
	if (docker_parse_top(v, &top, err, sizeof(err)) == 0) {
		for (size_t i = 0; i < top.n_rows; i++)
			for (size_t j = 0; j < top.n_titles; j++)
				if (!top.rows[i][j])
					abort();
		top.raw = NULL;
		docker_top_free(&top);
	}
	struct docker_event ev;
	if (docker_parse_event(v, &ev, err, sizeof(err)) == 0) {
		ev.raw = NULL;
		docker_event_free(&ev);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256];
	yajl_val v;
	if (json_parse((const char *)data, size, &v, err, sizeof(err)) < 0)
		return 0;
	map_all(v);
	/* list answers: each element as the snapshot maps it */
	for (size_t i = 0; i < json_array_len(v) && i < 64; i++)
		map_all(json_array_at(v, i));
	yajl_tree_free(v);

	/* and once the way the client does it: the struct takes the tree on success */
	if (json_parse((const char *)data, size, &v, err, sizeof(err)) < 0)
		abort();    /* the same text parsed a moment ago */
	struct docker_container c;
	if (docker_parse_container(v, &c, err, sizeof(err)) == 0)
		docker_container_free(&c);
	else
		yajl_tree_free(v);
	return 0;
}
