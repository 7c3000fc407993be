/* json.c: bounded JSON parsing into yajl trees and typed look-ups in them. */
#include "json.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int json_check_depth(const char *text, size_t len, unsigned max_depth)
{
	unsigned depth = 0;
	bool in_str = false;
	for (size_t i = 0; i < len; i++) {
		char c = text[i];
		if (in_str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_str = false;
			continue;
		}
		switch (c) {
		case '"':
			in_str = true;
			break;
		case '[':
		case '{':
			if (++depth > max_depth)
				return -E2BIG;
			break;
		case ']':
		case '}':
			if (depth)
				depth--;
			break;
		default:
			break;
		}
	}
	return 0;
}

int json_parse(const char *text, size_t len, yajl_val *out, char *err, size_t errlen)
{
	*out = NULL;
	if (json_check_depth(text, len, JSON_MAX_DEPTH) < 0) {
		snprintf(err, errlen, "JSON nested deeper than %d levels", JSON_MAX_DEPTH);
		return -EBADMSG;
	}
	/* yajl_tree_parse wants a C string; an embedded NUL would silently cut it. */
	if (memchr(text, '\0', len)) {
		snprintf(err, errlen, "NUL byte inside JSON text");
		return -EBADMSG;
	}
	char *copy = malloc(len + 1);
	if (!copy) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	memcpy(copy, text, len);
	copy[len] = '\0';
	char ebuf[256] = "";
	yajl_val v = yajl_tree_parse(copy, ebuf, sizeof(ebuf));
	free(copy);
	if (!v) {
		/* yajl's message spans lines and quotes the input; keep the first line. */
		char *nl = strchr(ebuf, '\n');
		if (nl)
			*nl = '\0';
		snprintf(err, errlen, "invalid JSON: %s", ebuf[0] ? ebuf : "parse error");
		return -EBADMSG;
	}
	*out = v;
	return 0;
}

yajl_val json_get_key(yajl_val obj, const char *key)
{
	if (!obj || !YAJL_IS_OBJECT(obj) || !key)
		return NULL;
	for (size_t i = 0; i < obj->u.object.len; i++)
		if (strcmp(obj->u.object.keys[i], key) == 0)
			return obj->u.object.values[i];
	return NULL;
}

yajl_val json_get(yajl_val v, const char *path)
{
	if (!path || !*path)
		return v;
	char key[256];
	while (v && *path) {
		const char *dot = strchr(path, '.');
		size_t n = dot ? (size_t)(dot - path) : strlen(path);
		if (n >= sizeof(key))
			return NULL;
		memcpy(key, path, n);
		key[n] = '\0';
		v = json_get_key(v, key);
		path += n + (dot ? 1 : 0);
	}
	return v;
}

const char *json_str(yajl_val v, const char *path)
{
	yajl_val s = json_get(v, path);
	return (s && YAJL_IS_STRING(s)) ? s->u.string : NULL;
}

bool json_bool(yajl_val v, const char *path, bool fallback)
{
	yajl_val b = json_get(v, path);
	if (b && YAJL_IS_TRUE(b))
		return true;
	if (b && YAJL_IS_FALSE(b))
		return false;
	return fallback;
}

int64_t json_int(yajl_val v, const char *path, int64_t fallback)
{
	yajl_val n = json_get(v, path);
	if (n && YAJL_IS_INTEGER(n))
		return n->u.number.i;
	if (n && YAJL_IS_DOUBLE(n) && n->u.number.d >= (double)INT64_MIN && n->u.number.d < (double)INT64_MAX)
		return (int64_t)n->u.number.d;
	return fallback;
}

char *json_strdup(yajl_val v, const char *path)
{
	const char *s = json_str(v, path);
	return strdup(s ? s : "");
}

size_t json_array_len(yajl_val v)
{
	return (v && YAJL_IS_ARRAY(v)) ? v->u.array.len : 0;
}

yajl_val json_array_at(yajl_val v, size_t i)
{
	return i < json_array_len(v) ? v->u.array.values[i] : NULL;
}

size_t json_object_len(yajl_val v)
{
	return (v && YAJL_IS_OBJECT(v)) ? v->u.object.len : 0;
}
