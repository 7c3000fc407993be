/* test_json.c: bounded JSON parsing and look-ups, the UTF-8-safe JSON writer, and term_sanitize. */
#include "unit.h"

#include <errno.h>

#include "report/jsonw.h"
#include "report/term.h"

static void parse_fails(const char *text, size_t len, const char *msg)
{
	char err[256] = "";
	yajl_val v = (yajl_val)1;
	assert_int_equal(json_parse(text, len, &v, err, sizeof(err)), -EBADMSG);
	assert_null(v);
	assert_string_equal(err, msg);
}

/* depth opening brackets (alternating [ and {"k":) around a 1 */
static char *nested(unsigned depth, size_t *len)
{
	char *t = malloc(depth * 6 + 2);
	assert_non_null(t);
	size_t k = 0;
	for (unsigned i = 0; i < depth; i++) {
		if (i % 2) {
			memcpy(t + k, "{\"k\":", 5);
			k += 5;
		} else {
			t[k++] = '[';
		}
	}
	t[k++] = '1';
	for (unsigned i = depth; i-- > 0;)
		t[k++] = i % 2 ? '}' : ']';
	t[k] = '\0';
	*len = k;
	return t;
}

static void test_parse_depth(void **state)
{
	(void)state;
	size_t len;
	char err[128];
	yajl_val v;
	char *ok = nested(JSON_MAX_DEPTH, &len);
	assert_int_equal(json_parse(ok, len, &v, err, sizeof(err)), 0);
	assert_true(YAJL_IS_ARRAY(v));
	yajl_tree_free(v);
	free(ok);
	char *deep = nested(JSON_MAX_DEPTH + 1, &len);
	parse_fails(deep, len, "JSON nested deeper than 64 levels");
	assert_int_equal(json_check_depth(deep, len, JSON_MAX_DEPTH), -E2BIG);
	free(deep);
	/* a hostile 100000 levels is refused before yajl sees it */
	char *huge = nested(100000, &len);
	parse_fails(huge, len, "JSON nested deeper than 64 levels");
	free(huge);
	/* brackets inside strings, escaped quotes included, do not nest */
	const char *strs = "[\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\\\"[[[[\"]";
	assert_int_equal(json_check_depth(strs, strlen(strs), 2), 0);
	assert_int_equal(json_parse(strs, strlen(strs), &v, err, sizeof(err)), 0);
	assert_string_equal(json_str(json_array_at(v, 0), NULL),
			    "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\"[[[[");
	yajl_tree_free(v);
	assert_int_equal(json_check_depth("[[]][[]]", 8, 2), 0);
	assert_int_equal(json_check_depth("[[[]]]", 6, 2), -E2BIG);
	/* closing brackets first never take the depth below zero */
	assert_int_equal(json_check_depth("]]]]}}[[", 8, 2), 0);
	assert_int_equal(json_check_depth("\"\\", 2, 1), 0);
}

static void test_parse_errors(void **state)
{
	(void)state;
	parse_fails("{\"a\":", 5, "invalid JSON: parse error: premature EOF");
	parse_fails("", 0, "invalid JSON: parse error: premature EOF");
	parse_fails("[1]x", 4, "invalid JSON: parse error: trailing garbage");
	parse_fails("{\"a\" 1}", 7, "invalid JSON: parse error: object key and value must be separated by a colon (':')");
	/* an embedded NUL would silently cut the document */
	parse_fails("{\"a\":1}\0garbage", 15, "NUL byte inside JSON text");
	parse_fails("[\"a\0b\"]", 7, "NUL byte inside JSON text");
	/* the text need not be NUL-terminated: only len bytes are read */
	char err[64];
	yajl_val v;
	assert_int_equal(json_parse("[1,2]]]]", 5, &v, err, sizeof(err)), 0);
	assert_int_equal(json_array_len(v), 2);
	yajl_tree_free(v);
	/* a short err buffer is still terminated */
	char small[8];
	assert_int_equal(json_parse("{", 1, &v, small, sizeof(small)), -EBADMSG);
	assert_string_equal(small, "invalid");
}

static void test_get_paths(void **state)
{
	(void)state;
	yajl_val v = json_lit("{\"HostConfig\":{\"Privileged\":true,\"RestartPolicy\":{\"Name\":\"always\"}},"
			      "\"a.b\":\"dotted\",\"n\":null,\"s\":\"x\",\"arr\":[1,2,3],\"o\":{}}");
	assert_true(YAJL_IS_TRUE(json_get(v, "HostConfig.Privileged")));
	assert_string_equal(json_str(v, "HostConfig.RestartPolicy.Name"), "always");
	assert_ptr_equal(json_get(v, ""), v);
	assert_ptr_equal(json_get(v, NULL), v);
	assert_null(json_get(v, "HostConfig.Missing"));
	assert_null(json_get(v, "Missing.Privileged"));
	/* through a non-object */
	assert_null(json_get(v, "s.x"));
	assert_null(json_get(v, "arr.0"));
	/* a dotted key needs json_get_key */
	assert_null(json_get(v, "a.b"));
	assert_string_equal(json_str(json_get_key(v, "a.b"), NULL), "dotted");
	assert_null(json_get_key(v, NULL));
	assert_null(json_get_key(NULL, "s"));
	assert_null(json_get_key(json_get(v, "arr"), "s"));
	assert_null(json_get(NULL, "s"));
	/* empty path segments look up the empty key */
	assert_null(json_get(v, "HostConfig..Privileged"));
	/* a segment longer than the look-up buffer is simply absent */
	char longpath[400];
	memset(longpath, 'k', sizeof(longpath) - 1);
	longpath[sizeof(longpath) - 1] = '\0';
	assert_null(json_get(v, longpath));
	assert_true(YAJL_IS_NULL(json_get(v, "n")));
	assert_int_equal(json_object_len(v), 6);
	assert_int_equal(json_object_len(json_get(v, "o")), 0);
	assert_int_equal(json_object_len(json_get(v, "arr")), 0);
	assert_int_equal(json_array_len(json_get(v, "arr")), 3);
	assert_int_equal(json_array_len(v), 0);
	assert_int_equal(json_array_len(NULL), 0);
	assert_int_equal(json_int(json_array_at(json_get(v, "arr"), 2), NULL, -1), 3);
	assert_null(json_array_at(json_get(v, "arr"), 3));
	assert_null(json_array_at(v, 0));
	yajl_tree_free(v);
}

static void test_typed_getters(void **state)
{
	(void)state;
	yajl_val v = json_lit("{\"s\":\"str\",\"t\":true,\"f\":false,\"i\":-42,\"big\":9223372036854775807,"
			      "\"min\":-9223372036854775808,\"over\":99999999999999999999,\"d\":3.9,"
			      "\"huge\":1e300,\"n\":null,\"a\":[],\"o\":{\"x\":1},\"zero\":0,\"bs\":\"true\"}");
	assert_string_equal(json_str(v, "s"), "str");
	/* wrong types read as absent */
	assert_null(json_str(v, "i"));
	assert_null(json_str(v, "n"));
	assert_null(json_str(v, "o"));
	assert_null(json_str(v, "missing"));
	assert_true(json_bool(v, "t", false));
	assert_false(json_bool(v, "f", true));
	assert_true(json_bool(v, "bs", true));
	assert_false(json_bool(v, "bs", false));
	assert_false(json_bool(v, "zero", false));
	assert_true(json_bool(v, "n", true));
	assert_true(json_bool(v, "missing", true));
	assert_int_equal(json_int(v, "i", 0), -42);
	assert_int_equal(json_int(v, "big", 0), INT64_MAX);
	assert_int_equal(json_int(v, "min", 0), INT64_MIN);
	/* past 64 bits yajl keeps only a double, which does not fit either */
	assert_int_equal(json_int(v, "over", 7), 7);
	assert_int_equal(json_int(v, "d", 0), 3);
	assert_int_equal(json_int(v, "huge", 7), 7);
	assert_int_equal(json_int(v, "s", 7), 7);
	assert_int_equal(json_int(v, "t", 7), 7);
	assert_int_equal(json_int(v, "a", 7), 7);
	char *dup = json_strdup(v, "s");
	assert_string_equal(dup, "str");
	free(dup);
	dup = json_strdup(v, "i");
	assert_string_equal(dup, "");
	free(dup);
	yajl_tree_free(v);
}

/* Writes one string with jsonw and returns the document (caller frees). */
static char *jsonw_one(const char *s)
{
	struct jsonw w;
	assert_int_equal(jsonw_init(&w, false), 0);
	jsonw_str(&w, s);
	assert_int_equal(w.status, 0);
	size_t len;
	const char *t = jsonw_text(&w, &len);
	char *out = strndup(t, len);
	jsonw_free(&w);
	/* whatever went in, yajl can read it back */
	char err[128];
	yajl_val v;
	assert_int_equal(json_parse(out, strlen(out), &v, err, sizeof(err)), 0);
	yajl_tree_free(v);
	return out;
}

static void assert_jsonw(const char *in, const char *want)
{
	char *got = jsonw_one(in);
	assert_string_equal(got, want);
	free(got);
}

#define FFFD "\xEF\xBF\xBD"

static void test_jsonw_escaping(void **state)
{
	(void)state;
	assert_jsonw("plain", "\"plain\"");
	assert_jsonw("", "\"\"");
	assert_jsonw("q\"b\\s/", "\"q\\\"b\\\\s/\"");
	assert_jsonw("\x01\x1f\n\t\r\b\f\x7f", "\"\\u0001\\u001F\\n\\t\\r\\b\\f\x7f\"");
	assert_jsonw("\x1b[31mred", "\"\\u001B[31mred\"");
	/* valid UTF-8 passes unchanged: 2, 3 and 4 bytes, U+10FFFF, U+FFFF */
	assert_jsonw("\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\xF4\x8F\xBF\xBF\xEF\xBF\xBF",
		     "\"\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\xF4\x8F\xBF\xBF\xEF\xBF\xBF\"");
}

static void test_jsonw_invalid_utf8(void **state)
{
	(void)state;
	/* every bad byte becomes one U+FFFD, the good ones around it stay */
	assert_jsonw("a\xFF" "b", "\"a" FFFD "b\"");
	assert_jsonw("\x80", "\"" FFFD "\"");
	assert_jsonw("\xC3", "\"" FFFD "\"");                         /* truncated at the end */
	assert_jsonw("\xE2\x82", "\"" FFFD FFFD "\"");
	assert_jsonw("\xE2\x82x", "\"" FFFD FFFD "x\"");              /* truncated in the middle */
	assert_jsonw("\xC0\x80", "\"" FFFD FFFD "\"");                /* overlong NUL */
	assert_jsonw("\xC1\xBF", "\"" FFFD FFFD "\"");
	assert_jsonw("\xE0\x80\xAF", "\"" FFFD FFFD FFFD "\"");       /* overlong '/' */
	assert_jsonw("\xF0\x80\x80\xAF", "\"" FFFD FFFD FFFD FFFD "\"");
	assert_jsonw("\xED\xA0\x80", "\"" FFFD FFFD FFFD "\"");       /* surrogate U+D800 */
	assert_jsonw("\xED\xBF\xBF", "\"" FFFD FFFD FFFD "\"");       /* surrogate U+DFFF */
	assert_jsonw("\xF4\x90\x80\x80", "\"" FFFD FFFD FFFD FFFD "\""); /* past U+10FFFF */
	assert_jsonw("\xF5\x80\x80\x80", "\"" FFFD FFFD FFFD FFFD "\"");
	assert_jsonw("\xC3\xA9\xFE\xC3\xA9", "\"\xC3\xA9" FFFD "\xC3\xA9\"");
	/* control characters in an otherwise invalid string are still escaped */
	assert_jsonw("\xFF\n\"", "\"" FFFD "\\n\\\"\"");
}

static void test_utf8_seq_len(void **state)
{
	(void)state;
	const unsigned char *s = (const unsigned char *)"\xE2\x82\xAC";
	assert_int_equal(utf8_seq_len(s, 3), 3);
	assert_int_equal(utf8_seq_len(s, 2), 0);  /* the bound is respected */
	assert_int_equal(utf8_seq_len((const unsigned char *)"A", 1), 1);
	assert_int_equal(utf8_seq_len((const unsigned char *)"\xC2\x80", 2), 2);
	assert_int_equal(utf8_seq_len((const unsigned char *)"\xED\x9F\xBF", 3), 3);  /* U+D7FF */
	assert_int_equal(utf8_seq_len((const unsigned char *)"\xEE\x80\x80", 3), 3);  /* U+E000 */
	assert_int_equal(utf8_seq_len((const unsigned char *)"\xF0\x90\x80\x80", 4), 4);
}

static void test_jsonw_document(void **state)
{
	(void)state;
	struct jsonw w;
	assert_int_equal(jsonw_init(&w, false), 0);
	jsonw_obj_begin(&w);
	jsonw_kstr(&w, "name", "we\xFF" "b");
	jsonw_kint(&w, "n", -5);
	jsonw_kbool(&w, "ok", true);
	jsonw_kstr(&w, "none", NULL);
	jsonw_str(&w, "list");
	jsonw_arr_begin(&w);
	jsonw_int(&w, INT64_MAX);
	jsonw_bool(&w, false);
	jsonw_null(&w);
	jsonw_arr_end(&w);
	jsonw_obj_end(&w);
	assert_int_equal(w.status, 0);
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	assert_non_null(f);
	assert_int_equal(jsonw_write(&w, f), 0);
	fclose(f);
	assert_string_equal(text, "{\"name\":\"we" FFFD "b\",\"n\":-5,\"ok\":true,\"none\":null,"
				  "\"list\":[9223372036854775807,false,null]}\n");
	free(text);
	jsonw_free(&w);
	jsonw_free(&w);
	jsonw_free(NULL);

	/* pretty output ends with exactly one newline */
	assert_int_equal(jsonw_init(&w, true), 0);
	jsonw_obj_begin(&w);
	jsonw_kint(&w, "a", 1);
	jsonw_obj_end(&w);
	f = open_memstream(&text, &len);
	assert_int_equal(jsonw_write(&w, f), 0);
	fclose(f);
	assert_string_equal(text, "{\n  \"a\": 1\n}\n");
	free(text);
	jsonw_free(&w);

	/* a misuse is remembered and the document refused */
	assert_int_equal(jsonw_init(&w, false), 0);
	jsonw_obj_begin(&w);
	jsonw_int(&w, 1);       /* a key must be a string */
	jsonw_obj_end(&w);
	assert_int_not_equal(w.status, 0);
	f = open_memstream(&text, &len);
	assert_int_equal(jsonw_write(&w, f), -EINVAL);
	fclose(f);
	assert_int_equal(len, 0);
	free(text);
	jsonw_free(&w);
}

static void assert_sanitized(const char *in, const char *want, size_t width)
{
	char out[256];
	assert_int_equal(term_sanitize(in, out, sizeof(out)), width);
	assert_string_equal(out, want);
}

static void test_term_sanitize(void **state)
{
	(void)state;
	assert_sanitized("web-1", "web-1", 5);
	assert_sanitized(NULL, "", 0);
	assert_sanitized("", "", 0);
	/* C0 controls and DEL */
	assert_sanitized("a\tb\nc\rd\x7f", "a\\x09b\\x0ac\\x0dd\\x7f", 4 + 4 * 4);
	/* ESC sequences lose their ESC: colour, title setting, cursor moves */
	assert_sanitized("\x1b[31mred\x1b[0m", "\\x1b[31mred\\x1b[0m", 4 + 7 + 4 + 3);
	assert_sanitized("\x1b]0;pwned\x07", "\\x1b]0;pwned\\x07", 4 + 8 + 4);
	/* C1 controls (CSI U+009B, OSC U+009D) are 2 UTF-8 bytes: both shown */
	assert_sanitized("\xC2\x9B" "31m", "\\xc2\\x9b31m", 8 + 3);
	assert_sanitized("\xC2\x9D", "\\xc2\\x9d", 8);
	/* U+00A0 and above are printable */
	assert_sanitized("\xC2\xA0\xC3\xA9\xE2\x82\xAC", "\xC2\xA0\xC3\xA9\xE2\x82\xAC", 3);
	/* invalid UTF-8, overlong and surrogate forms */
	assert_sanitized("\xFF\xC0\xAF", "\\xff\\xc0\\xaf", 12);
	assert_sanitized("\xED\xA0\x80", "\\xed\\xa0\\x80", 12);
}

static void test_term_sanitize_truncation(void **state)
{
	(void)state;
	char out[8];
	memset(out, 'Z', sizeof(out));
	/* never half an escape, always terminated */
	assert_int_equal(term_sanitize("ab\x1b[31m", out, 6), 2);
	assert_string_equal(out, "ab");
	assert_int_equal(term_sanitize("\x1b\x1b", out, 4), 0);
	assert_string_equal(out, "");
	assert_int_equal(term_sanitize("\x1b\x1b", out, 5), 4);
	assert_string_equal(out, "\\x1b");
	char out9[9];
	assert_int_equal(term_sanitize("\x1b\x1b", out9, 8), 4);
	assert_string_equal(out9, "\\x1b");
	assert_int_equal(term_sanitize("\x1b\x1b", out9, 9), 8);
	assert_string_equal(out9, "\\x1b\\x1b");
	/* never half a UTF-8 character */
	assert_int_equal(term_sanitize("a\xE2\x82\xAC", out, 4), 1);
	assert_string_equal(out, "a");
	assert_int_equal(term_sanitize("abcdefghij", out, sizeof(out)), 7);
	assert_string_equal(out, "abcdefg");
	out[0] = 'Z';
	assert_int_equal(term_sanitize("abc", out, 0), 0);
	assert_int_equal(out[0], 'Z');
	assert_int_equal(term_sanitize("abc", out, 1), 0);
	assert_string_equal(out, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_depth),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_get_paths),
		cmocka_unit_test(test_typed_getters),
		cmocka_unit_test(test_jsonw_escaping),
		cmocka_unit_test(test_jsonw_invalid_utf8),
		cmocka_unit_test(test_utf8_seq_len),
		cmocka_unit_test(test_jsonw_document),
		cmocka_unit_test(test_term_sanitize),
		cmocka_unit_test(test_term_sanitize_truncation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
