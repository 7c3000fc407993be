/* unit.h: what the cmocka unit tests share: cmocka itself and reading recorded fixtures. */
#pragma once
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <yajl/yajl_tree.h>

#include "ini_file.h"
#include "json.h"

/* Recorded Docker API answers; the tests run from the source tree's root
 * (tests/run.sh does), or DOCKWARD_SRC names it. */
static inline char *fixture_text(const char *name, size_t *len)
{
	const char *src = getenv("DOCKWARD_SRC");
	char path[4096];
	snprintf(path, sizeof(path), "%s%stests/fixtures/api/%s", src ? src : "", src ? "/" : "", name);
	char *text = NULL;
	size_t n = 0;
	int r = read_file_capped(path, (size_t)1 << 20, &text, &n);
	if (r < 0)
		fail_msg("cannot read fixture %s: %s", path, strerror(-r));
	if (len)
		*len = n;
	return text;
}

/* The fixture parsed; the caller owns the tree. */
static inline yajl_val fixture_json(const char *name)
{
	size_t len;
	char *text = fixture_text(name, &len);
	char err[256] = "";
	yajl_val v = NULL;
	if (json_parse(text, len, &v, err, sizeof(err)) < 0)
		fail_msg("fixture %s: %s", name, err);
	free(text);
	return v;
}

/* A JSON literal from the test itself. */
static inline yajl_val json_lit(const char *text)
{
	char err[256] = "";
	yajl_val v = NULL;
	if (json_parse(text, strlen(text), &v, err, sizeof(err)) < 0)
		fail_msg("bad JSON literal in test: %s: %s", err, text);
	return v;
}
