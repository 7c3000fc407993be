/* fuzz_finding_state.c: libFuzzer target: the daemon's saved findings (JSON lines) loaded back, then a round that resolves them all. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "daemon/finding_state.h"

static int count(void *user, const struct finding_state_change *c)
{
	if (c->change != CHANGE_RESOLVED || c->f->failed || !c->id)
		abort();
	(*(size_t *)user)++;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t resolved = 0;
	struct finding_state st;
	if (finding_state_init(&st, "host", count, &resolved) < 0)
		return 0;
	char err[256];
	if (finding_state_load_text(&st, (const char *)data, size, err, sizeof(err)) == 0) {
		size_t open = st.n_open, counts[FINDING_N_CLASSES], sum = 0;
		finding_state_counts(&st, counts);
		for (int i = 0; i < FINDING_N_CLASSES; i++)
			sum += counts[i];
		if (sum != open)
			abort();
		/* every loaded finding belongs to some engine; ending a round of each resolves it */
		const char *engines[] = { "audit", "scan", "runtime" };
		for (int i = 0; i < 3; i++) {
			finding_state_begin(&st, engines[i], -1, NULL, false);
			finding_state_end(&st, 1);
		}
		if (resolved + st.n_open != open)
			abort();
	}
	finding_state_free(&st);
	return 0;
}
