/* test_imagefs_layers.c: reading an image layer by layer: one-layer views, what an upper layer hides (tar and kernel whiteouts, opaque directories, a file in place of a directory), and that composing the layers gives the merged view's files. */
#include "unit.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "image/imagefs.h"

static char tmp[64];

static void put(const char *rel, const char *text)
{
	char p[512];
	snprintf(p, sizeof(p), "%s/%s", tmp, rel);
	for (char *s = p + strlen(tmp) + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		mkdir(p, 0755);
		*s = '/';
	}
	if (text) {
		FILE *f = fopen(p, "w");
		assert_non_null(f);
		fputs(text, f);
		fclose(f);
	} else {
		mkdir(p, 0755);
	}
}

/*
 * l0: /etc/os-release, /app/a/pkg.json, /app/b/pkg.json, /opt/x/f, /srv/y/f, /keep/f, /var/lib/dpkg/status
 * l1: /app/.wh.a (tar whiteout), /opt/x/.wh..wh..opq + /opt/x/g (opaque dir), /srv/y as a file,
 *     /keep/new (a directory that merely merges)
 * l2: /app/b/pkg.json replaced, a kernel whiteout (char 0/0) for /keep/f when mknod is allowed
 */
static struct imagefs *build(bool *kernel_whiteout)
{
	snprintf(tmp, sizeof(tmp), "/tmp/dwlayXXXXXX");
	assert_non_null(mkdtemp(tmp));
	put("l0/etc/os-release", "ID=debian\n");
	put("l0/app/a/pkg.json", "a");
	put("l0/app/b/pkg.json", "b");
	put("l0/opt/x/f", "f");
	put("l0/srv/y/f", "f");
	put("l0/keep/f", "f");
	put("l0/var/lib/dpkg/status", "s");
	put("l1/app/.wh.a", "");
	put("l1/opt/x/.wh..wh..opq", "");
	put("l1/opt/x/g", "g");
	put("l1/srv/y", "now a file");
	put("l1/keep/new", NULL);
	put("l2/app/b/pkg.json", "b2");
	put("l2/keep", NULL);
	char p[512];
	snprintf(p, sizeof(p), "%s/l2/keep/f", tmp);
	*kernel_whiteout = mknod(p, S_IFCHR | 0600, makedev(0, 0)) == 0;
	char d0[128], d1[128], d2[128];
	snprintf(d0, sizeof(d0), "%s/l0", tmp);
	snprintf(d1, sizeof(d1), "%s/l1", tmp);
	snprintf(d2, sizeof(d2), "%s/l2", tmp);
	const char *dirs[] = { d0, d1, d2 };
	struct imagefs *fs;
	assert_int_equal(imagefs_open_layers(dirs, 3, &fs), 0);
	return fs;
}

static void cleanup(struct imagefs *fs)
{
	imagefs_close(fs);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmp);
	assert_int_equal(system(cmd), 0);
}

static void hidden_above_follows_overlay_rules(void **state)
{
	(void)state;
	bool kw;
	struct imagefs *fs = build(&kw);
	assert_int_equal(imagefs_hidden_above(fs, 0, "/app/a/pkg.json"), 1);   /* tar whiteout of a parent */
	assert_int_equal(imagefs_hidden_above(fs, 0, "/app/b/pkg.json"), 1);   /* replaced in l2 */
	assert_int_equal(imagefs_hidden_above(fs, 1, "/app/b/pkg.json"), 1);
	assert_int_equal(imagefs_hidden_above(fs, 2, "/app/b/pkg.json"), 0);   /* nothing above the top */
	assert_int_equal(imagefs_hidden_above(fs, 0, "/opt/x/f"), 1);          /* opaque parent */
	assert_int_equal(imagefs_hidden_above(fs, 1, "/opt/x/g"), 0);
	assert_int_equal(imagefs_hidden_above(fs, 0, "/srv/y/f"), 1);          /* a file in place of a parent */
	assert_int_equal(imagefs_hidden_above(fs, 0, "/etc/os-release"), 0);
	assert_int_equal(imagefs_hidden_above(fs, 0, "/keep/f"), kw ? 1 : 0); /* kernel whiteout */
	/* what each layer touches, for the OS databases */
	assert_int_equal(imagefs_layer_touches(fs, 0, "/var/lib/dpkg"), 1);
	assert_int_equal(imagefs_layer_touches(fs, 1, "/var/lib/dpkg"), 0);
	assert_int_equal(imagefs_layer_touches(fs, 1, "/srv/y/f"), 1);
	assert_int_equal(imagefs_layer_touches(fs, 2, "/etc/os-release"), 0);
	assert_int_equal(imagefs_layer_touches(fs, 3, "/etc/os-release"), -EINVAL);
	cleanup(fs);
}

struct collect {
	char paths[64][256];
	size_t n;
};

static int add_file(const char *path, const struct stat *st, void *user)
{
	struct collect *c = user;
	if (S_ISREG(st->st_mode) && c->n < 64)
		snprintf(c->paths[c->n++], sizeof(c->paths[0]), "%s", path);
	return 0;
}

static int path_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* The files of every layer alone that no upper layer hides are the merged view's files. */
static void composed_layers_equal_the_merged_view(void **state)
{
	(void)state;
	bool kw;
	struct imagefs *fs = build(&kw);
	struct collect merged = { .n = 0 }, composed = { .n = 0 };
	assert_int_equal(imagefs_walk(fs, "/", 64, add_file, &merged), 0);
	for (size_t i = 0; i < imagefs_n_layers(fs); i++) {
		struct imagefs *view;
		struct collect one = { .n = 0 };
		assert_int_equal(imagefs_layer_view(fs, i, &view), 0);
		assert_int_equal(imagefs_n_layers(view), 1);
		assert_int_equal(imagefs_walk(view, "/", 64, add_file, &one), 0);
		imagefs_close(view);
		for (size_t k = 0; k < one.n; k++)
			if (imagefs_hidden_above(fs, i, one.paths[k]) == 0)
				snprintf(composed.paths[composed.n++], sizeof(composed.paths[0]), "%s", one.paths[k]);
	}
	qsort(merged.paths, merged.n, sizeof(merged.paths[0]), path_cmp);
	qsort(composed.paths, composed.n, sizeof(composed.paths[0]), path_cmp);
	assert_int_equal(composed.n, merged.n);
	for (size_t k = 0; k < merged.n; k++)
		assert_string_equal(composed.paths[k], merged.paths[k]);
	/* a view of one layer reads that layer alone */
	struct imagefs *v1;
	struct stat st;
	assert_int_equal(imagefs_layer_view(fs, 1, &v1), 0);
	assert_int_equal(imagefs_lstat(v1, "/opt/x/g", &st), 0);
	assert_int_equal(imagefs_lstat(v1, "/opt/x/f", &st), -ENOENT);
	imagefs_close(v1);
	cleanup(fs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(hidden_above_follows_overlay_rules),
		cmocka_unit_test(composed_layers_equal_the_merged_view),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
