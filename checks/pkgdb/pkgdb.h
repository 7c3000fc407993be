/* pkgdb.h: package inventories of an image: OS detection, one parser per package database format, and the driver that finds them. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "package.h"

struct imagefs;
struct buf;

/* A growing list of packages; every string in it is owned by the list. */
struct package_list {
	struct package *items;
	size_t len;
	size_t alloc;
	size_t cap;             /* most packages it accepts; 0 = PKGDB_DEFAULT_MAX_PACKAGES */
};

#define PKGDB_DEFAULT_MAX_PACKAGES 200000

void package_list_free(struct package_list *l);

/* One package as a parser found it; NULL or "" strings mean "absent". */
struct pkgdb_entry {
	const char *ecosystem;
	const char *name;
	const char *version;
	const char *source_name;
	const char *source_version;
	const char *location;
	const char *purl;
	enum package_origin origin;
	enum version_scheme scheme;
};

/* Copies e into the list. Returns 0, -ENOMEM, or -E2BIG when the list is full. */
int package_list_add(struct package_list *l, const struct pkgdb_entry *e);

/* The operating system of an image, from /etc/os-release. */
struct pkgdb_os {
	char id[64];            /* ID= ("debian", "alpine", "rocky") */
	char version_id[64];    /* VERSION_ID= */
	char pretty_name[128];  /* PRETTY_NAME= */
	char ecosystem[96];     /* OSV ecosystem with release: "Debian:12"; "" when unknown */
	char purl_distro[160];   /* purl distro qualifier: "debian-12", "alpine-3.19.1" */
	char purl_namespace[32];/* purl namespace: "debian", "ubuntu", "alpine", "redhat" */
};

/* Parses an os-release file. Returns 0 (ecosystem "" for an OS that OSV does
 * not know), or -EBADMSG when the text has no ID. */
int pkgdb_parse_os_release(const char *text, size_t len, struct pkgdb_os *os, char *err, size_t errlen);

/* Every parser below reads a whole database file given as bytes, appends the
 * packages it can read to out, and returns 0; or, for a malformed database, a
 * negative errno with "LOCATION: reason (line/entry N)" in err while keeping
 * the packages read before and after the bad part when it can. */

/* dpkg status (also one file of distroless status.d): packages whose Status
 * is "install ok installed". os gives the ecosystem and purl distro. */
int pkgdb_parse_dpkg_status(const char *text, size_t len, const struct pkgdb_os *os,
			    const char *location, struct package_list *out, char *err, size_t errlen);
/* One file of distroless /var/lib/dpkg/status.d (a stanza without Status is installed). */
int pkgdb_parse_dpkg_status_d(const char *text, size_t len, const struct pkgdb_os *os,
			      const char *location, struct package_list *out, char *err, size_t errlen);
/* Alpine /lib/apk/db/installed. files, when not NULL, gets every installed
 * directory and file ("/usr/lib/python3.11/site-packages/...") one per line. */
int pkgdb_parse_apk_installed(const char *text, size_t len, const struct pkgdb_os *os,
			      const char *location, struct package_list *out, struct buf *files,
			      char *err, size_t errlen);

/* One rpm header blob (as stored in rpmdb.sqlite, BDB or ndb). files, when
 * not NULL, gets every installed path of the package, one per line. */
int pkgdb_parse_rpm_header(const unsigned char *blob, size_t len, const struct pkgdb_os *os,
			   const char *location, struct package_list *out, struct buf *files,
			   char *err, size_t errlen);
/* rpmdb.sqlite given as bytes (opened read-only in memory). */
int pkgdb_parse_rpm_sqlite(const unsigned char *db, size_t len, const struct pkgdb_os *os,
			   const char *location, struct package_list *out, struct buf *files,
			   char *err, size_t errlen);
/* Berkeley DB hash database /var/lib/rpm/Packages. */
int pkgdb_parse_rpm_bdb(const unsigned char *db, size_t len, const struct pkgdb_os *os,
			const char *location, struct package_list *out, struct buf *files,
			char *err, size_t errlen);
/* ndb /var/lib/rpm/Packages.db (SUSE). */
int pkgdb_parse_rpm_ndb(const unsigned char *db, size_t len, const struct pkgdb_os *os,
			const char *location, struct package_list *out, struct buf *files,
			char *err, size_t errlen);

/* Python core metadata (dist-info/METADATA, egg-info/PKG-INFO): Name and Version. */
int pkgdb_parse_python_metadata(const char *text, size_t len, const char *location,
				struct package_list *out, char *err, size_t errlen);
/* PEP 503 normalized name ("Foo_Bar.baz" -> "foo-bar-baz") into dst. */
void pkgdb_pep503_normalize(const char *name, char *dst, size_t dstlen);
/* One node_modules package.json. */
int pkgdb_parse_npm_package_json(const char *text, size_t len, const char *location,
				 struct package_list *out, char *err, size_t errlen);

/* Reads len bytes at off of a file into dst; returns 0 or a negative errno
 * (-EIO for a short read). Lets the ELF reader take only what it needs. */
typedef int (*pkgdb_read_at_fn)(void *user, uint64_t off, size_t len, unsigned char *dst);

/* A Go binary: finds .go.buildinfo through the ELF section headers (reading
 * at most a few MiB whatever the file size) and parses it: inline strings
 * (Go 1.18+) or, before, pointers resolved through the sections. Returns 0 with
 * the packages, -ENOENT when the file is not a Go binary (or not ELF), or
 * another negative errno with the reason in err. */
int pkgdb_parse_go_binary(pkgdb_read_at_fn read_at, void *user, uint64_t file_size, const char *location,
			  struct package_list *out, char *err, size_t errlen);
/* Go build info of Go 1.18+: the bytes of the .go.buildinfo section (or of
 * the data from the "\xff Go buildinf:" magic on). Reports the main module, its
 * dependencies and "stdlib". Versions keep Go's form ("v1.2.3"); stdlib is
 * "v1.21.5" for go1.21.5. */
int pkgdb_parse_go_buildinfo(const unsigned char *data, size_t len, const char *location,
			     struct package_list *out, char *err, size_t errlen);
/* The module info text of a Go binary ("path ...\nmod ...\ndep ...\n"). */
int pkgdb_parse_go_modinfo(const char *text, size_t len, const char *goversion, const char *location,
			   struct package_list *out, char *err, size_t errlen);

/* Java archives: pom.properties, MANIFEST.MF, and the archive itself. */
int pkgdb_parse_pom_properties(const char *text, size_t len, const char *location,
			       struct package_list *out, char *err, size_t errlen);
int pkgdb_parse_manifest(const char *text, size_t len, const char *location,
			 struct package_list *out, char *err, size_t errlen);
/* A .jar/.war/.ear given as bytes; nested archives are read one level deep,
 * each entry at most max_entry bytes. */
int pkgdb_parse_java_archive(const unsigned char *zip, size_t len, const char *location,
			     size_t max_entry, struct package_list *out, char *err, size_t errlen);

/* Limits of the driver; zero fields take the defaults. */
struct pkgdb_limits {
	size_t max_db_bytes;        /* one package database (default 256 MiB) */
	size_t max_text_bytes;      /* one metadata file (METADATA, package.json; default 1 MiB) */
	size_t max_archive_bytes;   /* one jar/war/ear (default 128 MiB) */
	size_t max_archive_entry;   /* one entry inside it (default 16 MiB) */
	size_t max_files;           /* files visited by the walk (default 500000) */
	unsigned max_depth;         /* directory depth of the walk (default 48) */
	size_t max_packages;        /* packages in the result (default PKGDB_DEFAULT_MAX_PACKAGES) */
};

#define PKGDB_MAX_ERRORS 16

struct pkgdb_stats {
	struct pkgdb_os os;
	bool os_found;
	size_t databases;           /* package databases read */
	size_t os_packages;
	size_t language_packages;
	size_t os_owned_skipped;    /* files that could declare language packages (metadata, executables,
	                             * archives) left unread: an OS package installed them */
	size_t files_visited;
	size_t binaries_checked;
	size_t archives_checked;
	bool walk_truncated;        /* a limit stopped the walk: the inventory is incomplete */
	size_t nerrors;             /* problems (all counted, the first PKGDB_MAX_ERRORS kept) */
	char errors[PKGDB_MAX_ERRORS][256];
};

/* Detects the OS, reads every package database present, walks the image for
 * language packages, and returns one list. Returns 0 (problems with single
 * files are counted in st->errors and the rest is still read) or a negative
 * errno when nothing could be collected. */
int pkgdb_collect(struct imagefs *fs, const struct pkgdb_limits *lim, struct package_list *out,
		  struct pkgdb_stats *st, char *err, size_t errlen);

/* Helpers shared by the parsers. */
/* Appends a percent-encoded purl component to b. */
int pkgdb_purl_escape(struct buf *b, const char *s, bool keep_slash);
/* Appends "pkg:TYPE/NS/NAME@VERSION?QUALIFIERS" (ns, version, qualifiers may be NULL). */
int pkgdb_purl(struct buf *b, const char *type, const char *ns, const char *name, const char *version,
	       const char *qualifiers);
/* Appends key=value (escaped) to a purl qualifier string, '&'-separated; nothing for an empty value. */
int pkgdb_purl_qualifier(struct buf *q, const char *key, const char *value);
/* Adds e with the purl pkg:TYPE/NS/NAME@E->VERSION?QUALIFIERS built from it
 * (e->purl is ignored). Returns 0, -ENOMEM or -E2BIG. */
int pkgdb_add_purl(struct package_list *out, const struct pkgdb_entry *e, const char *type, const char *ns,
		   const char *purl_name, const char *qualifiers);
/* An OS package (dpkg, apk, rpm): purl qualifiers arch, epoch, upstream
 * (when the source differs from the name) and the OS's distro. */
struct pkgdb_os_package {
	const char *type;           /* purl type: "deb", "apk", "rpm" */
	const char *default_ns;     /* purl namespace when the OS is unknown (NULL: none) */
	const char *name, *version, *source_name, *source_version;
	const char *purl_version;   /* version in the purl when it differs (rpm: without epoch) */
	const char *arch, *epoch, *upstream;
	enum version_scheme scheme;
};
int pkgdb_add_os_package(struct package_list *out, const struct pkgdb_os *os, const char *location,
			 const struct pkgdb_os_package *p);
/* "LOCATION: too many packages" or the errno's text, for a failed add. */
void pkgdb_add_error(char *err, size_t errlen, const char *location, int r);
/* Copies v[0..n) without surrounding blanks (and "" if it holds a NUL). */
void pkgdb_copy_trimmed(char *dst, size_t dstlen, const char *v, size_t n);
/* The next line of text[*pos..len) without its '\n' (and '\r'); false at the end. */
bool pkgdb_next_line(const char *text, size_t len, size_t *pos, const char **line, size_t *n);
