/* fuzz_spool_batch.c: libFuzzer target: a spool batch file as the uploader reads it back (header, event lines, counts). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "upstream/spool.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	struct spool_batch b;
	char err[256];
	if (spool_parse_batch(text, size, &b, err, sizeof(err)) == 0) {
		/* every event lies inside the text, is one line and starts an object */
		for (size_t i = 0; i < b.n_events; i++) {
			const struct spool_event *e = &b.events[i];
			if (e->json < b.text || e->json + e->len > b.text + b.text_len || !e->len || e->json[0] != '{' ||
			    memchr(e->json, '\n', e->len))
				abort();
		}
		if (!b.n_events || !b.key[0] || !b.seq)
			abort();
		spool_batch_free(&b);
	}
	return 0;
}
