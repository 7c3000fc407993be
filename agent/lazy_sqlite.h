/* lazy_sqlite.h: SQLite is loaded with dlopen when a database is really opened (agent/lazy_sqlite.c). */
#pragma once
#include <stddef.h>

/* Loads libsqlite3 once; 0, or -ELIBACC with the loader's reason (which names the library) in err.
 * Call it before the first sqlite3_* call of a command, for that reason; the sqlite3_* functions load the
 * library too, and without it answer as for a failed open (sqlite3_errmsg gives the same reason). */
int lazy_sqlite_load(char *err, size_t errlen);
