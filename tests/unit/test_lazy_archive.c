/* test_lazy_archive.c: libarchive is not mapped until the first reader is made, then reads a tar through agent/lazy_archive.c. */
#include "unit.h"

#include <archive.h>
#include <archive_entry.h>
#include <dlfcn.h>
#include <sys/stat.h>

/* A one-file ustar archive: header, 5 bytes of data in a block, two zero blocks. */
static size_t make_tar(unsigned char *out, size_t cap)
{
	assert_true(cap >= 4 * 512);
	memset(out, 0, 4 * 512);
	unsigned char *h = out;
	memcpy(h, "etc/hello.txt", 13);
	memcpy(h + 100, "0000644", 7);
	memcpy(h + 108, "0000000", 7);
	memcpy(h + 116, "0000000", 7);
	memcpy(h + 124, "00000000005", 11);
	memcpy(h + 136, "14000000000", 11);
	h[156] = '0';
	memcpy(h + 257, "ustar", 6);
	memcpy(h + 263, "00", 2);
	memset(h + 148, ' ', 8);
	unsigned sum = 0;
	for (size_t i = 0; i < 512; i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", sum);
	memcpy(out + 512, "hello", 5);
	return 4 * 512;
}

static bool archive_mapped(void)
{
	void *h = dlopen("libarchive.so.13", RTLD_NOW | RTLD_NOLOAD);
	if (h)
		dlclose(h);
	return h != NULL;
}

static void loaded_on_first_reader(void **state)
{
	(void)state;
	/* this test program links no libarchive (it calls only what lazy_archive.c defines) */
	assert_false(archive_mapped());
	unsigned char tar[4 * 512];
	size_t len = make_tar(tar, sizeof(tar));
	struct archive *a = archive_read_new();
	assert_non_null(a);
	assert_true(archive_mapped());
	assert_int_equal(archive_read_support_format_tar(a), ARCHIVE_OK);
	assert_int_equal(archive_read_open_memory(a, tar, len), ARCHIVE_OK);
	struct archive_entry *e;
	assert_int_equal(archive_read_next_header(a, &e), ARCHIVE_OK);
	assert_string_equal(archive_entry_pathname(e), "etc/hello.txt");
	assert_int_equal(archive_entry_filetype(e), AE_IFREG);
	assert_int_equal(archive_entry_perm(e), 0644);
	assert_true(archive_entry_size_is_set(e));
	assert_int_equal(archive_entry_size(e), 5);
	char data[16] = "";
	assert_int_equal(archive_read_data(a, data, sizeof(data)), 5);
	assert_memory_equal(data, "hello", 5);
	assert_int_equal(archive_read_next_header(a, &e), ARCHIVE_EOF);
	assert_int_equal(archive_read_free(a), ARCHIVE_OK);
}

static void errors_come_from_the_library(void **state)
{
	(void)state;
	struct archive *a = archive_read_new();
	assert_non_null(a);
	assert_int_equal(archive_read_support_format_tar(a), ARCHIVE_OK);
	static const char junk[1024] = "this is no archive";
	assert_int_equal(archive_read_open_memory(a, junk, sizeof(junk)), ARCHIVE_FATAL);
	assert_non_null(archive_error_string(a));
	archive_read_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(loaded_on_first_reader),
		cmocka_unit_test(errors_come_from_the_library),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
