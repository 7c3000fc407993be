/* compare.h: the comparison operators rules use on JSON fields and daemon options ("fail_if = OP", "value = X"). */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <yajl/yajl_tree.h>

enum audit_op {
	OP_EQ, OP_NE, OP_IN, OP_NOT_IN, OP_EMPTY, OP_NOT_EMPTY, OP_ABSENT, OP_PRESENT,
	OP_LT, OP_LE, OP_GT, OP_GE, OP_PREFIX, OP_CONTAINS, OP_LACKS, OP_N,
};

int audit_op_parse(const char *s);      /* -1 when unknown */
const char *audit_op_name(enum audit_op op);
/* Whether op needs a value parameter. */
bool audit_op_takes_value(enum audit_op op);

/* Whether the field (NULL = absent) satisfies "op value". value lists are
 * comma-separated. Scalars compare as text (true/false, numbers as
 * written, null as absent); lt/le/gt/ge compare as integers, absent or null
 * reading as 0. On an array: empty/not-empty/absent/present apply to it,
 * contains/lacks ask whether an element equals one of the values (or, for
 * values ending in '*', starts with it), the rest hold when any element does. */
bool audit_json_satisfies(yajl_val field, enum audit_op op, const char *value);
/* The same for a plain string (absent when s is NULL; lists joined with ','). */
bool audit_str_satisfies(const char *s, enum audit_op op, const char *value);
/* Short text for a field's value, for an offender's detail ("true", "[NET_ADMIN,SYS_ADMIN]"). */
void audit_json_text(yajl_val v, char *out, size_t outlen);
/* Whether word is one of the comma-separated items of list (trimmed). */
bool audit_list_has(const char *list, const char *word);
