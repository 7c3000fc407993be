/* test_lazy_bpf.c: libbpf is not mapped until a libbpf function is called (setting the print function does not load it), then works through agent/lazy_bpf.c. */
#include "unit.h"

#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <dlfcn.h>
#include <unistd.h>

#include "lazy_bpf.h"

static bool bpf_mapped(void)
{
	void *h = dlopen("libbpf.so.1", RTLD_NOW | RTLD_NOLOAD);
	if (h)
		dlclose(h);
	return h != NULL;
}

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	(void)fmt;
	(void)ap;
	return 0;
}

static void loaded_on_first_call(void **state)
{
	(void)state;
	/* this test program links no libbpf (it calls only what lazy_bpf.c defines) */
	assert_false(bpf_mapped());
	assert_null(libbpf_set_print(quiet));
	assert_false(bpf_mapped());
	assert_true(libbpf_num_possible_cpus() > 0);
	assert_true(bpf_mapped());
	char err[256] = "";
	assert_int_equal(lazy_bpf_load(err, sizeof(err)), 0);
	assert_ptr_equal(libbpf_set_print(NULL), quiet);
	assert_non_null(strstr(libbpf_version_string(), "1."));
}

static void btf_through_the_library(void **state)
{
	(void)state;
	if (access("/sys/kernel/btf/vmlinux", R_OK) != 0)
		skip();
	struct btf *b = btf__load_vmlinux_btf();
	assert_non_null(b);
	__s32 id = btf__find_by_name_kind(b, "task_struct", BTF_KIND_STRUCT);
	assert_true(id > 0);
	const struct btf_type *t = btf__type_by_id(b, (__u32)id);
	assert_non_null(t);
	assert_int_equal(btf_kind(t), BTF_KIND_STRUCT);
	btf__free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(loaded_on_first_call),
		cmocka_unit_test(btf_through_the_library),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
