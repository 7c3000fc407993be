/* lazy_sqlite.c: the SQLite functions dockward calls, loaded with dlopen when a vulnerability database or an rpm sqlite package database is really opened, so that commands that open none (an audit without a database, inventory, watch...) do not map libsqlite3. */
#include "lazy_sqlite.h"

#include "lazy_lib.h"

#include <errno.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#ifndef LIBSQLITE_SONAME
#define LIBSQLITE_SONAME "libsqlite3.so.0"
#endif

/* X(return type, name, parameters, arguments, answer without the library): every SQLite function used
 * under agent/ and checks/ but sqlite3_open_v2, sqlite3_errmsg and sqlite3_free, written out below.
 * Without the library no connection or statement can exist: the answers are those for a misuse. */
#define LAZY_SQLITE_FUNCS(X) \
	X(int, sqlite3_bind_double, (sqlite3_stmt *s, int i, double v), (s, i, v), SQLITE_MISUSE) \
	X(int, sqlite3_bind_int64, (sqlite3_stmt *s, int i, sqlite3_int64 v), (s, i, v), SQLITE_MISUSE) \
	X(int, sqlite3_bind_text, (sqlite3_stmt *s, int i, const char *v, int n, void (*d)(void *)), \
	  (s, i, v, n, d), SQLITE_MISUSE) \
	X(int, sqlite3_close, (sqlite3 *db), (db), SQLITE_OK) \
	X(const void *, sqlite3_column_blob, (sqlite3_stmt *s, int i), (s, i), NULL) \
	X(int, sqlite3_column_bytes, (sqlite3_stmt *s, int i), (s, i), 0) \
	X(double, sqlite3_column_double, (sqlite3_stmt *s, int i), (s, i), 0.0) \
	X(sqlite3_int64, sqlite3_column_int64, (sqlite3_stmt *s, int i), (s, i), 0) \
	X(const unsigned char *, sqlite3_column_text, (sqlite3_stmt *s, int i), (s, i), NULL) \
	X(int, sqlite3_deserialize, (sqlite3 *db, const char *schema, unsigned char *data, sqlite3_int64 size, \
				     sqlite3_int64 cap, unsigned flags), (db, schema, data, size, cap, flags), \
	  SQLITE_MISUSE) \
	X(int, sqlite3_exec, (sqlite3 *db, const char *sql, int (*cb)(void *, int, char **, char **), void *user, \
			      char **errmsg), (db, sql, cb, user, errmsg), SQLITE_MISUSE) \
	X(int, sqlite3_finalize, (sqlite3_stmt *s), (s), SQLITE_OK) \
	X(sqlite3_int64, sqlite3_last_insert_rowid, (sqlite3 *db), (db), 0) \
	X(int, sqlite3_limit, (sqlite3 *db, int id, int value), (db, id, value), -1) \
	X(void *, sqlite3_malloc64, (sqlite3_uint64 n), (n), NULL) \
	X(int, sqlite3_prepare_v2, (sqlite3 *db, const char *sql, int n, sqlite3_stmt **st, const char **tail), \
	  (db, sql, n, st, tail), SQLITE_MISUSE) \
	X(int, sqlite3_reset, (sqlite3_stmt *s), (s), SQLITE_MISUSE) \
	X(int, sqlite3_step, (sqlite3_stmt *s), (s), SQLITE_MISUSE)

#define FIELD(ret, name, params, args, fallback) ret(*name) params;
static struct {
	int (*sqlite3_open_v2)(const char *file, sqlite3 **db, int flags, const char *vfs);
	const char *(*sqlite3_errmsg)(sqlite3 *db);
	void (*sqlite3_free)(void *p);
	LAZY_SQLITE_FUNCS(FIELD)
} lib;
static bool lib_ok;
static char lib_err[256];
static pthread_once_t lib_once = PTHREAD_ONCE_INIT;

static void lib_load(void)
{
#define SYM(ret, name, params, args, fallback) { #name, &lib.name },
	const struct lazy_sym syms[] = {
		{ "sqlite3_open_v2", &lib.sqlite3_open_v2 },
		{ "sqlite3_errmsg", &lib.sqlite3_errmsg },
		{ "sqlite3_free", &lib.sqlite3_free },
		LAZY_SQLITE_FUNCS(SYM)
	};
	lib_ok = lazy_lib_open(LIBSQLITE_SONAME, syms, sizeof(syms) / sizeof(syms[0]), lib_err, sizeof(lib_err)) == 0;
}

int lazy_sqlite_load(char *err, size_t errlen)
{
	pthread_once(&lib_once, lib_load);
	if (lib_ok)
		return 0;
	snprintf(err, errlen, "%s", lib_err);
	return -ELIBACC;
}

int sqlite3_open_v2(const char *file, sqlite3 **db, int flags, const char *vfs)
{
	pthread_once(&lib_once, lib_load);
	if (lib_ok)
		return lib.sqlite3_open_v2(file, db, flags, vfs);
	*db = NULL;
	return SQLITE_CANTOPEN;
}

/* Without the library, the reason it could not be loaded: what a failed sqlite3_open_v2 is reported with. */
const char *sqlite3_errmsg(sqlite3 *db)
{
	pthread_once(&lib_once, lib_load);
	return lib_ok ? lib.sqlite3_errmsg(db) : lib_err;
}

void sqlite3_free(void *p)
{
	pthread_once(&lib_once, lib_load);
	if (lib_ok)
		lib.sqlite3_free(p);
}

#define FORWARD(ret, name, params, args, fallback) \
	ret name params \
	{ \
		pthread_once(&lib_once, lib_load); \
		return lib_ok ? lib.name args : (fallback); \
	}
LAZY_SQLITE_FUNCS(FORWARD)
