/* compare.c: the comparison operators rules use on JSON fields and daemon options. */
#include "audit/compare.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const op_names[OP_N] = {
	"eq", "ne", "in", "not-in", "empty", "not-empty", "absent", "present",
	"lt", "le", "gt", "ge", "prefix", "contains", "lacks",
};

int audit_op_parse(const char *s)
{
	for (int i = 0; i < OP_N; i++)
		if (strcmp(s, op_names[i]) == 0)
			return i;
	return -1;
}

const char *audit_op_name(enum audit_op op)
{
	return (unsigned)op < OP_N ? op_names[op] : "?";
}

bool audit_op_takes_value(enum audit_op op)
{
	return !(op == OP_EMPTY || op == OP_NOT_EMPTY || op == OP_ABSENT || op == OP_PRESENT);
}

/* Calls fn on each trimmed comma-separated item until it returns true. */
static bool list_any(const char *list, bool (*fn)(const char *item, size_t n, const void *arg), const void *arg)
{
	const char *p = list ? list : "";
	for (;;) {
		const char *comma = strchr(p, ',');
		const char *end = comma ? comma : p + strlen(p);
		const char *a = p, *b = end;
		while (a < b && (*a == ' ' || *a == '\t' || *a == '\n'))
			a++;
		while (b > a && (b[-1] == ' ' || b[-1] == '\t' || b[-1] == '\n'))
			b--;
		if (fn(a, (size_t)(b - a), arg))
			return true;
		if (!comma)
			return false;
		p = comma + 1;
	}
}

static bool item_equals(const char *item, size_t n, const void *arg)
{
	const char *s = arg;
	return strlen(s) == n && memcmp(s, item, n) == 0;
}

/* "NET_*" matches by prefix; anything else exactly. */
static bool item_matches(const char *item, size_t n, const void *arg)
{
	const char *s = arg;
	if (n && item[n - 1] == '*')
		return strncmp(s, item, n - 1) == 0;
	return item_equals(item, n, arg);
}

bool audit_list_has(const char *list, const char *word)
{
	return list_any(list, item_equals, word);
}

static bool to_int(const char *s, int64_t *out)
{
	if (!s || !*s) {
		*out = 0;
		return true;
	}
	errno = 0;
	char *end;
	long long v = strtoll(s, &end, 10);
	if (errno || *end)
		return false;
	*out = v;
	return true;
}

bool audit_str_satisfies(const char *s, enum audit_op op, const char *value)
{
	int64_t a, b;
	switch (op) {
	case OP_ABSENT:
		return s == NULL;
	case OP_PRESENT:
		return s != NULL;
	case OP_EMPTY:
		return !s || !*s;
	case OP_NOT_EMPTY:
		return s && *s;
	case OP_EQ:
		return strcmp(s ? s : "", value ? value : "") == 0;
	case OP_NE:
		return strcmp(s ? s : "", value ? value : "") != 0;
	case OP_IN:
		return list_any(value, item_equals, s ? s : "");
	case OP_NOT_IN:
		return !list_any(value, item_equals, s ? s : "");
	case OP_LT:
	case OP_LE:
	case OP_GT:
	case OP_GE:
		if (!to_int(s, &a) || !to_int(value, &b))
			return false;
		return op == OP_LT ? a < b : op == OP_LE ? a <= b : op == OP_GT ? a > b : a >= b;
	case OP_PREFIX:
		return s && value && strncmp(s, value, strlen(value)) == 0;
	case OP_CONTAINS:
	case OP_LACKS: {
		/* a comma-joined list: does one of its items match one of the values? */
		bool found = false;
		const char *p = s ? s : "";
		while (*p && !found) {
			const char *comma = strchr(p, ',');
			size_t n = comma ? (size_t)(comma - p) : strlen(p);
			char item[512];
			snprintf(item, sizeof(item), "%.*s", (int)(n < sizeof(item) ? n : sizeof(item) - 1), p);
			found = list_any(value, item_matches, item);
			p += n + (comma ? 1 : 0);
		}
		return op == OP_CONTAINS ? found : !found;
	}
	case OP_N:
		break;
	}
	return false;
}

static const char *scalar_text(yajl_val v, char *tmp, size_t tmplen)
{
	if (!v || YAJL_IS_NULL(v))
		return NULL;
	if (YAJL_IS_STRING(v))
		return YAJL_GET_STRING(v);
	if (YAJL_IS_TRUE(v))
		return "true";
	if (YAJL_IS_FALSE(v))
		return "false";
	if (YAJL_IS_INTEGER(v)) {
		snprintf(tmp, tmplen, "%lld", YAJL_GET_INTEGER(v));
		return tmp;
	}
	if (YAJL_IS_NUMBER(v)) {
		snprintf(tmp, tmplen, "%s", YAJL_GET_NUMBER(v));
		return tmp;
	}
	return "";
}

bool audit_json_satisfies(yajl_val field, enum audit_op op, const char *value)
{
	char tmp[64];
	if (field && YAJL_IS_ARRAY(field)) {
		size_t n = field->u.array.len;
		switch (op) {
		case OP_ABSENT:
			return false;
		case OP_PRESENT:
			return true;
		case OP_EMPTY:
			return n == 0;
		case OP_NOT_EMPTY:
			return n > 0;
		case OP_CONTAINS:
		case OP_LACKS: {
			bool found = false;
			for (size_t i = 0; i < n && !found; i++) {
				const char *s = scalar_text(field->u.array.values[i], tmp, sizeof(tmp));
				found = s && list_any(value, item_matches, s);
			}
			return op == OP_CONTAINS ? found : !found;
		}
		default:
			for (size_t i = 0; i < n; i++)
				if (audit_str_satisfies(scalar_text(field->u.array.values[i], tmp, sizeof(tmp)), op, value))
					return true;
			return false;
		}
	}
	if (field && YAJL_IS_OBJECT(field)) {
		size_t n = field->u.object.len;
		if (op == OP_EMPTY)
			return n == 0;
		if (op == OP_NOT_EMPTY)
			return n > 0;
		return audit_str_satisfies("", op, value) || op == OP_PRESENT;
	}
	return audit_str_satisfies(scalar_text(field, tmp, sizeof(tmp)), op, value);
}

/* One array element or object member: a scalar as text, an object as {KEY=VALUE,...} of its scalar members
 * (HostConfig.Devices, HostConfig.Ulimits), anything deeper as "..."; appends at out + *used. */
static void element_text(yajl_val e, char *out, size_t outlen, size_t *used)
{
	char tmp[64];
	if (*used >= outlen)
		return;
	if (e && YAJL_IS_OBJECT(e)) {
		*used += (size_t)snprintf(out + *used, outlen - *used, "{");
		for (size_t k = 0; k < e->u.object.len && *used < outlen; k++) {
			yajl_val m = e->u.object.values[k];
			const char *s = m && (YAJL_IS_OBJECT(m) || YAJL_IS_ARRAY(m)) ? "..." : scalar_text(m, tmp, sizeof(tmp));
			*used += (size_t)snprintf(out + *used, outlen - *used, "%s%s=%s", k ? "," : "",
						  e->u.object.keys[k], s ? s : "null");
		}
		if (*used < outlen)
			*used += (size_t)snprintf(out + *used, outlen - *used, "}");
		return;
	}
	const char *s = e && YAJL_IS_ARRAY(e) ? "[...]" : scalar_text(e, tmp, sizeof(tmp));
	*used += (size_t)snprintf(out + *used, outlen - *used, "%s", s ? s : "null");
}

void audit_json_text(yajl_val v, char *out, size_t outlen)
{
	char tmp[64];
	if (!outlen)
		return;
	out[0] = '\0';
	if (!v || YAJL_IS_NULL(v)) {
		snprintf(out, outlen, "(not set)");
		return;
	}
	if (YAJL_IS_ARRAY(v)) {
		size_t used = 0;
		used += (size_t)snprintf(out + used, outlen - used, "[");
		for (size_t i = 0; i < v->u.array.len && used < outlen; i++) {
			if (i)
				used += (size_t)snprintf(out + used, outlen - used, ",");
			element_text(v->u.array.values[i], out, outlen, &used);
		}
		if (used < outlen)
			snprintf(out + used, outlen - used, "]");
		return;
	}
	if (YAJL_IS_OBJECT(v)) {
		size_t used = 0;
		element_text(v, out, outlen, &used);
		return;
	}
	const char *s = scalar_text(v, tmp, sizeof(tmp));
	snprintf(out, outlen, "%s", s && *s ? s : "\"\"");
}
