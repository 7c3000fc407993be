/* jsonw.c: a small JSON writer over yajl_gen that never emits invalid UTF-8. */
#include "report/jsonw.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

static void track(struct jsonw *w, yajl_gen_status s)
{
	if (s != yajl_gen_status_ok && !w->status)
		w->status = (int)s;
}

int jsonw_init(struct jsonw *w, bool pretty)
{
	memset(w, 0, sizeof(*w));
	w->g = yajl_gen_alloc(NULL);
	if (!w->g)
		return -ENOMEM;
	yajl_gen_config(w->g, yajl_gen_beautify, pretty ? 1 : 0);
	if (pretty)
		yajl_gen_config(w->g, yajl_gen_indent_string, "  ");
	return 0;
}

static void print_to_file(void *ctx, const char *str, size_t len)
{
	struct jsonw *w = ctx;
	if (!len || w->write_err)
		return;
	if (fwrite(str, 1, len, w->out) != len) {
		w->write_err = errno ? errno : EIO;
		return;
	}
	w->last = str[len - 1];
}

int jsonw_init_file(struct jsonw *w, bool pretty, FILE *out)
{
	int r = jsonw_init(w, pretty);
	if (r < 0)
		return r;
	w->out = out;
	yajl_gen_config(w->g, yajl_gen_print_callback, print_to_file, w);
	return 0;
}

void jsonw_free(struct jsonw *w)
{
	if (w && w->g) {
		yajl_gen_free(w->g);
		w->g = NULL;
	}
}

void jsonw_obj_begin(struct jsonw *w) { track(w, yajl_gen_map_open(w->g)); }
void jsonw_obj_end(struct jsonw *w) { track(w, yajl_gen_map_close(w->g)); }
void jsonw_arr_begin(struct jsonw *w) { track(w, yajl_gen_array_open(w->g)); }
void jsonw_arr_end(struct jsonw *w) { track(w, yajl_gen_array_close(w->g)); }
void jsonw_null(struct jsonw *w) { track(w, yajl_gen_null(w->g)); }
void jsonw_bool(struct jsonw *w, bool v) { track(w, yajl_gen_bool(w->g, v)); }
void jsonw_int(struct jsonw *w, int64_t v) { track(w, yajl_gen_integer(w->g, (long long)v)); }

size_t utf8_seq_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t len;
	uint32_t cp;
	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF) {
		len = 2;
		cp = c & 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3;
		cp = c & 0x0F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	/* overlong forms, surrogates and code points past U+10FFFF are invalid */
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
	    (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return len;
}

void jsonw_str(struct jsonw *w, const char *s)
{
	if (!s) {
		jsonw_null(w);
		return;
	}
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), i = 0;
	bool valid = true;
	while (i < n) {
		size_t l = utf8_seq_len(p + i, n - i);
		if (!l) {
			valid = false;
			break;
		}
		i += l;
	}
	if (valid) {
		track(w, yajl_gen_string(w->g, p, n));
		return;
	}
	struct buf b;
	buf_init(&b, n * 3 + 16);
	for (i = 0; i < n;) {
		size_t l = utf8_seq_len(p + i, n - i);
		if (l) {
			buf_append(&b, p + i, l);
			i += l;
		} else {
			buf_append(&b, "\xEF\xBF\xBD", 3);
			i++;
		}
	}
	track(w, yajl_gen_string(w->g, (const unsigned char *)(b.data ? b.data : ""), b.len));
	buf_free(&b);
}

void jsonw_kstr(struct jsonw *w, const char *k, const char *v)
{
	jsonw_str(w, k);
	jsonw_str(w, v);
}

void jsonw_kint(struct jsonw *w, const char *k, int64_t v)
{
	jsonw_str(w, k);
	jsonw_int(w, v);
}

void jsonw_kbool(struct jsonw *w, const char *k, bool v)
{
	jsonw_str(w, k);
	jsonw_bool(w, v);
}

const char *jsonw_text(struct jsonw *w, size_t *len)
{
	const unsigned char *out = NULL;
	size_t l = 0;
	if (yajl_gen_get_buf(w->g, &out, &l) != yajl_gen_status_ok)
		out = NULL, l = 0;
	if (len)
		*len = l;
	return (const char *)out;
}

int jsonw_write(struct jsonw *w, FILE *out)
{
	if (w->status)
		return -EINVAL;
	if (w->out) {
		if (out != w->out)
			return -EINVAL;
		if (w->write_err)
			return -w->write_err;
		if (w->last != '\n' && fputc('\n', out) == EOF)
			return -errno;
		return fflush(out) == 0 ? 0 : -errno;
	}
	size_t len;
	const char *text = jsonw_text(w, &len);
	if (fwrite(text, 1, len, out) != len)
		return -errno;
	/* the beautifier already ends the document with a newline */
	if (len && text[len - 1] != '\n' && fputc('\n', out) == EOF)
		return -errno;
	return fflush(out) == 0 ? 0 : -errno;
}
