/* table.h: aligned text tables for people, with sanitized cells. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct table;

struct table *table_new(size_t ncols, const char *const *headers);
/* Copies the cells (NULL reads as "-"); returns 0 or -ENOMEM. */
int table_add_row(struct table *t, const char *const *cells);
/* Columns are separated by two spaces; the header is bold when colour is on. */
void table_print(const struct table *t, FILE *out, bool color);
void table_free(struct table *t);
