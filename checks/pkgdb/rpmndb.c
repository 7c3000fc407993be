/* rpmndb.c: rpm's ndb database (Packages.db, SUSE) to packages: slot pages pointing at header blobs. */
#include "pkgdb.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define NDB_PAGE 4096u
#define NDB_SLOT 16u
#define NDB_BLOCK 16u
#define NDB_HEADER 32u
#define NDB_MAGIC 0x506d7052u          /* "RpmP" */
#define NDB_SLOT_MAGIC 0x746f6c53u     /* "Slot" */
#define NDB_BLOB_MAGIC 0x53626c42u     /* "BlbS" */
#define NDB_MAX_SLOT_PAGES 4096u

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

int pkgdb_parse_rpm_ndb(const unsigned char *db, size_t len, const struct pkgdb_os *os,
			const char *location, struct package_list *out, struct buf *files,
			char *err, size_t errlen)
{
	int first = 0;
	if (!location)
		location = "rpm Packages.db";
	if (len < NDB_HEADER || le32(db) != NDB_MAGIC) {
		snprintf(err, errlen, "%s: not an rpm ndb database", location);
		return -EBADMSG;
	}
	if (le32(db + 4) != 0) {
		snprintf(err, errlen, "%s: ndb version %u is not supported", location, le32(db + 4));
		return -ENOTSUP;
	}
	uint32_t npages = le32(db + 12);
	if (npages == 0 || npages > NDB_MAX_SLOT_PAGES || (size_t)npages * NDB_PAGE > len) {
		snprintf(err, errlen, "%s: %u slot pages do not fit in the file", location, npages);
		return -EBADMSG;
	}
	/* the header takes the room of the first two slots */
	size_t nslots = (size_t)npages * (NDB_PAGE / NDB_SLOT) - NDB_HEADER / NDB_SLOT;
	for (size_t i = 0; i < nslots; i++) {
		const unsigned char *s = db + NDB_HEADER + i * NDB_SLOT;
		uint32_t pkgidx = le32(s + 4), blkoff = le32(s + 8), blkcnt = le32(s + 12);
		const char *why = NULL;
		if (le32(s) != NDB_SLOT_MAGIC)
			why = "bad slot magic";
		else if (pkgidx == 0)
			continue; /* free slot */
		else if ((uint64_t)blkoff * NDB_BLOCK + (uint64_t)blkcnt * NDB_BLOCK > len || blkcnt == 0 ||
			 (uint64_t)blkcnt * NDB_BLOCK < 16)
			why = "blob lies outside the file";
		if (!why) {
			const unsigned char *b = db + (size_t)blkoff * NDB_BLOCK;
			uint32_t blen = le32(b + 12);
			if (le32(b) != NDB_BLOB_MAGIC || le32(b + 4) != pkgidx)
				why = "bad blob header";
			else if ((uint64_t)blen + 16 > (uint64_t)blkcnt * NDB_BLOCK)
				why = "blob longer than its blocks";
			else {
				char e2[256];
				int pr = pkgdb_parse_rpm_header(b + 16, blen, os, location, out, files, e2, sizeof(e2));
				if (pr == -E2BIG || pr == -ENOMEM) {
					snprintf(err, errlen, "%s", e2);
					return pr;
				}
				if (pr < 0 && !first) {
					first = pr;
					const char *w = strncmp(e2, location, strlen(location)) == 0 ? e2 + strlen(location) : e2;
					snprintf(err, errlen, "%s: package %u%s", location, pkgidx, w);
				}
				continue;
			}
		}
		if (!first) {
			first = -EBADMSG;
			snprintf(err, errlen, "%s: slot %zu: %s", location, i, why);
		}
	}
	return first;
}
