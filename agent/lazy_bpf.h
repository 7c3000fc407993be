/* lazy_bpf.h: libbpf (and libelf under it) is loaded with dlopen by the commands that load probes (agent/lazy_bpf.c). */
#pragma once
#include <stddef.h>

/* Loads libbpf once; 0, or -ELIBACC with the loader's reason (which names the library) in err. The libbpf
 * functions dockward calls load it too; without it they fail with ELIBACC and the reason goes to the
 * function given to libbpf_set_print (as libbpf's own warnings do). */
int lazy_bpf_load(char *err, size_t errlen);
