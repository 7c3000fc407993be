/* lazy_bpf.c: the libbpf functions dockward calls, loaded with dlopen on first use, so that commands that load no probes (audit, inventory, scan...) do not map libbpf and libelf (~230 KB of RSS); only watch and the daemon's runtime engine load it. */
#include "lazy_bpf.h"

#include "lazy_lib.h"

#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#ifndef LIBBPF_SONAME
#define LIBBPF_SONAME "libbpf.so.1"
#endif

/* X(return type, name, parameters, arguments, answer without the library): every libbpf function called
 * under agent/, checks/ and probes/ (the skeletons' inline functions included) that returns a value.
 * A function missing here is linked from libbpf itself (the Makefile links it --as-needed), which maps it
 * at start again: tests/integration/test_lazy_libs.py says so. */
#define LAZY_BPF_FUNCS(X) \
	X(int, bpf_map__fd, (const struct bpf_map *m), (m), -ELIBACC) \
	X(int, bpf_map__lookup_elem, (const struct bpf_map *m, const void *k, size_t ks, void *v, size_t vs, \
				      __u64 f), (m, k, ks, v, vs, f), -ELIBACC) \
	X(int, bpf_map__update_elem, (const struct bpf_map *m, const void *k, size_t ks, const void *v, \
				      size_t vs, __u64 f), (m, k, ks, v, vs, f), -ELIBACC) \
	X(int, bpf_map__set_max_entries, (struct bpf_map *m, __u32 n), (m, n), -ELIBACC) \
	X(int, bpf_object__open_skeleton, (struct bpf_object_skeleton *s, const struct bpf_object_open_opts *o), \
	  (s, o), -ELIBACC) \
	X(int, bpf_object__load_skeleton, (struct bpf_object_skeleton *s), (s), -ELIBACC) \
	X(struct bpf_link *, bpf_program__attach, (const struct bpf_program *p), (p), NULL) \
	X(int, bpf_link__destroy, (struct bpf_link *l), (l), 0) \
	X(int, bpf_program__set_autoload, (struct bpf_program *p, bool on), (p, on), -ELIBACC) \
	X(struct btf *, btf__load_vmlinux_btf, (void), (), NULL) \
	X(__s32, btf__find_by_name_kind, (const struct btf *b, const char *name, __u32 kind), (b, name, kind), \
	  -ELIBACC) \
	X(const struct btf_type *, btf__type_by_id, (const struct btf *b, __u32 id), (b, id), NULL) \
	X(int, libbpf_num_possible_cpus, (void), (), -ELIBACC) \
	X(struct ring_buffer *, ring_buffer__new, (int fd, ring_buffer_sample_fn cb, void *ctx, \
						   const struct ring_buffer_opts *o), (fd, cb, ctx, o), NULL) \
	X(int, ring_buffer__consume, (struct ring_buffer *rb), (rb), -ELIBACC) \
	X(int, ring_buffer__epoll_fd, (const struct ring_buffer *rb), (rb), -ELIBACC)

/* the same for those returning nothing (their answer without the library: nothing to do) */
#define LAZY_BPF_VOID_FUNCS(X) \
	X(void, bpf_object__destroy_skeleton, (struct bpf_object_skeleton *s), (s), ) \
	X(void, btf__free, (struct btf *b), (b), ) \
	X(void, ring_buffer__free, (struct ring_buffer *rb), (rb), )

#define FIELD(ret, name, params, args, fallback) ret(*name) params;
static struct {
	libbpf_print_fn_t (*libbpf_set_print)(libbpf_print_fn_t fn);
	const char *(*libbpf_version_string)(void);
	LAZY_BPF_FUNCS(FIELD)
	LAZY_BPF_VOID_FUNCS(FIELD)
} lib;
static bool lib_ok;
static char lib_err[256];
static libbpf_print_fn_t print_fn;      /* set before the library was there */
static pthread_once_t lib_once = PTHREAD_ONCE_INIT;

static void lib_load(void)
{
#define SYM(ret, name, params, args, fallback) { #name, &lib.name },
	const struct lazy_sym syms[] = {
		{ "libbpf_set_print", &lib.libbpf_set_print },
		{ "libbpf_version_string", &lib.libbpf_version_string },
		LAZY_BPF_FUNCS(SYM)
		LAZY_BPF_VOID_FUNCS(SYM)
	};
	lib_ok = lazy_lib_open(LIBBPF_SONAME, syms, sizeof(syms) / sizeof(syms[0]), lib_err, sizeof(lib_err)) == 0;
	if (lib_ok)
		lib.libbpf_set_print(print_fn);
}

int lazy_bpf_load(char *err, size_t errlen)
{
	pthread_once(&lib_once, lib_load);
	if (lib_ok)
		return 0;
	snprintf(err, errlen, "%s", lib_err);
	return -ELIBACC;
}

/* Without the library: the reason, once, to the print function (libbpf's channel for its warnings). */
__attribute__((format(printf, 2, 3))) static void say(enum libbpf_print_level level, const char *fmt, ...)
{
	static bool said;
	if (said || !print_fn)
		return;
	said = true;
	va_list ap;
	va_start(ap, fmt);
	print_fn(level, fmt, ap);
	va_end(ap);
}

static bool loaded(void)
{
	pthread_once(&lib_once, lib_load);
	if (!lib_ok) {
		say(LIBBPF_WARN, "%s\n", lib_err);
		errno = ELIBACC;
	}
	return lib_ok;
}

/* Does not load the library: the function is kept for when it is. */
libbpf_print_fn_t libbpf_set_print(libbpf_print_fn_t fn)
{
	libbpf_print_fn_t old = print_fn;
	print_fn = fn;
	if (lib_ok)
		lib.libbpf_set_print(fn);
	return old;
}

const char *libbpf_version_string(void)
{
	return loaded() ? lib.libbpf_version_string() : lib_err;
}

#define FORWARD(ret, name, params, args, fallback) \
	ret name params \
	{ \
		return loaded() ? lib.name args : (fallback); \
	}
LAZY_BPF_FUNCS(FORWARD)

#define FORWARD_VOID(ret, name, params, args, fallback) \
	void name params \
	{ \
		if (loaded()) \
			lib.name args; \
	}
LAZY_BPF_VOID_FUNCS(FORWARD_VOID)
