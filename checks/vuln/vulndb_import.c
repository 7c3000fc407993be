/* vulndb_import.c: compiles OSV records into the database file, replacing the old one atomically. */
#include "vulndb.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "affected_ranges.h"
#include "buf.h"
#include "lazy_sqlite.h"
#include "osv.h"
#include "osv_source.h"
#include "upstream/atomic_file.h"
#include "vulndb_schema.h"
#include "timefmt.h"

void vulndb_package_key(const char *ecosystem, const char *name, char *out, size_t outlen)
{
	if (!outlen)
		return;
	if (strcmp(ecosystem, "PyPI") != 0) {
		snprintf(out, outlen, "%s", name);
		return;
	}
	size_t k = 0;
	for (const char *p = name; *p && k + 1 < outlen; p++) {
		if (*p == '-' || *p == '_' || *p == '.') {
			if (k && out[k - 1] == '-')
				continue;
			out[k++] = '-';
		} else {
			out[k++] = (char)tolower((unsigned char)*p);
		}
	}
	out[k] = '\0';
}

/* Two 64-bit FNV-1a digests of a record, summed over records: the content
 * version does not depend on the order or the names of the files. */
struct content_hash {
	uint64_t a, b;
};

static void content_hash_add(struct content_hash *h, const char *data, size_t len)
{
	uint64_t x = 0xcbf29ce484222325ULL, y = 0x84222325cbf29ce4ULL;
	for (size_t i = 0; i < len; i++) {
		x = (x ^ (unsigned char)data[i]) * 0x100000001b3ULL;
		y = (y ^ (unsigned char)data[len - 1 - i]) * 0x100000001b3ULL;
	}
	/* finalizer (splitmix64) so that sums of similar records do not cancel */
	x ^= x >> 30, x *= 0xbf58476d1ce4e5b9ULL, x ^= x >> 27, x *= 0x94d049bb133111ebULL, x ^= x >> 31;
	y ^= y >> 30, y *= 0xbf58476d1ce4e5b9ULL, y ^= y >> 27, y *= 0x94d049bb133111ebULL, y ^= y >> 31;
	h->a += x;
	h->b += y;
}

struct importer {
	sqlite3 *db;
	sqlite3_stmt *ins_advisory, *ins_affected;
	struct vulndb_import_stats *st;
	struct content_hash hash;
	struct buf enc;
	char *err;
	size_t errlen;
};

static int sql_fail(struct importer *im, const char *what)
{
	snprintf(im->err, im->errlen, "%s: %s", what, sqlite3_errmsg(im->db));
	return -EIO;
}

static int note_bad(struct importer *im, const char *name, const char *reason)
{
	struct vulndb_import_stats *st = im->st;
	st->bad++;
	if (st->n_bad_files >= VULNDB_MAX_BAD_LISTED)
		return 0;
	if (!st->bad_files && !(st->bad_files = calloc(VULNDB_MAX_BAD_LISTED, sizeof(*st->bad_files))))
		return -ENOMEM;
	struct vulndb_bad_file *b = &st->bad_files[st->n_bad_files];
	if (!(b->file = strdup(name)) || !(b->reason = strdup(reason))) {
		free(b->file);
		b->file = NULL;
		return -ENOMEM;
	}
	st->n_bad_files++;
	return 0;
}

static int join_aliases(const struct osv_record *rec, struct buf *out)
{
	buf_reset(out);
	int r = buf_append(out, "", 0);
	for (size_t i = 0; i < rec->n_aliases && r == 0; i++)
		r = buf_printf(out, "%s%s", i ? "\n" : "", rec->aliases[i]);
	return r;
}

static int store_record(struct importer *im, const struct osv_record *rec)
{
	int r = join_aliases(rec, &im->enc);
	if (r < 0)
		return r;
	sqlite3_stmt *s = im->ins_advisory;
	sqlite3_reset(s);
	sqlite3_bind_text(s, 1, rec->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, im->enc.data, (int)im->enc.len, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, rec->summary, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, rec->severity, -1, SQLITE_STATIC);
	sqlite3_bind_double(s, 5, rec->cvss_score);
	sqlite3_bind_text(s, 6, rec->cvss_vector, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 7, rec->modified, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_CONSTRAINT) {
		im->st->duplicates++;
		return 1;
	}
	if (rc != SQLITE_DONE)
		return sql_fail(im, "storing an advisory");
	sqlite3_int64 rowid = sqlite3_last_insert_rowid(im->db);
	for (size_t i = 0; i < rec->n_affected; i++) {
		const struct osv_affected *a = &rec->affected[i];
		char key[OSV_MAX_VERSION_LEN + 1];
		vulndb_package_key(a->ecosystem, a->name, key, sizeof(key));
		buf_reset(&im->enc);
		if ((r = buf_append(&im->enc, "", 0)) < 0 || (r = affected_ranges_encode(a, &im->enc)) < 0)
			return r;
		s = im->ins_affected;
		sqlite3_reset(s);
		sqlite3_bind_text(s, 1, a->ecosystem, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, key, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 3, rowid);
		sqlite3_bind_text(s, 4, im->enc.data, (int)im->enc.len, SQLITE_STATIC);
		if (sqlite3_step(s) != SQLITE_DONE)
			return sql_fail(im, "storing an affected package");
		im->st->affected++;
	}
	im->st->advisories++;
	return 0;
}

static int on_document(void *user, const char *name, const char *data, size_t len, int read_err)
{
	struct importer *im = user;
	char reason[512];
	im->st->files++;
	if (read_err < 0) {
		snprintf(reason, sizeof(reason), "%s", read_err == -EFBIG ? "larger than the record size limit"
						       : strerror(-read_err));
		return note_bad(im, name, reason);
	}
	struct osv_record rec;
	int r = osv_parse(data, len, &rec, reason, sizeof(reason));
	if (r == -ENOMEM)
		return r;
	if (r < 0)
		return note_bad(im, name, reason);
	if (rec.withdrawn) {
		im->st->withdrawn++;
	} else if (!rec.n_affected) {
		im->st->no_package++;
	} else {
		r = store_record(im, &rec);
		if (r == 0)
			content_hash_add(&im->hash, data, len);
	}
	osv_record_free(&rec);
	return r < 0 ? r : 0;
}

static int exec_sql(struct importer *im, const char *sql)
{
	return sqlite3_exec(im->db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : sql_fail(im, "writing the database");
}

static int put_meta(struct importer *im, const char *key, const char *value)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(im->db, "INSERT INTO meta(key, value) VALUES(?1, ?2)", -1, &s, NULL) != SQLITE_OK)
		return sql_fail(im, "writing the database");
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, value, -1, SQLITE_STATIC);
	int r = sqlite3_step(s) == SQLITE_DONE ? 0 : sql_fail(im, "writing the database");
	sqlite3_finalize(s);
	return r;
}

static int fsync_file(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	int r = fsync(fd) < 0 ? -errno : 0;
	close(fd);
	return r;
}

static int write_meta(struct importer *im, const char *src)
{
	char val[64], when[32], abs_src[PATH_MAX];
	format_utc(time(NULL), when, sizeof(when));
	/* the schema version takes part: a new compiler gives a new content version */
	snprintf(im->st->content_version, sizeof(im->st->content_version), "%016llx%016llx",
		 (unsigned long long)(im->hash.a ^ ((uint64_t)VULNDB_SCHEMA_VERSION << 56)),
		 (unsigned long long)(im->hash.b + im->st->advisories));
	int r;
	snprintf(val, sizeof(val), "%d", VULNDB_SCHEMA_VERSION);
	if ((r = put_meta(im, "schema_version", val)) < 0)
		return r;
	if ((r = put_meta(im, "content_version", im->st->content_version)) < 0 ||
	    (r = put_meta(im, "imported_at", when)) < 0)
		return r;
	if (!realpath(src, abs_src))
		snprintf(abs_src, sizeof(abs_src), "%s", src);
	snprintf(val, sizeof(val), "%zu", im->st->advisories);
	if ((r = put_meta(im, "source", abs_src)) < 0 || (r = put_meta(im, "advisories", val)) < 0)
		return r;
	return 0;
}

/* Removes the temporary files of imports whose process is gone (killed half-way). */
static void remove_stale_temporaries(const char *db_dir)
{
	char prefix[64];
	size_t plen = (size_t)snprintf(prefix, sizeof(prefix), ".%s.tmp-", VULNDB_FILE);
	DIR *d = opendir(db_dir);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		if (strncmp(e->d_name, prefix, plen) != 0)
			continue;
		char *end;
		long pid = strtol(e->d_name + plen, &end, 10);
		if (*end || pid <= 0 || (kill((pid_t)pid, 0) < 0 && errno == ESRCH))
			unlinkat(dirfd(d), e->d_name, 0);
	}
	if (d)
		closedir(d);
}

int vulndb_import(const char *src, const char *db_dir, struct vulndb_import_stats *st, char *err, size_t errlen)
{
	struct importer im = { .st = st, .err = err, .errlen = errlen };
	char tmp[4096 + 64];
	bool tmp_made = false;
	memset(st, 0, sizeof(*st));
	buf_init(&im.enc, (size_t)64 << 20);
	int r = lazy_sqlite_load(err, errlen);
	if (r < 0)
		goto out;
	r = mkdir_p(db_dir, 0755);
	if (r < 0) {
		snprintf(err, errlen, "%s: %s", db_dir, strerror(-r));
		goto out;
	}
	snprintf(st->path, sizeof(st->path), "%s/%s", db_dir, VULNDB_FILE);
	remove_stale_temporaries(db_dir);
	snprintf(tmp, sizeof(tmp), "%s/.%s.tmp-%ld", db_dir, VULNDB_FILE, (long)getpid());
	unlink(tmp);
	tmp_made = true;
	if (sqlite3_open_v2(tmp, &im.db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
		r = im.db ? sql_fail(&im, tmp) : -ENOMEM;
		goto out;
	}
	if ((r = exec_sql(&im, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA page_size=4096;"
			       "BEGIN;" VULNDB_SCHEMA_SQL)) < 0)
		goto out;
	if (sqlite3_prepare_v2(im.db, "INSERT INTO advisory(id, aliases, summary, severity, cvss_score, cvss_vector,"
			       " modified) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)", -1, &im.ins_advisory, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(im.db, "INSERT INTO affected(ecosystem, name, advisory, ranges) VALUES(?1, ?2, ?3, ?4)",
			       -1, &im.ins_affected, NULL) != SQLITE_OK) {
		r = sql_fail(&im, "preparing the database");
		goto out;
	}
	if ((r = osv_source_walk(src, on_document, &im, err, errlen)) < 0) {
		if (r == -ENOMEM)
			snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (!st->advisories) {
		snprintf(err, errlen, "%s: no usable OSV record (%zu files, %zu bad, %zu withdrawn, %zu without packages)",
			 src, st->files, st->bad, st->withdrawn, st->no_package);
		r = -EINVAL;
		goto out;
	}
	if ((r = exec_sql(&im, VULNDB_INDEX_SQL)) < 0 || (r = write_meta(&im, src)) < 0 ||
	    (r = exec_sql(&im, "COMMIT;")) < 0)
		goto out;
	sqlite3_finalize(im.ins_advisory);
	sqlite3_finalize(im.ins_affected);
	im.ins_advisory = im.ins_affected = NULL;
	if (sqlite3_close(im.db) != SQLITE_OK) {
		r = sql_fail(&im, "closing the database");
		goto out;
	}
	im.db = NULL;
	if ((r = fsync_file(tmp)) < 0 || rename(tmp, st->path) < 0) {
		r = r < 0 ? r : -errno;
		snprintf(err, errlen, "%s: %s", st->path, strerror(-r));
		goto out;
	}
	tmp_made = false;
	fsync_parent_dir(st->path);
out:
	sqlite3_finalize(im.ins_advisory);
	sqlite3_finalize(im.ins_affected);
	sqlite3_close(im.db);
	if (tmp_made)
		unlink(tmp);
	buf_free(&im.enc);
	return r;
}

void vulndb_import_stats_free(struct vulndb_import_stats *st)
{
	if (!st)
		return;
	for (size_t i = 0; i < st->n_bad_files; i++) {
		free(st->bad_files[i].file);
		free(st->bad_files[i].reason);
	}
	free(st->bad_files);
	st->bad_files = NULL;
	st->n_bad_files = 0;
}
