/* test_api_version.c: API version ordering and the escaping of ids and references in request paths. */
#include "unit.h"

#include <errno.h>

#include "docker/client_internal.h"

static void test_version_order(void **state)
{
	(void)state;
	/* numeric, not textual: 1.9 < 1.10 < 1.41 */
	assert_true(docker_api_version_cmp("1.9", "1.10") < 0);
	assert_true(docker_api_version_cmp("1.10", "1.9") > 0);
	assert_true(docker_api_version_cmp("1.10", "1.41") < 0);
	assert_true(docker_api_version_cmp("1.41", "1.45") < 0);
	assert_true(docker_api_version_cmp("1.45", "1.41") > 0);
	assert_int_equal(docker_api_version_cmp("1.41", "1.41"), 0);
	assert_int_equal(docker_api_version_cmp("1.041", "1.41"), 0);
	assert_true(docker_api_version_cmp("2.0", "1.99") > 0);
	assert_true(docker_api_version_cmp("1.99", "2.0") < 0);
	assert_true(docker_api_version_cmp("1", "1.1") < 0);
	assert_int_equal(docker_api_version_cmp("1", "1.0"), 0);
	/* the bounds dockward speaks */
	assert_true(docker_api_version_cmp(DOCKER_API_MIN, DOCKER_API_MAX) < 0);
	assert_true(docker_api_version_cmp("1.12", DOCKER_API_MIN) < 0);
	/* garbage reads as 0.0 rather than as anything else */
	assert_int_equal(docker_api_version_cmp("", "0.0"), 0);
	assert_int_equal(docker_api_version_cmp("x.y", "0"), 0);
	assert_true(docker_api_version_cmp("junk", "1.24") < 0);
}

static void escapes(const char *in, const char *want)
{
	char out[256];
	assert_int_equal(docker_escape_segment(in, out, sizeof(out)), 0);
	assert_string_equal(out, want);
}

static void test_escape_segment(void **state)
{
	(void)state;
	escapes("52b944972c3ee85488b23f110bda993d570daad7e2982c1937a09b96864aecac",
		"52b944972c3ee85488b23f110bda993d570daad7e2982c1937a09b96864aecac");
	escapes("sha256:4923b267cc9e", "sha256:4923b267cc9e");
	escapes("registry.example.com:5000/team/app:1.2-rc_3~x",
		"registry.example.com:5000/team/app:1.2-rc_3~x");
	escapes("busybox@sha256:abc", "busybox@sha256:abc");
	escapes("", "");
	/* what would end the path or start a query, fragment or escape is escaped */
	escapes("a b", "a%20b");
	escapes("a?b#c%d", "a%3Fb%23c%25d");
	escapes("x&y=z+1", "x%26y%3Dz%2B1");
	escapes("\r\n\t", "%0D%0A%09");
	escapes("caf\xC3\xA9", "caf%C3%A9");
	escapes("\xFF", "%FF");
}

static void test_escape_segment_bounds(void **state)
{
	(void)state;
	char out[8];
	/* 7 characters and the terminator fit exactly; 8 do not */
	assert_int_equal(docker_escape_segment("abcdefg", out, sizeof(out)), 0);
	assert_string_equal(out, "abcdefg");
	assert_int_equal(docker_escape_segment("abcdefgh", out, sizeof(out)), -ENAMETOOLONG);
	/* an escape is never cut in half */
	assert_int_equal(docker_escape_segment("abcd ", out, sizeof(out)), 0);
	assert_string_equal(out, "abcd%20");
	assert_int_equal(docker_escape_segment("abcde ", out, sizeof(out)), -ENAMETOOLONG);
	assert_int_equal(docker_escape_segment("", out, 1), 0);
	assert_string_equal(out, "");
	assert_int_equal(docker_escape_segment("", out, 0), -ENAMETOOLONG);
	assert_int_equal(docker_escape_segment("a", out, 1), -ENAMETOOLONG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_version_order),
		cmocka_unit_test(test_escape_segment),
		cmocka_unit_test(test_escape_segment_bounds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
