/* vulndb.c: opening the compiled vulnerability database read-only, and what it holds (for `dockward db status`). */
#include "vulndb.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lazy_sqlite.h"
#include "vulndb_schema.h"

#define LOOKUP_SQL \
	"SELECT a.id, a.aliases, a.summary, a.severity, a.cvss_score, a.cvss_vector, f.ranges" \
	" FROM affected f JOIN advisory a ON a.rowid = f.advisory WHERE f.ecosystem = ?1 AND f.name = ?2"

/* A copy of meta's value for key; NULL (with err) when absent. */
static char *meta_get(sqlite3 *db, const char *key)
{
	sqlite3_stmt *s;
	char *v = NULL;
	if (sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = ?1", -1, &s, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0))
		v = strdup((const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	return v;
}

void vulndb_close(struct vulndb *db)
{
	if (!db)
		return;
	sqlite3_finalize(db->lookup);
	sqlite3_close(db->db);
	free(db->path);
	free(db->content_version);
	free(db);
}

int vulndb_open(const char *db_dir, struct vulndb **out, char *err, size_t errlen)
{
	*out = NULL;
	char path[4096];
	if (snprintf(path, sizeof(path), "%s/%s", db_dir, VULNDB_FILE) >= (int)sizeof(path)) {
		snprintf(err, errlen, "%s: path too long", db_dir);
		return -ENAMETOOLONG;
	}
	struct stat st;
	if (stat(path, &st) < 0) {
		int e = errno;
		if (e == ENOENT)
			snprintf(err, errlen, "no vulnerability database at %s; run `dockward db import PATH`", path);
		else
			snprintf(err, errlen, "%s: %s", path, strerror(e));
		return -e;
	}
	int lr = lazy_sqlite_load(err, errlen);
	if (lr < 0)
		return lr;
	struct vulndb *db = calloc(1, sizeof(*db));
	if (!db || !(db->path = strdup(path))) {
		free(db);
		return -ENOMEM;
	}
	int r = 0;
	char *schema = NULL;
	/* An import never writes to a database file that exists: it renames a new
	 * one over it. So the file opened here cannot change, and SQLite may skip
	 * its per-query locking and change checks (immutable=1). */
	char uri[3 * sizeof(path) + 32];
	size_t k = (size_t)snprintf(uri, sizeof(uri), "file:");
	for (const char *p = path; *p; p++)
		k += (size_t)snprintf(uri + k, sizeof(uri) - k, strchr("%?#", *p) ? "%%%02X" : "%c", (unsigned char)*p);
	snprintf(uri + k, sizeof(uri) - k, "?immutable=1");
	if (sqlite3_open_v2(uri, &db->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path, db->db ? sqlite3_errmsg(db->db) : "out of memory");
		r = -EIO;
		goto out;
	}
	/* pages are mapped rather than copied in: a cold scan reads only what it touches */
	sqlite3_exec(db->db, "PRAGMA mmap_size=1073741824", NULL, NULL, NULL);
	schema = meta_get(db->db, "schema_version");
	if (!schema) {
		snprintf(err, errlen, "%s: not a dockward vulnerability database", path);
		r = -EPROTO;
		goto out;
	}
	if (atoi(schema) != VULNDB_SCHEMA_VERSION) {
		snprintf(err, errlen, "%s: database schema %s, this dockward reads schema %d; run `dockward db import` again",
			 path, schema, VULNDB_SCHEMA_VERSION);
		r = -EPROTO;
		goto out;
	}
	if (!(db->content_version = meta_get(db->db, "content_version")) ||
	    sqlite3_prepare_v2(db->db, LOOKUP_SQL, -1, &db->lookup, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: damaged database: %s", path, sqlite3_errmsg(db->db));
		r = -EPROTO;
		goto out;
	}
	*out = db;
	db = NULL;
out:
	free(schema);
	vulndb_close(db);
	return r;
}

const char *vulndb_version(const struct vulndb *db)
{
	return db->content_version;
}

void vulndb_info_free(struct vulndb_info *info)
{
	if (!info)
		return;
	free(info->path);
	free(info->content_version);
	free(info->imported_at);
	free(info->source);
	for (size_t i = 0; i < info->n_ecosystems; i++)
		free(info->ecosystems[i].ecosystem);
	free(info->ecosystems);
	memset(info, 0, sizeof(*info));
}

int vulndb_info(struct vulndb *db, struct vulndb_info *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	struct stat st;
	if (stat(db->path, &st) == 0)
		out->size_bytes = (uint64_t)st.st_size;
	out->schema_version = VULNDB_SCHEMA_VERSION;
	if (!(out->path = strdup(db->path)) || !(out->content_version = strdup(db->content_version)))
		goto nomem;
	out->imported_at = meta_get(db->db, "imported_at");
	out->source = meta_get(db->db, "source");
	if (!out->imported_at || !out->source)
		goto nomem;
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(db->db, "SELECT COUNT(*) FROM advisory", -1, &s, NULL) != SQLITE_OK)
		goto sql;
	if (sqlite3_step(s) == SQLITE_ROW)
		out->advisories = (size_t)sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	if (sqlite3_prepare_v2(db->db, "SELECT ecosystem, COUNT(DISTINCT advisory), COUNT(DISTINCT name) FROM affected"
			       " GROUP BY ecosystem ORDER BY ecosystem", -1, &s, NULL) != SQLITE_OK)
		goto sql;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct vulndb_ecosystem_count *n = realloc(out->ecosystems, (out->n_ecosystems + 1) * sizeof(*n));
		if (!n) {
			sqlite3_finalize(s);
			goto nomem;
		}
		out->ecosystems = n;
		n = &out->ecosystems[out->n_ecosystems];
		if (!(n->ecosystem = strdup((const char *)sqlite3_column_text(s, 0)))) {
			sqlite3_finalize(s);
			goto nomem;
		}
		n->advisories = (size_t)sqlite3_column_int64(s, 1);
		n->packages = (size_t)sqlite3_column_int64(s, 2);
		out->n_ecosystems++;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		goto sql;
	return 0;
sql:
	snprintf(err, errlen, "%s: %s", db->path, sqlite3_errmsg(db->db));
	vulndb_info_free(out);
	return -EIO;
nomem:
	snprintf(err, errlen, "out of memory (or a damaged database)");
	vulndb_info_free(out);
	return -ENOMEM;
}
