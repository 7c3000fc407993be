/* jsonw.h: a small JSON writer over yajl_gen that never emits invalid UTF-8. */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <yajl/yajl_gen.h>

struct jsonw {
	yajl_gen g;
	int status;     /* first yajl_gen_status that was not ok */
	FILE *out;      /* jsonw_init_file: the text goes here as it is made */
	int write_err;  /* first errno of a failed write to out */
	char last;      /* last byte written to out */
};

int jsonw_init(struct jsonw *w, bool pretty);
/* A writer that streams the text to out as it is made (through stdio's buffer) instead of keeping the
 * whole document: for reports, whose size grows with the containers and findings. jsonw_text has nothing
 * to show; jsonw_write(w, out) ends the document. A document that failed midway is left incomplete in out. */
int jsonw_init_file(struct jsonw *w, bool pretty, FILE *out);
void jsonw_free(struct jsonw *w);
void jsonw_obj_begin(struct jsonw *w);
void jsonw_obj_end(struct jsonw *w);
void jsonw_arr_begin(struct jsonw *w);
void jsonw_arr_end(struct jsonw *w);
/* Strings that are not valid UTF-8 (paths, labels) get U+FFFD per bad byte. */
void jsonw_str(struct jsonw *w, const char *s);   /* NULL writes null */
void jsonw_int(struct jsonw *w, int64_t v);
void jsonw_bool(struct jsonw *w, bool v);
void jsonw_null(struct jsonw *w);
void jsonw_kstr(struct jsonw *w, const char *k, const char *v);
void jsonw_kint(struct jsonw *w, const char *k, int64_t v);
void jsonw_kbool(struct jsonw *w, const char *k, bool v);
/* Writes the document followed by a newline (a streaming writer: ends it, out must be its own); returns 0
 * or a negative errno. */
int jsonw_write(struct jsonw *w, FILE *out);
/* Borrowed view of the document so far (NULL, length 0, for a streaming writer). */
const char *jsonw_text(struct jsonw *w, size_t *len);

/* Length of the valid UTF-8 sequence starting at s (at most n bytes), 0 if invalid. */
size_t utf8_seq_len(const unsigned char *s, size_t n);
