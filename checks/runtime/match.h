/* match.h: evaluating one runtime rule against a kernel event or a container launch. */
#pragma once
#include <stdbool.h>

#include "runtime/containers.h"
#include "runtime/rules.h"

/* A kernel event with its strings terminated and the program path resolved. */
struct rt_event_view {
	const struct rt_event *ev;
	char comm[RT_COMM_LEN + 1];
	char path[RT_PATH_LEN + 1];
	char path2[RT_PATH_LEN + 1];
	char ancestors[RT_ANCESTORS][RT_COMM_LEN + 1];
	char exe[RT_PATH_LEN + 1];      /* the program's file, "" unknown */
	char argv0[RT_PATH_LEN + 1];
};

/* exe: the caller's idea of the program when the kernel could not name it (NULL = none). */
void rt_event_view_init(struct rt_event_view *v, const struct rt_event *ev, const char *exe);

/* image and container_name feed except_image / except_container ("" when unknown). */
bool rt_rule_match_event(const struct rt_rule *r, const struct rt_event_view *v, const char *image,
			 const char *container_name);
bool rt_rule_match_launch(const struct rt_rule *r, const struct rt_posture *p, const char *image,
			  const char *container_name);
