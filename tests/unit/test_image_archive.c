/* test_image_archive.c: unpacking hostile layer tars stays inside its directory; docker-save and OCI layouts are read into images. */
#include "unit.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "image/archive.h"
#include "image/extract.h"
#include "image/imagefs.h"

enum { F, D, L, H, C, P };

struct ent {
	int type;
	const char *path;
	const char *data;       /* content, or link target */
	int mode;
};

/* Writes a tar (gzip when gz) of ents to path. */
static void write_tar(const char *path, const struct ent *ents, size_t n, bool gz)
{
	struct archive *a = archive_write_new();
	archive_write_set_format_pax_restricted(a);
	if (gz)
		archive_write_add_filter_gzip(a);
	assert_int_equal(archive_write_open_filename(a, path), ARCHIVE_OK);
	for (size_t i = 0; i < n; i++) {
		struct archive_entry *e = archive_entry_new();
		archive_entry_set_pathname(e, ents[i].path);
		archive_entry_set_perm(e, ents[i].mode ? ents[i].mode : 0644);
		size_t len = 0;
		switch (ents[i].type) {
		case F:
			archive_entry_set_filetype(e, AE_IFREG);
			len = strlen(ents[i].data);
			archive_entry_set_size(e, (la_int64_t)len);
			break;
		case D:
			archive_entry_set_filetype(e, AE_IFDIR);
			break;
		case L:
			archive_entry_set_filetype(e, AE_IFLNK);
			archive_entry_set_symlink(e, ents[i].data);
			break;
		case H:
			archive_entry_set_filetype(e, AE_IFREG);
			archive_entry_set_hardlink(e, ents[i].data);
			break;
		case C:
			archive_entry_set_filetype(e, AE_IFCHR);
			archive_entry_set_rdev(e, 0x0801);
			break;
		case P:
			archive_entry_set_filetype(e, AE_IFIFO);
			break;
		}
		assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
		if (len)
			assert_int_equal(archive_write_data(a, ents[i].data, len), (la_ssize_t)len);
		archive_entry_free(e);
	}
	archive_write_close(a);
	archive_write_free(a);
}

static char tmp[64];

static int setup(void **state)
{
	(void)state;
	snprintf(tmp, sizeof(tmp), "/tmp/dwarcXXXXXX");
	assert_non_null(mkdtemp(tmp));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	assert_int_equal(remove_tree(tmp), 0);
	return 0;
}

static void hostile_layer_stays_inside(void **state)
{
	(void)state;
	char tar[128], dest[128], outside[128];
	snprintf(tar, sizeof(tar), "%s/layer.tar.gz", tmp);
	snprintf(dest, sizeof(dest), "%s/dest", tmp);
	snprintf(outside, sizeof(outside), "%s/outside", tmp);
	mkdir(dest, 0700);
	mkdir(outside, 0755);
	char outside_file[160];
	snprintf(outside_file, sizeof(outside_file), "%s/victim", outside);
	const struct ent ents[] = {
		{ F, "../escape", "x", 0 },
		{ F, "a/../../escape2", "x", 0 },
		{ F, "/etc/abs", "kept, made relative", 0 },
		{ L, "out", outside, 0 },
		{ F, "out/victim", "through a symlink", 0 },
		{ L, "etc/rel", "../../../../", 0 },
		{ F, "etc/rel/escape3", "through a relative symlink", 0 },
		{ H, "hard", "../../etc/passwd", 0 },
		{ H, "hard2", "etc/abs", 0 },
		{ C, "dev/sda", "", 0 },
		{ P, "fifo", "", 0 },
		{ F, "usr/bin/su", "suid", 04755 },
		{ F, "big", "0123456789abcdef0123456789", 0 },
		{ F, "var/.wh.gone", "", 0 },
		{ F, "etc/abs", "replaced", 0 },
	};
	write_tar(tar, ents, sizeof(ents) / sizeof(ents[0]), true);
	int fd = open(tar, O_RDONLY);
	assert_true(fd >= 0);
	struct extract_limits lim = { .max_file_bytes = 20 };
	struct extract_stats st = { 0 };
	char err[256] = "";
	assert_int_equal(image_extract_tar(fd, dest, &lim, &st, err, sizeof(err)), 0);
	close(fd);
	struct stat s;
	char p[256];
	snprintf(p, sizeof(p), "%s/escape", tmp);
	assert_int_equal(lstat(p, &s), -1);
	snprintf(p, sizeof(p), "%s/escape2", tmp);
	assert_int_equal(lstat(p, &s), -1);
	snprintf(p, sizeof(p), "%s/escape3", tmp);
	assert_int_equal(lstat(p, &s), -1);
	assert_int_equal(lstat(outside_file, &s), -1);
	snprintf(p, sizeof(p), "%s/dev/sda", dest);
	assert_int_equal(lstat(p, &s), -1);
	snprintf(p, sizeof(p), "%s/usr/bin/su", dest);
	assert_int_equal(lstat(p, &s), 0);
	assert_int_equal(s.st_mode & 07777, 04755);
	snprintf(p, sizeof(p), "%s/big", dest);
	assert_int_equal(lstat(p, &s), 0);
	assert_int_equal(s.st_size, 0);          /* over the cap: kept empty */
	snprintf(p, sizeof(p), "%s/var/.wh.gone", dest);
	assert_int_equal(lstat(p, &s), 0);
	assert_int_equal(st.unsafe, 5);          /* ../, a/../.., out/victim, etc/rel/escape3, hard */
	assert_int_equal(st.devices, 1);
	assert_int_equal(st.truncated, 1);

	struct imagefs *fs;
	assert_int_equal(imagefs_open_dir(dest, &fs), 0);
	char *d;
	size_t n;
	assert_int_equal(imagefs_read(fs, "/etc/abs", 100, &d, &n), 0);
	assert_string_equal(d, "replaced");
	free(d);
	assert_int_equal(imagefs_read(fs, "/hard2", 100, &d, &n), 0);
	assert_string_equal(d, "kept, made relative");  /* the link kept the first file */
	free(d);
	imagefs_close(fs);
}

static void total_limit(void **state)
{
	(void)state;
	char tar[128], dest[128];
	snprintf(tar, sizeof(tar), "%s/l.tar", tmp);
	snprintf(dest, sizeof(dest), "%s/d", tmp);
	mkdir(dest, 0700);
	const struct ent ents[] = { { F, "a", "0123456789", 0 }, { F, "b", "0123456789", 0 } };
	write_tar(tar, ents, 2, false);
	int fd = open(tar, O_RDONLY);
	struct extract_limits lim = { .max_total_bytes = 15 };
	struct extract_stats st = { 0 };
	char err[256];
	assert_int_equal(image_extract_tar(fd, dest, &lim, &st, err, sizeof(err)), -EFBIG);
	close(fd);
	fd = open("/etc/hostname", O_RDONLY);
	assert_int_equal(image_extract_tar(fd, dest, NULL, &st, err, sizeof(err)), -EBADMSG);
	close(fd);
}

static void docker_save_archive(void **state)
{
	(void)state;
	char dir[128], p[256];
	snprintf(dir, sizeof(dir), "%s/save", tmp);
	mkdir(dir, 0755);
	const struct ent base[] = { { D, "etc", "", 0755 }, { F, "etc/os-release", "ID=debian\n", 0 },
				    { F, "etc/old", "old", 0 } };
	const struct ent top[] = { { F, "etc/.wh.old", "", 0 }, { F, "etc/new", "new", 0 } };
	snprintf(p, sizeof(p), "%s/save/l1.tar", tmp);
	write_tar(p, base, 3, false);
	snprintf(p, sizeof(p), "%s/save/l2.tar", tmp);
	write_tar(p, top, 2, true);
	const char *config = "{\"config\":{\"User\":\"app\"},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:aa\",\"sha256:bb\"]}}";
	char digest[72];
	sha256_digest(config, strlen(config), digest);
	const struct ent outer[] = {
		{ F, "manifest.json", "[{\"Config\":\"cfg.json\",\"RepoTags\":[\"t/x:1\"],\"Layers\":[\"l1/layer.tar\",\"l2/layer.tar\"]}]", 0 },
		{ F, "cfg.json", config, 0 },
		{ D, "l1", "", 0755 },
		{ D, "l2", "", 0755 },
	};
	/* the outer tar with the layer tars inside, assembled with tar(1) */
	snprintf(p, sizeof(p), "%s/outer.tar", tmp);
	write_tar(p, outer, 4, false);
	char cmd[1024];
	snprintf(cmd, sizeof(cmd), "cd %s && mkdir -p x && tar -C x -xf outer.tar && cp save/l1.tar x/l1/layer.tar && "
		 "cp save/l2.tar x/l2/layer.tar && tar -C x -cf image.tar .", tmp);
	assert_int_equal(system(cmd), 0);
	snprintf(p, sizeof(p), "%s/image.tar", tmp);

	struct image_archive a;
	char err[512] = "";
	/* the file limit is for files in layers, never for the layers themselves */
	struct extract_limits lim = { .max_file_bytes = 100 };
	int r = image_archive_open(p, tmp, &lim, &a, err, sizeof(err));
	if (r)
		fail_msg("%s", err);
	assert_int_equal(a.n_images, 1);
	assert_string_equal(a.images[0].id, digest);
	assert_int_equal(a.images[0].n_repo_tags, 1);
	assert_string_equal(a.images[0].repo_tags[0], "t/x:1");
	assert_int_equal(a.images[0].n_diff_ids, 2);
	assert_string_equal(json_str(a.images[0].config, "config.User"), "app");
	struct imagefs *fs;
	assert_int_equal(image_archive_fs(&a, 0, &fs, err, sizeof(err)), 0);
	struct stat st;
	assert_int_equal(imagefs_stat(fs, "/etc/old", &st), -ENOENT);
	assert_int_equal(imagefs_stat(fs, "/etc/new", &st), 0);
	assert_int_equal(imagefs_stat(fs, "/etc/os-release", &st), 0);
	imagefs_close(fs);
	char work[256];
	snprintf(work, sizeof(work), "%s", a.workdir);
	image_archive_free(&a);
	assert_int_equal(lstat(work, &st), -1);   /* the work directory is gone */

	/* not an image */
	snprintf(p, sizeof(p), "%s/save/l1.tar", tmp);
	assert_int_equal(image_archive_open(p, tmp, NULL, &a, err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "neither a docker save archive"));
}

static void oci_layout(void **state)
{
	(void)state;
	char p[512], cmd[2048];
	const struct ent layer[] = { { F, "etc/os-release", "ID=alpine\n", 0 } };
	snprintf(p, sizeof(p), "%s/layer.tgz", tmp);
	write_tar(p, layer, 1, true);
	const char *config = "{\"config\":{},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:aa\"]}}";
	char cd[72];
	sha256_digest(config, strlen(config), cd);
	snprintf(cmd, sizeof(cmd),
		 "set -e; cd %s; mkdir -p oci/blobs/sha256; printf '%%s' '%s' > c.json;"
		 "cp c.json oci/blobs/sha256/%s; L=$(sha256sum layer.tgz | cut -c1-64); cp layer.tgz oci/blobs/sha256/$L;"
		 "printf '{\"schemaVersion\":2,\"config\":{\"digest\":\"%s\"},\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"sha256:'$L'\"}]}' > m.json;"
		 "M=$(sha256sum m.json | cut -c1-64); cp m.json oci/blobs/sha256/$M;"
		 "printf '{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"sha256:'$M'\",\"annotations\":{\"org.opencontainers.image.ref.name\":\"1.0\"}}]}' > oci/index.json",
		 tmp, config, cd + 7, cd);
	assert_int_equal(system(cmd), 0);
	snprintf(p, sizeof(p), "%s/oci", tmp);
	struct image_archive a;
	char err[512] = "";
	int r = image_archive_open(p, tmp, NULL, &a, err, sizeof(err));
	if (r)
		fail_msg("%s", err);
	assert_int_equal(a.n_images, 1);
	assert_string_equal(a.images[0].id, cd);
	assert_string_equal(a.images[0].repo_tags[0], "1.0");
	struct imagefs *fs;
	assert_int_equal(image_archive_fs(&a, 0, &fs, err, sizeof(err)), 0);
	char *d;
	size_t n;
	assert_int_equal(imagefs_read(fs, "/etc/os-release", 100, &d, &n), 0);
	assert_string_equal(d, "ID=alpine\n");
	free(d);
	imagefs_close(fs);
	image_archive_free(&a);

	/* a config whose bytes do not match the manifest's digest */
	snprintf(cmd, sizeof(cmd), "cd %s && printf '{\"config\":{\"User\":\"\"}}' > oci/blobs/sha256/%s", tmp, cd + 7);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(image_archive_open(p, tmp, NULL, &a, err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "does not match its digest"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(hostile_layer_stays_inside, setup, teardown),
		cmocka_unit_test_setup_teardown(total_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(docker_save_archive, setup, teardown),
		cmocka_unit_test_setup_teardown(oci_layout, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
