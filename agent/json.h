/* json.h: bounded JSON parsing into yajl trees and typed look-ups in them. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yajl/yajl_tree.h>

/* yajl builds trees iteratively but frees them recursively, so nesting is
 * checked before parsing: a hostile document must not exhaust the stack. */
#define JSON_MAX_DEPTH 64

/* Parses text[0..len) (need not be NUL-terminated). On failure returns
 * -EBADMSG and writes a one-line reason to err. */
int json_parse(const char *text, size_t len, yajl_val *out, char *err, size_t errlen);
/* Returns 0 when the nesting of arrays/objects stays within max_depth, else -E2BIG. */
int json_check_depth(const char *text, size_t len, unsigned max_depth);

/* Look-ups by a dotted path ("HostConfig.Privileged"); a missing key or a
 * value of another type gives NULL / the fallback. Keys containing dots are
 * reached with json_get_key. */
yajl_val json_get(yajl_val v, const char *dotted_path);
yajl_val json_get_key(yajl_val obj, const char *key);
const char *json_str(yajl_val v, const char *path);
bool json_bool(yajl_val v, const char *path, bool fallback);
int64_t json_int(yajl_val v, const char *path, int64_t fallback);
/* A copy of the string at path, "" when absent; NULL only on allocation failure. */
char *json_strdup(yajl_val v, const char *path);
size_t json_array_len(yajl_val v);
yajl_val json_array_at(yajl_val v, size_t i);
size_t json_object_len(yajl_val v);
