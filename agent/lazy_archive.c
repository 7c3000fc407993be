/* lazy_archive.c: the libarchive functions dockward calls, loaded with dlopen on the first archive_read_new, so that commands that read no archive (audit, inventory, watch...) do not map libarchive and what it pulls in (libxml2, ICU, libstdc++: ~3 MB of RSS). */
#include <archive.h>
#include <archive_entry.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "lazy_lib.h"

#ifndef LIBARCHIVE_SONAME
#define LIBARCHIVE_SONAME "libarchive.so.13"
#endif

/* X(return type, name, parameters, arguments, answer without the library): every libarchive function
 * used under agent/ and checks/ but archive_read_new, which loads the library */
#define LAZY_ARCHIVE_FUNCS(X) \
	X(int, archive_read_free, (struct archive *a), (a), ARCHIVE_OK) \
	X(const char *, archive_error_string, (struct archive *a), (a), NULL) \
	X(int, archive_read_support_filter_all, (struct archive *a), (a), ARCHIVE_FATAL) \
	X(int, archive_read_support_format_tar, (struct archive *a), (a), ARCHIVE_FATAL) \
	X(int, archive_read_support_format_gnutar, (struct archive *a), (a), ARCHIVE_FATAL) \
	X(int, archive_read_support_format_zip, (struct archive *a), (a), ARCHIVE_FATAL) \
	X(int, archive_read_open_memory, (struct archive *a, const void *buf, size_t size), (a, buf, size), \
	  ARCHIVE_FATAL) \
	X(int, archive_read_open_filename, (struct archive *a, const char *name, size_t block), (a, name, block), \
	  ARCHIVE_FATAL) \
	X(int, archive_read_open_fd, (struct archive *a, int fd, size_t block), (a, fd, block), ARCHIVE_FATAL) \
	X(int, archive_read_next_header, (struct archive *a, struct archive_entry **e), (a, e), ARCHIVE_FATAL) \
	X(la_ssize_t, archive_read_data, (struct archive *a, void *buf, size_t size), (a, buf, size), \
	  ARCHIVE_FATAL) \
	X(int, archive_read_data_block, (struct archive *a, const void **buf, size_t *size, la_int64_t *off), \
	  (a, buf, size, off), ARCHIVE_FATAL) \
	X(const char *, archive_entry_pathname, (struct archive_entry *e), (e), NULL) \
	X(const char *, archive_entry_symlink, (struct archive_entry *e), (e), NULL) \
	X(const char *, archive_entry_hardlink, (struct archive_entry *e), (e), NULL) \
	X(__LA_MODE_T, archive_entry_filetype, (struct archive_entry *e), (e), 0) \
	X(__LA_MODE_T, archive_entry_perm, (struct archive_entry *e), (e), 0) \
	X(la_int64_t, archive_entry_size, (struct archive_entry *e), (e), 0) \
	X(int, archive_entry_size_is_set, (struct archive_entry *e), (e), 0)

#define FIELD(ret, name, params, args, fallback) ret(*name) params;
static struct {
	struct archive *(*archive_read_new)(void);
	LAZY_ARCHIVE_FUNCS(FIELD)
} lib;
static bool lib_ok;
static pthread_once_t lib_once = PTHREAD_ONCE_INIT;

static void lib_load(void)
{
#define SYM(ret, name, params, args, fallback) { #name, &lib.name },
	const struct lazy_sym syms[] = {
		{ "archive_read_new", &lib.archive_read_new },
		LAZY_ARCHIVE_FUNCS(SYM)
	};
	char err[256];  /* archive_read_new's NULL is its only report */
	lib_ok = lazy_lib_open(LIBARCHIVE_SONAME, syms, sizeof(syms) / sizeof(syms[0]), err, sizeof(err)) == 0;
}

/* The way in for dockward: every other function takes what this one (or a reader it made) returned.
 * Without the library it returns NULL, as libarchive does when out of memory. */
struct archive *archive_read_new(void)
{
	pthread_once(&lib_once, lib_load);
	return lib_ok ? lib.archive_read_new() : NULL;
}

/* Each also loads: in a program that links libarchive too (unit tests writing archives), these definitions
 * interpose on libarchive's own calls to them, which may come before any archive_read_new. Without the
 * library (only a NULL reader can exist then) each answers as for a failed reader. */
#define FORWARD(ret, name, params, args, fallback) \
	ret name params \
	{ \
		pthread_once(&lib_once, lib_load); \
		return lib_ok ? lib.name args : (fallback); \
	}
LAZY_ARCHIVE_FUNCS(FORWARD)
