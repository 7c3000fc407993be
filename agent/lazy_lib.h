/* lazy_lib.h: opens a shared library with dlopen and resolves the functions a lazy wrapper (lazy_*.c) forwards to. */
#pragma once
#include <stddef.h>

/* A function to resolve: its name, and the address of the function pointer that receives it. */
struct lazy_sym {
	const char *name;
	void *slot;
};

/* dlopen(soname) and every symbol into its slot. 0, or -ELIBACC with the reason (naming the library)
 * in err; then no slot is to be used. The library stays loaded for the life of the process. */
int lazy_lib_open(const char *soname, const struct lazy_sym *syms, size_t n, char *err, size_t errlen);
