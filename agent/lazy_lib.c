/* lazy_lib.c: opens a shared library with dlopen and resolves the functions a lazy wrapper (lazy_*.c) forwards to. */
#include "lazy_lib.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

int lazy_lib_open(const char *soname, const struct lazy_sym *syms, size_t n, char *err, size_t errlen)
{
	void *h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		const char *e = dlerror();
		if (e)
			snprintf(err, errlen, "%s", e);
		else
			snprintf(err, errlen, "%s: cannot be loaded", soname);
		return -ELIBACC;
	}
	for (size_t i = 0; i < n; i++) {
		void *sym = dlsym(h, syms[i].name);
		if (!sym) {
			snprintf(err, errlen, "%s: a function dockward needs is missing", soname);
			return -ELIBACC;
		}
		/* a data pointer into a function pointer: only memcpy is defined for that */
		memcpy(syms[i].slot, &sym, sizeof(sym));
	}
	return 0;
}
