/* test_imagefs.c: the merged image view: overlay whiteouts and opaque dirs, symlinks kept inside the root, caps, walks and globs. */
#include "unit.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "buf.h"
#include "image/imagefs.h"

struct fx {
	char tmp[256];
	char host_secret[300];
	struct imagefs *fs;
};

static void mkfile(const char *base, const char *rel, const char *text)
{
	char p[1024];
	snprintf(p, sizeof(p), "%s/%s", base, rel);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void mkdirp(const char *base, const char *rel)
{
	char p[1024];
	snprintf(p, sizeof(p), "%s/%s", base, rel);
	for (char *s = p + strlen(base) + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		mkdir(p, 0755);
		*s = '/';
	}
	mkdir(p, 0755);
}

static void mklink(const char *base, const char *rel, const char *target)
{
	char p[1024];
	snprintf(p, sizeof(p), "%s/%s", base, rel);
	assert_int_equal(symlink(target, p), 0);
}

/* Layer 0 (lowest) and layer 1 (top) under tmp; a host file beside them
 * that no image path may reach. */
static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	snprintf(f->tmp, sizeof(f->tmp), "/tmp/dwifsXXXXXX");
	assert_non_null(mkdtemp(f->tmp));
	char l0[512], l1[512];
	snprintf(l0, sizeof(l0), "%s/l0", f->tmp);
	snprintf(l1, sizeof(l1), "%s/l1", f->tmp);
	snprintf(f->host_secret, sizeof(f->host_secret), "%s/host-secret", f->tmp);
	mkfile(f->tmp, "host-secret", "HOST");
	mkdir(l0, 0755);
	mkdir(l1, 0755);

	mkdirp(l0, "etc");
	mkfile(l0, "etc/os-release", "ID=debian\n");
	mkfile(l0, "etc/passwd", "root:x:0:0::/root:/bin/sh\n");
	mkdirp(l0, "var/lib/dpkg/status.d");
	mkfile(l0, "var/lib/dpkg/status.d/base", "Package: base\n");
	mkfile(l0, "var/lib/dpkg/status.d/gone", "Package: gone\n");
	mkfile(l0, "var/lib/dpkg/status.d/zlib", "Package: zlib\n");
	mkdirp(l0, "opaque/sub");
	mkfile(l0, "opaque/old", "old");
	mkdirp(l0, "kopaque");
	mkfile(l0, "kopaque/old", "old");
	mkfile(l0, "kwhite", "lower");
	mkdirp(l0, "usr/lib/python3.11/site-packages/a-1.0.dist-info");
	mkfile(l0, "usr/lib/python3.11/site-packages/a-1.0.dist-info/METADATA", "Name: a\n");
	mkdirp(l0, "usr/lib/python3.11/site-packages/.hidden-2.0.dist-info");
	mkfile(l0, "usr/lib/python3.11/site-packages/.hidden-2.0.dist-info/METADATA", "Name: h\n");
	mklink(l0, "usr/lib/python3", "python3.11");
	mkfile(l0, "big", "0123456789");

	mkdirp(l1, "var/lib/dpkg/status.d");
	mkfile(l1, "var/lib/dpkg/status.d/.wh.gone", "");
	mkfile(l1, "var/lib/dpkg/status.d/new", "Package: new\n");
	mkfile(l1, "var/lib/dpkg/status.d/zlib", "Package: zlib2\n");
	mkdirp(l1, "opaque");
	mkfile(l1, "opaque/.wh..wh..opq", "");
	mkfile(l1, "opaque/fresh", "fresh");
	mkdirp(l1, "kopaque");
	char kp[600];
	snprintf(kp, sizeof(kp), "%s/kopaque", l1);
	assert_int_equal(setxattr(kp, "trusted.overlay.opaque", "y", 1, 0), 0);
	char kw[600];
	snprintf(kw, sizeof(kw), "%s/kwhite", l1);
	assert_int_equal(mknod(kw, S_IFCHR | 0600, makedev(0, 0)), 0);
	/* escapes: absolute, relative, through .., into the host, loops */
	mklink(l1, "abs-escape", f->host_secret);
	mklink(l1, "rel-escape", "../../../../../../../../../../host-secret");
	mklink(l1, "etc-link", "../../../../etc/os-release");
	mklink(l1, "dir-escape", "/../../..");
	mklink(l1, "loop", "loop");
	char fifo[600];
	snprintf(fifo, sizeof(fifo), "%s/fifo", l1);
	assert_int_equal(mkfifo(fifo, 0644), 0);

	const char *layers[] = { l0, l1 };
	assert_int_equal(imagefs_open_layers(layers, 2, &f->fs), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	imagefs_close(f->fs);
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->tmp);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

static char *read_str(struct imagefs *fs, const char *path, int *rc)
{
	char *d = NULL;
	size_t n;
	*rc = imagefs_read(fs, path, 1024, &d, &n);
	return d;
}

static void reads_merged_files(void **state)
{
	struct fx *f = *state;
	int rc;
	char *d = read_str(f->fs, "/etc/os-release", &rc);
	assert_int_equal(rc, 0);
	assert_string_equal(d, "ID=debian\n");
	free(d);
	d = read_str(f->fs, "var/lib/dpkg/status.d/zlib", &rc);
	assert_int_equal(rc, 0);
	assert_string_equal(d, "Package: zlib2\n");     /* the upper layer wins */
	free(d);
	assert_null(read_str(f->fs, "/var/lib/dpkg/status.d/gone", &rc));
	assert_int_equal(rc, -ENOENT);                   /* .wh. whiteout */
	assert_null(read_str(f->fs, "/kwhite", &rc));
	assert_int_equal(rc, -ENOENT);                   /* 0/0 device whiteout */
	assert_null(read_str(f->fs, "/opaque/old", &rc));
	assert_int_equal(rc, -ENOENT);                   /* .wh..wh..opq */
	assert_null(read_str(f->fs, "/kopaque/old", &rc));
	assert_int_equal(rc, -ENOENT);                   /* trusted.overlay.opaque */
	d = read_str(f->fs, "/opaque/fresh", &rc);
	assert_int_equal(rc, 0);
	free(d);
	struct stat st;
	assert_int_equal(imagefs_stat(f->fs, "/opaque/sub", &st), -ENOENT);
}

static void never_leaves_the_root(void **state)
{
	struct fx *f = *state;
	int rc;
	assert_null(read_str(f->fs, "/abs-escape", &rc));
	assert_int_equal(rc, -ENOENT);
	assert_null(read_str(f->fs, "/rel-escape", &rc));
	assert_int_equal(rc, -ENOENT);
	assert_null(read_str(f->fs, "/../../../../host-secret", &rc));
	assert_int_equal(rc, -ENOENT);
	assert_null(read_str(f->fs, "/dir-escape/host-secret", &rc));
	assert_int_equal(rc, -ENOENT);
	/* ".." above the root stays at the image root, like in a container */
	char *d = read_str(f->fs, "/etc-link", &rc);
	assert_int_equal(rc, 0);
	assert_string_equal(d, "ID=debian\n");
	free(d);
	d = read_str(f->fs, "/dir-escape/etc/../etc/os-release", &rc);
	assert_int_equal(rc, 0);
	free(d);
	assert_null(read_str(f->fs, "/loop", &rc));
	assert_int_equal(rc, -ELOOP);
	char t[256];
	assert_int_equal(imagefs_readlink(f->fs, "/abs-escape", t, sizeof(t)), 0);
	assert_string_equal(t, f->host_secret);
}

static void refuses_special_and_big_files(void **state)
{
	struct fx *f = *state;
	int rc;
	assert_null(read_str(f->fs, "/fifo", &rc));
	assert_int_equal(rc, -EINVAL);                   /* and did not block */
	assert_null(read_str(f->fs, "/etc", &rc));
	assert_int_equal(rc, -EISDIR);
	assert_null(read_str(f->fs, "/", &rc));
	assert_int_equal(rc, -EISDIR);
	char *d = NULL;
	size_t n;
	assert_int_equal(imagefs_read(f->fs, "/big", 9, &d, &n), -EFBIG);
	assert_null(d);
	assert_int_equal(imagefs_read(f->fs, "/big", 10, &d, &n), 0);
	assert_int_equal(n, 10);
	free(d);
	assert_int_equal(imagefs_read(f->fs, "/etc/os-release/x", 10, &d, &n), -ENOTDIR);
	assert_non_null(strstr(imagefs_error(f->fs), "not a directory"));
}

static int collect(const char *path, const struct stat *st, void *user)
{
	struct buf *b = user;
	buf_printf(b, "%s%s\n", path, S_ISDIR(st->st_mode) ? "/" : S_ISLNK(st->st_mode) ? "@" : "");
	return 0;
}

static void lists_and_walks_the_merged_tree(void **state)
{
	struct fx *f = *state;
	struct buf b;
	buf_init(&b, 0);
	assert_int_equal(imagefs_list_dir(f->fs, "/var/lib/dpkg/status.d", collect, &b), 0);
	assert_string_equal(b.data, "/var/lib/dpkg/status.d/base\n/var/lib/dpkg/status.d/new\n"
			    "/var/lib/dpkg/status.d/zlib\n");
	buf_reset(&b);
	assert_int_equal(imagefs_walk(f->fs, "/opaque", 8, collect, &b), 0);
	assert_string_equal(b.data, "/opaque/fresh\n");
	buf_reset(&b);
	assert_int_equal(imagefs_list_dir(f->fs, "/", collect, &b), 0);
	assert_string_equal(b.data, "/abs-escape@\n/big\n/dir-escape@\n/etc/\n/etc-link@\n/fifo\n/kopaque/\n"
			    "/loop@\n/opaque/\n/rel-escape@\n/usr/\n/var/\n");
	buf_reset(&b);
	/* walking through a symlinked directory lists it from inside the image */
	assert_int_equal(imagefs_list_dir(f->fs, "/dir-escape/etc", collect, &b), 0);
	assert_string_equal(b.data, "/dir-escape/etc/os-release\n/dir-escape/etc/passwd\n");
	buf_reset(&b);
	/* depth limit */
	assert_int_equal(imagefs_walk(f->fs, "/usr", 2, collect, &b), 0);
	assert_string_equal(b.data, "/usr/lib/\n/usr/lib/python3@\n/usr/lib/python3.11/\n");
	buf_reset(&b);
	/* entry limit */
	imagefs_set_max_entries(f->fs, 5);
	assert_int_equal(imagefs_walk(f->fs, "/", 64, collect, &b), -E2BIG);
	imagefs_set_max_entries(f->fs, 0);
	buf_free(&b);
}

static void globs(void **state)
{
	struct fx *f = *state;
	struct buf b;
	buf_init(&b, 0);
	assert_int_equal(imagefs_glob(f->fs, "/usr/lib/python3*/site-packages/*.dist-info/METADATA", collect, &b), 0);
	assert_string_equal(b.data, "/usr/lib/python3/site-packages/a-1.0.dist-info/METADATA\n"
			    "/usr/lib/python3.11/site-packages/a-1.0.dist-info/METADATA\n");
	buf_reset(&b);
	assert_int_equal(imagefs_glob(f->fs, "/var/lib/dpkg/status.d/*", collect, &b), 0);
	assert_string_equal(b.data, "/var/lib/dpkg/status.d/base\n/var/lib/dpkg/status.d/new\n"
			    "/var/lib/dpkg/status.d/zlib\n");
	buf_reset(&b);
	assert_int_equal(imagefs_glob(f->fs, "/nothing/*", collect, &b), 0);
	assert_int_equal(b.len, 0);
	buf_free(&b);
}

static void dup_is_independent(void **state)
{
	struct fx *f = *state;
	struct imagefs *d;
	assert_int_equal(imagefs_dup(f->fs, &d), 0);
	assert_int_equal(imagefs_n_layers(d), 2);
	imagefs_close(f->fs);
	f->fs = NULL;
	int rc;
	char *text = read_str(d, "/var/lib/dpkg/status.d/zlib", &rc);
	assert_int_equal(rc, 0);
	assert_string_equal(text, "Package: zlib2\n");
	free(text);
	assert_null(read_str(d, "/var/lib/dpkg/status.d/gone", &rc));
	f->fs = d;
}

static void single_directory(void **state)
{
	(void)state;
	struct imagefs *fs;
	assert_int_equal(imagefs_open_dir("/nonexistent-dockward", &fs), -ENOENT);
	char tmp[] = "/tmp/dwifs1XXXXXX";
	assert_non_null(mkdtemp(tmp));
	mkfile(tmp, ".wh.x", "");
	mkfile(tmp, "a", "A");
	assert_int_equal(imagefs_open_dir(tmp, &fs), 0);
	assert_int_equal(imagefs_n_layers(fs), 1);
	struct buf b;
	buf_init(&b, 0);
	assert_int_equal(imagefs_walk(fs, "/", 4, collect, &b), 0);
	assert_string_equal(b.data, "/a\n");
	buf_free(&b);
	imagefs_close(fs);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(reads_merged_files, setup, teardown),
		cmocka_unit_test_setup_teardown(never_leaves_the_root, setup, teardown),
		cmocka_unit_test_setup_teardown(refuses_special_and_big_files, setup, teardown),
		cmocka_unit_test_setup_teardown(lists_and_walks_the_merged_tree, setup, teardown),
		cmocka_unit_test_setup_teardown(globs, setup, teardown),
		cmocka_unit_test_setup_teardown(dup_is_independent, setup, teardown),
		cmocka_unit_test(single_directory),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
