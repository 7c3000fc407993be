/* vulndb_schema.h: the tables of the compiled vulnerability database and the open handle, shared by its writer and readers. */
#pragma once
#include <sqlite3.h>
#include <stddef.h>

/* advisory: one row per OSV record; aliases joined by '\n'.
 * affected: one row per (ecosystem, package) entry of a record, its ranges
 * encoded as affected_ranges.h describes; looked up by (ecosystem, name).
 * meta: schema_version, content_version, imported_at, source, advisories. */
#define VULNDB_SCHEMA_SQL \
	"CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);" \
	"CREATE TABLE advisory(id TEXT NOT NULL UNIQUE, aliases TEXT NOT NULL, summary TEXT NOT NULL," \
	" severity TEXT NOT NULL, cvss_score REAL NOT NULL, cvss_vector TEXT NOT NULL, modified TEXT NOT NULL);" \
	"CREATE TABLE affected(ecosystem TEXT NOT NULL, name TEXT NOT NULL, advisory INTEGER NOT NULL," \
	" ranges TEXT NOT NULL);"

#define VULNDB_INDEX_SQL "CREATE INDEX affected_package ON affected(ecosystem, name);"

/* Package names as stored and looked up: PyPI names are compared in their
 * PEP 503 normal form (lower case, runs of "-_." as one "-"); others as given.
 * Writes at most outlen bytes (always terminated). */
void vulndb_package_key(const char *ecosystem, const char *name, char *out, size_t outlen);

struct vulndb {
	sqlite3 *db;
	sqlite3_stmt *lookup;   /* (ecosystem, name) -> advisory rows with their ranges */
	char *path;
	char *content_version;
};
