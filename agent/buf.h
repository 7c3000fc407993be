/* buf.h: a growable byte buffer that refuses to grow past its own cap. */
#pragma once
#include <stddef.h>

struct buf {
	char *data;     /* always NUL-terminated when non-NULL */
	size_t len;
	size_t alloc;
	size_t cap;     /* hard limit on len; 0 means the default cap */
};

#define BUF_DEFAULT_CAP ((size_t)64 << 20)

void buf_init(struct buf *b, size_t cap);
/* Returns 0, -ENOMEM, or -EFBIG when the cap would be exceeded (nothing is appended then). */
int buf_append(struct buf *b, const void *data, size_t len);
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_reset(struct buf *b);
/* Hands the data to the caller (who frees it) and leaves the buffer empty. */
char *buf_steal(struct buf *b);
void buf_free(struct buf *b);
