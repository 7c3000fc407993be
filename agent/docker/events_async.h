/* events_async.h: the /events stream as a libcurl easy handle that a caller's multi loop drives. */
#pragma once
#include <stdint.h>

#include "docker/client.h"

struct docker_events_stream;

/* Negotiates (blocking, once) and prepares GET /events?since=&filters= whose
 * body feeds parser. Add docker_events_stream_handle(s) to a CURLM. */
int docker_events_stream_new(struct docker_client *c, int64_t since, const char *filters,
			     struct docker_event_parser *parser, struct docker_events_stream **out);
/* The CURL * easy handle (void * keeps curl.h out of this header). */
void *docker_events_stream_handle(struct docker_events_stream *s);
/* After the multi reported the transfer done with CURLcode curl_code: maps it to
 * a negative errno (a stream only ends when something went wrong) with the reason
 * in docker_client_error(c). Remove the handle from the multi first. */
int docker_events_stream_finish(struct docker_client *c, struct docker_events_stream *s, int curl_code);
void docker_events_stream_free(struct docker_events_stream *s);
