/* table.c: aligned text tables for people, with sanitized cells. */
#include "report/table.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "report/term.h"

#define CELL_MAX 1024

struct cell {
	char *text;
	size_t width;
};

struct table {
	size_t ncols, nrows, alloc;
	struct cell *cells;     /* (nrows + 1) * ncols, the header first */
};

static int set_cell(struct cell *c, const char *s)
{
	char tmp[CELL_MAX];
	c->width = term_sanitize(s ? s : "-", tmp, sizeof(tmp));
	c->text = strdup(tmp);
	return c->text ? 0 : -ENOMEM;
}

struct table *table_new(size_t ncols, const char *const *headers)
{
	struct table *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->ncols = ncols;
	t->alloc = 16;
	t->cells = calloc(t->alloc * ncols, sizeof(*t->cells));
	if (!t->cells) {
		free(t);
		return NULL;
	}
	for (size_t i = 0; i < ncols; i++)
		if (set_cell(&t->cells[i], headers[i]) < 0) {
			table_free(t);
			return NULL;
		}
	return t;
}

int table_add_row(struct table *t, const char *const *cells)
{
	if (t->nrows + 2 > t->alloc) {
		size_t na = t->alloc * 2;
		struct cell *nc = realloc(t->cells, na * t->ncols * sizeof(*nc));
		if (!nc)
			return -ENOMEM;
		memset(nc + t->alloc * t->ncols, 0, (na - t->alloc) * t->ncols * sizeof(*nc));
		t->cells = nc;
		t->alloc = na;
	}
	struct cell *row = &t->cells[(t->nrows + 1) * t->ncols];
	for (size_t i = 0; i < t->ncols; i++)
		if (set_cell(&row[i], cells[i]) < 0)
			return -ENOMEM;
	t->nrows++;
	return 0;
}

void table_print(const struct table *t, FILE *out, bool color)
{
	size_t *w = calloc(t->ncols, sizeof(*w));
	if (!w)
		return;
	for (size_t r = 0; r <= t->nrows; r++)
		for (size_t c = 0; c < t->ncols; c++)
			if (t->cells[r * t->ncols + c].width > w[c])
				w[c] = t->cells[r * t->ncols + c].width;
	for (size_t r = 0; r <= t->nrows; r++) {
		if (r == 0 && color)
			fputs(TERM_BOLD, out);
		for (size_t c = 0; c < t->ncols; c++) {
			const struct cell *cell = &t->cells[r * t->ncols + c];
			fputs(cell->text, out);
			if (c + 1 < t->ncols)
				fprintf(out, "%*s", (int)(w[c] - cell->width + 2), "");
		}
		if (r == 0 && color)
			fputs(TERM_RESET, out);
		fputc('\n', out);
	}
	free(w);
}

void table_free(struct table *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < (t->nrows + 1) * t->ncols; i++)
		free(t->cells[i].text);
	free(t->cells);
	free(t);
}
