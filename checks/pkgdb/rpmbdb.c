/* rpmbdb.c: rpm's Berkeley DB hash database (/var/lib/rpm/Packages) to packages, by reading its pages. */
#include "pkgdb.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

#define BDB_HASH_MAGIC 0x061561u
#define BDB_PAGE_HEADER 26
#define BDB_P_OVERFLOW 7
#define BDB_P_HASHMETA 8
#define BDB_P_HASH_UNSORTED 2
#define BDB_P_HASH 13
#define BDB_H_KEYDATA 1
#define BDB_H_OFFPAGE 3
#define BDB_MAX_RECORD ((size_t)64 << 20)

struct bdb {
	const unsigned char *data;
	size_t len;
	bool swap;              /* written on a host of the other byte order */
	uint32_t pagesize;
	uint32_t npages;
};

static uint32_t bdb_u32(const struct bdb *d, const unsigned char *p)
{
	if (d->swap)
		return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static uint16_t bdb_u16(const struct bdb *d, const unsigned char *p)
{
	return d->swap ? (uint16_t)(p[0] << 8 | p[1]) : (uint16_t)(p[1] << 8 | p[0]);
}

/* Gathers an off-page item: a chain of overflow pages holding tlen bytes. */
static int bdb_overflow(const struct bdb *d, uint32_t pgno, uint32_t tlen, struct buf *rec)
{
	buf_reset(rec);
	for (uint32_t hops = 0; rec->len < tlen; hops++) {
		if (pgno == 0 || pgno >= d->npages || hops >= d->npages)
			return -EBADMSG;
		const unsigned char *pg = d->data + (size_t)pgno * d->pagesize;
		if (pg[25] != BDB_P_OVERFLOW)
			return -EBADMSG;
		uint16_t n = bdb_u16(d, pg + 22);
		if (n > d->pagesize - BDB_PAGE_HEADER || n > tlen - rec->len)
			return -EBADMSG;
		int r = buf_append(rec, pg + BDB_PAGE_HEADER, n);
		if (r < 0)
			return r;
		pgno = bdb_u32(d, pg + 16);
		if (n == 0 && rec->len < tlen)
			return -EBADMSG;
	}
	return 0;
}

int pkgdb_parse_rpm_bdb(const unsigned char *data, size_t len, const struct pkgdb_os *os,
			const char *location, struct package_list *out, struct buf *files,
			char *err, size_t errlen)
{
	struct bdb d = { .data = data, .len = len };
	int first = 0;
	if (!location)
		location = "rpm Packages";
	if (len < 512) {
		snprintf(err, errlen, "%s: too short for a Berkeley DB file", location);
		return -EBADMSG;
	}
	uint32_t magic = bdb_u32(&d, data + 12);
	if (magic != BDB_HASH_MAGIC) {
		d.swap = true;
		magic = bdb_u32(&d, data + 12);
	}
	if (magic != BDB_HASH_MAGIC || data[25] != BDB_P_HASHMETA) {
		snprintf(err, errlen, "%s: not a Berkeley DB hash database", location);
		return -EBADMSG;
	}
	if (data[24] != 0) {
		snprintf(err, errlen, "%s: encrypted Berkeley DB databases are not supported", location);
		return -ENOTSUP;
	}
	d.pagesize = bdb_u32(&d, data + 20);
	if (d.pagesize < 512 || d.pagesize > 65536 || (d.pagesize & (d.pagesize - 1))) {
		snprintf(err, errlen, "%s: page size %u is not valid", location, d.pagesize);
		return -EBADMSG;
	}
	d.npages = (uint32_t)(len / d.pagesize < UINT32_MAX ? len / d.pagesize : UINT32_MAX);
	struct buf rec;
	buf_init(&rec, BDB_MAX_RECORD);
	int r = 0;
	for (uint32_t p = 1; p < d.npages && r == 0; p++) {
		const unsigned char *pg = data + (size_t)p * d.pagesize;
		if (pg[25] != BDB_P_HASH && pg[25] != BDB_P_HASH_UNSORTED)
			continue;
		uint16_t entries = bdb_u16(&d, pg + 20);
		if ((size_t)BDB_PAGE_HEADER + (size_t)entries * 2 > d.pagesize) {
			if (!first) {
				first = -EBADMSG;
				snprintf(err, errlen, "%s: page %u: %u entries do not fit", location, p, entries);
			}
			continue;
		}
		/* entries alternate key, data; the data item follows its key */
		for (uint16_t i = 1; i < entries && r == 0; i += 2) {
			uint16_t off = bdb_u16(&d, pg + BDB_PAGE_HEADER + (size_t)i * 2);
			uint16_t end = bdb_u16(&d, pg + BDB_PAGE_HEADER + (size_t)(i - 1) * 2);
			const char *why = NULL;
			if (off >= d.pagesize || end > d.pagesize || end <= off) {
				why = "item offset out of the page";
			} else if (pg[off] == BDB_H_OFFPAGE) {
				if (off + 12u > d.pagesize) {
					why = "item offset out of the page";
				} else {
					uint32_t pgno = bdb_u32(&d, pg + off + 4);
					uint32_t tlen = bdb_u32(&d, pg + off + 8);
					int or = tlen > BDB_MAX_RECORD ? -EFBIG : bdb_overflow(&d, pgno, tlen, &rec);
					if (or == -ENOMEM)
						r = or;
					else if (or < 0)
						why = "broken overflow page chain";
				}
			} else if (pg[off] == BDB_H_KEYDATA) {
				buf_reset(&rec);
				r = buf_append(&rec, pg + off + 1, (size_t)(end - off - 1));
				/* small inline records are rpm's bookkeeping (record 0), not headers */
				if (rec.len < 16)
					continue;
			} else {
				continue;
			}
			if (r < 0)
				break;
			if (why) {
				if (!first) {
					first = -EBADMSG;
					snprintf(err, errlen, "%s: page %u entry %u: %s", location, p, i, why);
				}
				continue;
			}
			char e2[256];
			int pr = pkgdb_parse_rpm_header((const unsigned char *)rec.data, rec.len, os, location, out,
							files, e2, sizeof(e2));
			if (pr == -E2BIG || pr == -ENOMEM) {
				snprintf(err, errlen, "%s", e2);
				r = pr;
			} else if (pr < 0 && !first) {
				first = pr;
				const char *w = strncmp(e2, location, strlen(location)) == 0 ? e2 + strlen(location) : e2;
				snprintf(err, errlen, "%s: page %u entry %u%s", location, p, i, w);
			}
		}
	}
	buf_free(&rec);
	return r < 0 ? r : first;
}
