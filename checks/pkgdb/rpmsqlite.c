/* rpmsqlite.c: rpm's sqlite database (rpmdb.sqlite) to packages, read from memory, read-only. */
#include "pkgdb.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "lazy_sqlite.h"

int pkgdb_parse_rpm_sqlite(const unsigned char *data, size_t len, const struct pkgdb_os *os,
			   const char *location, struct package_list *out, struct buf *files,
			   char *err, size_t errlen)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int r = 0, first = 0;
	size_t rows = 0;
	if (!location)
		location = "rpmdb.sqlite";
	if (len < 100 || memcmp(data, "SQLite format 3", 16) != 0) {
		snprintf(err, errlen, "%s: not an SQLite database", location);
		return -EBADMSG;
	}
	if ((r = lazy_sqlite_load(err, errlen)) < 0)
		return r;
	/* sqlite owns (and frees) its copy; a WAL-mode header (bytes 18/19 = 2)
	 * is switched to rollback mode, which an in-memory database needs */
	unsigned char *copy = sqlite3_malloc64(len);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, data, len);
	if (copy[18] == 2)
		copy[18] = 1;
	if (copy[19] == 2)
		copy[19] = 1;
	if (sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_MEMORY, NULL) != SQLITE_OK) {
		sqlite3_free(copy);
		snprintf(err, errlen, "%s: cannot open an in-memory database", location);
		r = -ENOMEM;
		goto out;
	}
	if (sqlite3_deserialize(db, "main", copy, (sqlite3_int64)len, (sqlite3_int64)len,
				SQLITE_DESERIALIZE_FREEONCLOSE | SQLITE_DESERIALIZE_READONLY) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", location, sqlite3_errmsg(db));
		r = -EBADMSG;
		goto out;
	}
	sqlite3_limit(db, SQLITE_LIMIT_LENGTH, 256 << 20);
	if (sqlite3_prepare_v2(db, "SELECT hnum, blob FROM Packages", -1, &st, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: no rpm Packages table: %s", location, sqlite3_errmsg(db));
		r = -EBADMSG;
		goto out;
	}
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		rows++;
		const unsigned char *blob = sqlite3_column_blob(st, 1);
		int n = sqlite3_column_bytes(st, 1);
		char where[512], e2[256];
		snprintf(where, sizeof(where), "%s: package %lld", location, (long long)sqlite3_column_int64(st, 0));
		int pr = pkgdb_parse_rpm_header(blob, blob && n > 0 ? (size_t)n : 0, os, location, out, files, e2,
						sizeof(e2));
		if (pr == -E2BIG || pr == -ENOMEM) {
			snprintf(err, errlen, "%s", e2);
			r = pr;
			goto out;
		}
		if (pr < 0 && !first) {
			first = pr;
			/* e2 starts with the location; name the row instead */
			const char *why = strncmp(e2, location, strlen(location)) == 0 ? e2 + strlen(location) : e2;
			snprintf(err, errlen, "%s%s", where, why);
		}
	}
	if (rc != SQLITE_DONE && !first) {
		first = -EBADMSG;
		snprintf(err, errlen, "%s: after %zu rows: %s", location, rows, sqlite3_errmsg(db));
	}
	r = first;
out:
	sqlite3_finalize(st);
	sqlite3_close(db);
	return r;
}
