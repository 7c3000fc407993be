/* gobin.c: Go binaries: ELF section lookup of .go.buildinfo and the module list embedded in it. */
#include "pkgdb.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#define GO_BUILDINFO_MAGIC "\xff Go buildinf:"
#define GO_BUILDINFO_HEADER 32
#define GO_FLAG_BIG_ENDIAN 1
#define GO_FLAG_VERSION_INLINE 2
#define GO_MAX_SECTIONS 4096
#define GO_MAX_SHSTRTAB ((size_t)1 << 20)
#define GO_MAX_BUILDINFO ((size_t)4 << 20)


static int go_emit(const char *path, const char *version, const char *location, struct package_list *out)
{
	char ns[1024] = "";
	const char *name = path;
	const char *slash = strrchr(path, '/');
	if (slash) {
		snprintf(ns, sizeof(ns), "%.*s", (int)(slash - path), path);
		name = slash + 1;
	}
	struct pkgdb_entry e = {
		.ecosystem = "Go",
		.name = path,
		.version = version,
		.location = location,
		.origin = PKG_ORIGIN_LANGUAGE,
		.scheme = VERSION_GO,
	};
	return pkgdb_add_purl(out, &e, "golang", ns, name, NULL);
}

/* Splits a tab-separated line into at most n fields (the rest stays in the last). */
static size_t split_tabs(char *line, char **f, size_t n)
{
	size_t k = 0;
	while (k < n) {
		f[k++] = line;
		char *t = strchr(line, '\t');
		if (!t)
			break;
		*t = '\0';
		line = t + 1;
	}
	return k;
}

struct go_mod {
	char path[512];
	char version[256];
	bool pending;
};

static int go_flush(struct go_mod *m, const char *location, struct package_list *out)
{
	int r = 0;
	if (m->pending && m->path[0])
		r = go_emit(m->path, m->version[0] ? m->version : "", location, out);
	memset(m, 0, sizeof(*m));
	return r;
}

int pkgdb_parse_go_modinfo(const char *text, size_t len, const char *goversion, const char *location,
			   struct package_list *out, char *err, size_t errlen)
{
	struct go_mod m;
	memset(&m, 0, sizeof(m));
	int r = 0, first = 0;
	unsigned lineno = 0;
	if (!location)
		location = "Go binary";
	/* the toolchain as module "stdlib" (go1.21.5 -> v1.21.5; devel builds have no release) */
	if (goversion && strncmp(goversion, "go1", 3) == 0) {
		char v[128];
		size_t n = strcspn(goversion + 2, " \t");
		snprintf(v, sizeof(v), "v%.*s", (int)(n < 100 ? n : 100), goversion + 2);
		r = go_emit("stdlib", v, location, out);
	}
	size_t i = 0;
	const char *line;
	size_t n;
	while (r == 0 && pkgdb_next_line(text, len, &i, &line, &n)) {
		lineno++;
		if (n == 0)
			continue;
		char buf[2048];
		if (n >= sizeof(buf) || memchr(line, '\0', n)) {
			if (!first) {
				first = -EBADMSG;
				snprintf(err, errlen, "%s: module info line %u is not text or too long", location, lineno);
			}
			continue;
		}
		memcpy(buf, line, n);
		buf[n] = '\0';
		char *f[4] = { 0 };
		size_t k = split_tabs(buf, f, 4);
		if (strcmp(f[0], "mod") == 0 || strcmp(f[0], "dep") == 0) {
			r = go_flush(&m, location, out);
			if (k < 3) {
				if (!first) {
					first = -EBADMSG;
					snprintf(err, errlen, "%s: module info line %u: \"%s\" without path and version",
						 location, lineno, f[0]);
				}
				continue;
			}
			snprintf(m.path, sizeof(m.path), "%s", f[1]);
			snprintf(m.version, sizeof(m.version), "%s", f[2]);
			m.pending = true;
		} else if (strcmp(f[0], "=>") == 0) {
			/* a replacement by another module version counts as that module;
			 * one by a local directory (no version) keeps the required one */
			if (m.pending && k >= 3 && f[2][0] && f[1][0] != '.' && f[1][0] != '/') {
				snprintf(m.path, sizeof(m.path), "%s", f[1]);
				snprintf(m.version, sizeof(m.version), "%s", f[2]);
			}
		}
	}
	if (r == 0)
		r = go_flush(&m, location, out);
	if (r < 0) {
		pkgdb_add_error(err, errlen, location, r);
		return r;
	}
	return first;
}

/* Go's uvarint-prefixed string at *off. */
static const unsigned char *go_read_string(const unsigned char *d, size_t len, size_t *off, size_t *slen)
{
	uint64_t v = 0;
	unsigned shift = 0;
	size_t p = *off;
	for (;;) {
		if (p >= len || shift > 63)
			return NULL;
		unsigned char c = d[p++];
		v |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80))
			break;
		shift += 7;
	}
	if (v > len - p)
		return NULL;
	*slen = (size_t)v;
	*off = p + (size_t)v;
	return d + p;
}

int pkgdb_parse_go_buildinfo(const unsigned char *data, size_t len, const char *location,
			     struct package_list *out, char *err, size_t errlen)
{
	if (!location)
		location = "Go binary";
	if (len < GO_BUILDINFO_HEADER || memcmp(data, GO_BUILDINFO_MAGIC, 14) != 0) {
		snprintf(err, errlen, "%s: no Go build info", location);
		return -ENOENT;
	}
	if (!(data[15] & GO_FLAG_VERSION_INLINE)) {
		snprintf(err, errlen, "%s: Go build info of a binary built before Go 1.18 is not read", location);
		return -ENOTSUP;
	}
	size_t off = GO_BUILDINFO_HEADER, vlen = 0, mlen = 0;
	const unsigned char *ver = go_read_string(data, len, &off, &vlen);
	const unsigned char *mod = ver ? go_read_string(data, len, &off, &mlen) : NULL;
	if (!ver || !mod) {
		snprintf(err, errlen, "%s: Go build info strings run past the section", location);
		return -EBADMSG;
	}
	char goversion[128];
	snprintf(goversion, sizeof(goversion), "%.*s", (int)(vlen < 127 ? vlen : 127), (const char *)ver);
	if (memchr(goversion, '\0', vlen < 127 ? vlen : 127))
		goversion[0] = '\0';
	/* the module info is framed by two 16-byte sentinels */
	if (mlen >= 33 && mod[mlen - 17] == '\n') {
		mod += 16;
		mlen -= 32;
	}
	return pkgdb_parse_go_modinfo((const char *)mod, mlen, goversion, location, out, err, errlen);
}

struct elf_info {
	bool is64, big;
	uint64_t shoff;
	uint32_t shnum, shentsize, shstrndx;
};

static uint64_t elf_uint(const struct elf_info *e, const unsigned char *p, int n)
{
	uint64_t v = 0;
	for (int i = 0; i < n; i++)
		v |= (uint64_t)p[e->big ? n - 1 - i : i] << (8 * i);
	return v;
}

/* sh_name, sh_offset, sh_size of section header sh (the raw bytes of one entry). */
static void elf_section(const struct elf_info *e, const unsigned char *sh, uint32_t *name, uint64_t *off,
			uint64_t *size)
{
	*name = (uint32_t)elf_uint(e, sh, 4);
	if (e->is64) {
		*off = elf_uint(e, sh + 24, 8);
		*size = elf_uint(e, sh + 32, 8);
	} else {
		*off = elf_uint(e, sh + 16, 4);
		*size = elf_uint(e, sh + 20, 4);
	}
}

int pkgdb_parse_go_binary(pkgdb_read_at_fn read_at, void *user, uint64_t file_size, const char *location,
			  struct package_list *out, char *err, size_t errlen)
{
	unsigned char h[64];
	unsigned char *sh = NULL, *strtab = NULL, *bi = NULL;
	struct elf_info e = { 0 };
	int r;
	if (!location)
		location = "binary";
	if (file_size < 52 || read_at(user, 0, file_size < 64 ? 52 : 64, h) < 0 || memcmp(h, "\x7f" "ELF", 4) != 0)
		return -ENOENT;
	if ((h[4] != 1 && h[4] != 2) || (h[5] != 1 && h[5] != 2) || (h[4] == 2 && file_size < 64))
		return -ENOENT;
	e.is64 = h[4] == 2;
	e.big = h[5] == 2;
	if (e.is64) {
		e.shoff = elf_uint(&e, h + 40, 8);
		e.shentsize = (uint32_t)elf_uint(&e, h + 58, 2);
		e.shnum = (uint32_t)elf_uint(&e, h + 60, 2);
		e.shstrndx = (uint32_t)elf_uint(&e, h + 62, 2);
	} else {
		e.shoff = elf_uint(&e, h + 32, 4);
		e.shentsize = (uint32_t)elf_uint(&e, h + 46, 2);
		e.shnum = (uint32_t)elf_uint(&e, h + 48, 2);
		e.shstrndx = (uint32_t)elf_uint(&e, h + 50, 2);
	}
	uint32_t min_ent = e.is64 ? 64 : 40;
	if (e.shnum == 0 || e.shnum > GO_MAX_SECTIONS || e.shentsize < min_ent || e.shstrndx >= e.shnum ||
	    e.shoff > file_size || (uint64_t)e.shnum * e.shentsize > file_size - e.shoff)
		return -ENOENT; /* no usable section table: not something Go's linker wrote */
	size_t shlen = (size_t)e.shnum * e.shentsize;
	sh = malloc(shlen);
	if (!sh)
		return -ENOMEM;
	if ((r = read_at(user, e.shoff, shlen, sh)) < 0) {
		snprintf(err, errlen, "%s: cannot read the ELF section headers", location);
		goto out;
	}
	uint32_t nm;
	uint64_t soff, ssize;
	elf_section(&e, sh + (size_t)e.shstrndx * e.shentsize, &nm, &soff, &ssize);
	if (ssize == 0 || ssize > GO_MAX_SHSTRTAB || soff > file_size || ssize > file_size - soff) {
		r = -ENOENT;
		goto out;
	}
	strtab = malloc((size_t)ssize + 1);
	if (!strtab) {
		r = -ENOMEM;
		goto out;
	}
	if ((r = read_at(user, soff, (size_t)ssize, strtab)) < 0) {
		snprintf(err, errlen, "%s: cannot read the ELF section names", location);
		goto out;
	}
	strtab[ssize] = '\0';
	size_t strtab_len = (size_t)ssize;
	r = -ENOENT;
	for (uint32_t i = 0; i < e.shnum; i++) {
		uint64_t off, size;
		elf_section(&e, sh + (size_t)i * e.shentsize, &nm, &off, &size);
		if (nm >= strtab_len || strcmp((const char *)strtab + nm, ".go.buildinfo") != 0)
			continue;
		if (size < GO_BUILDINFO_HEADER || off > file_size || size > file_size - off) {
			snprintf(err, errlen, "%s: .go.buildinfo section lies outside the file", location);
			r = -EBADMSG;
			goto out;
		}
		/* the strings follow the 32-byte header; the rest of the section is other data */
		size_t n = size > GO_MAX_BUILDINFO ? GO_MAX_BUILDINFO : (size_t)size;
		bi = malloc(n);
		if (!bi) {
			r = -ENOMEM;
			goto out;
		}
		if ((r = read_at(user, off, n, bi)) < 0) {
			snprintf(err, errlen, "%s: cannot read .go.buildinfo", location);
			goto out;
		}
		r = pkgdb_parse_go_buildinfo(bi, n, location, out, err, errlen);
		goto out;
	}
out:
	free(sh);
	free(strtab);
	free(bi);
	return r;
}
