/* test_lazy_sqlite.c: libsqlite3 is not mapped until a database is opened, then works through agent/lazy_sqlite.c. */
#include "unit.h"

#include <dlfcn.h>
#include <sqlite3.h>

#include "lazy_sqlite.h"

static bool sqlite_mapped(void)
{
	void *h = dlopen("libsqlite3.so.0", RTLD_NOW | RTLD_NOLOAD);
	if (h)
		dlclose(h);
	return h != NULL;
}

static void loaded_on_first_open(void **state)
{
	(void)state;
	/* this test program links no libsqlite3 (it calls only what lazy_sqlite.c defines) */
	assert_false(sqlite_mapped());
	sqlite3 *db = NULL;
	assert_int_equal(sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_MEMORY, NULL), SQLITE_OK);
	assert_true(sqlite_mapped());
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE t(a INTEGER, b TEXT); INSERT INTO t VALUES(7, 'seven');",
				      NULL, NULL, NULL), SQLITE_OK);
	sqlite3_stmt *st = NULL;
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT a, b FROM t WHERE a = ?", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_bind_int64(st, 1, 7), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int64(st, 0), 7);
	assert_string_equal((const char *)sqlite3_column_text(st, 1), "seven");
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	assert_int_equal(sqlite3_finalize(st), SQLITE_OK);
	char err[256] = "";
	assert_int_equal(lazy_sqlite_load(err, sizeof(err)), 0);
	assert_int_equal(sqlite3_close(db), SQLITE_OK);
}

static void errors_come_from_the_library(void **state)
{
	(void)state;
	sqlite3 *db = NULL;
	assert_int_equal(sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_MEMORY, NULL), SQLITE_OK);
	sqlite3_stmt *st = NULL;
	assert_int_not_equal(sqlite3_prepare_v2(db, "SELECT * FROM missing", -1, &st, NULL), SQLITE_OK);
	assert_non_null(strstr(sqlite3_errmsg(db), "missing"));
	sqlite3_close(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(loaded_on_first_open),
		cmocka_unit_test(errors_come_from_the_library),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
