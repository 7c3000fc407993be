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

/* The Go version and module info strings of either build info format. */
static int go_strings(const unsigned char *ver, size_t vlen, const unsigned char *mod, size_t mlen,
		      const char *location, struct package_list *out, char *err, size_t errlen)
{
	char goversion[128];
	size_t n = vlen < 127 ? vlen : 127;
	snprintf(goversion, sizeof(goversion), "%.*s", (int)n, (const char *)ver);
	if (memchr(ver, '\0', n))
		goversion[0] = '\0';
	/* the module info is framed by two 16-byte sentinels */
	if (mlen >= 33 && mod[mlen - 17] == '\n') {
		mod += 16;
		mlen -= 32;
	}
	return pkgdb_parse_go_modinfo((const char *)mod, mlen, goversion, location, out, err, errlen);
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
		snprintf(err, errlen, "%s: Go build info of a binary built before Go 1.18 points into the binary", location);
		return -ENOTSUP;
	}
	size_t off = GO_BUILDINFO_HEADER, vlen = 0, mlen = 0;
	const unsigned char *ver = go_read_string(data, len, &off, &vlen);
	const unsigned char *mod = ver ? go_read_string(data, len, &off, &mlen) : NULL;
	if (!ver || !mod) {
		snprintf(err, errlen, "%s: Go build info strings run past the section", location);
		return -EBADMSG;
	}
	return go_strings(ver, vlen, mod, mlen, location, out, err, errlen);
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

struct elf_sec {
	uint32_t name, type;
	uint64_t addr, offset, size;
};

#define ELF_SHT_NOBITS 8

static void elf_section(const struct elf_info *e, const unsigned char *sh, struct elf_sec *s)
{
	s->name = (uint32_t)elf_uint(e, sh, 4);
	s->type = (uint32_t)elf_uint(e, sh + 4, 4);
	if (e->is64) {
		s->addr = elf_uint(e, sh + 16, 8);
		s->offset = elf_uint(e, sh + 24, 8);
		s->size = elf_uint(e, sh + 32, 8);
	} else {
		s->addr = elf_uint(e, sh + 12, 4);
		s->offset = elf_uint(e, sh + 16, 4);
		s->size = elf_uint(e, sh + 20, 4);
	}
}

struct go_elf {
	struct elf_info e;
	const unsigned char *sh;
	pkgdb_read_at_fn read_at;
	void *user;
	uint64_t file_size;
};

/* Reads len bytes at virtual address va from the section holding them. */
static int go_read_va(const struct go_elf *g, uint64_t va, size_t len, unsigned char *dst)
{
	for (uint32_t i = 0; i < g->e.shnum; i++) {
		struct elf_sec s;
		elf_section(&g->e, g->sh + (size_t)i * g->e.shentsize, &s);
		if (s.type == ELF_SHT_NOBITS || va < s.addr || va - s.addr >= s.size || len > s.size - (va - s.addr))
			continue;
		uint64_t off = s.offset + (va - s.addr);
		if (off < s.offset || off > g->file_size || len > g->file_size - off)
			return -EBADMSG;
		return g->read_at(g->user, off, len, dst);
	}
	return -EBADMSG;
}

/* A Go string header {data, len} at va, and its bytes (at most GO_MAX_BUILDINFO). */
static int go_read_string_va(const struct go_elf *g, uint64_t va, unsigned ptrsize, bool big, unsigned char **s,
			     size_t *len)
{
	unsigned char hdr[16];
	struct elf_info order = { .big = big };
	int r = go_read_va(g, va, 2 * (size_t)ptrsize, hdr);
	if (r < 0)
		return r;
	uint64_t data = elf_uint(&order, hdr, (int)ptrsize), n = elf_uint(&order, hdr + ptrsize, (int)ptrsize);
	if (n > GO_MAX_BUILDINFO)
		return -EBADMSG;
	*s = malloc(n ? (size_t)n : 1);
	if (!*s)
		return -ENOMEM;
	*len = (size_t)n;
	r = n ? go_read_va(g, data, (size_t)n, *s) : 0;
	if (r < 0) {
		free(*s);
		*s = NULL;
	}
	return r;
}

/* Go 1.13-1.17: the header holds pointers to the version and module info strings. */
static int go_old_buildinfo(const struct go_elf *g, const unsigned char *bi, const char *location,
			    struct package_list *out, char *err, size_t errlen)
{
	unsigned ptrsize = bi[14];
	bool big = bi[15] & GO_FLAG_BIG_ENDIAN;
	if (ptrsize != 4 && ptrsize != 8) {
		snprintf(err, errlen, "%s: Go build info with pointer size %u", location, ptrsize);
		return -EBADMSG;
	}
	struct elf_info order = { .big = big };
	uint64_t vva = elf_uint(&order, bi + 16, (int)ptrsize), mva = elf_uint(&order, bi + 16 + ptrsize, (int)ptrsize);
	unsigned char *ver = NULL, *mod = NULL;
	size_t vlen = 0, mlen = 0;
	int r = go_read_string_va(g, vva, ptrsize, big, &ver, &vlen);
	if (r == 0)
		r = go_read_string_va(g, mva, ptrsize, big, &mod, &mlen);
	if (r == -ENOMEM)
		pkgdb_add_error(err, errlen, location, r);
	else if (r < 0)
		snprintf(err, errlen, "%s: Go build info points outside the binary's sections", location);
	else
		r = go_strings(ver, vlen, mod, mlen, location, out, err, errlen);
	free(ver);
	free(mod);
	return r < 0 && r != -ENOMEM && r != -E2BIG ? -EBADMSG : r;
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
	struct elf_sec names;
	elf_section(&e, sh + (size_t)e.shstrndx * e.shentsize, &names);
	uint64_t soff = names.offset, ssize = names.size;
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
		struct elf_sec sec;
		elf_section(&e, sh + (size_t)i * e.shentsize, &sec);
		uint64_t off = sec.offset, size = sec.size;
		if (sec.name >= strtab_len || strcmp((const char *)strtab + sec.name, ".go.buildinfo") != 0)
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
		if (memcmp(bi, GO_BUILDINFO_MAGIC, 14) == 0 && !(bi[15] & GO_FLAG_VERSION_INLINE)) {
			struct go_elf g = { .e = e, .sh = sh, .read_at = read_at, .user = user, .file_size = file_size };
			r = go_old_buildinfo(&g, bi, location, out, err, errlen);
		} else {
			r = pkgdb_parse_go_buildinfo(bi, n, location, out, err, errlen);
		}
		goto out;
	}
out:
	free(sh);
	free(strtab);
	free(bi);
	return r;
}
