/* test_pkgdb_collect.c: the package inventory driver on image trees: OS databases, language packages found by the walk, OS-owned files, Go binaries built here, errors and limits. */
#include "pkgdb_unit.h"

#include <errno.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/imagefs.h"

struct fx {
	char tmp[256];
	char gobin[512];        /* layer holding /usr/local/bin/hello, a Go binary */
	char tree[4096];        /* the committed fixture tree */
};

static void mkdirs(const char *path)
{
	char p[4096];
	snprintf(p, sizeof(p), "%s", path);
	for (char *s = p + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		mkdir(p, 0755);
		*s = '/';
	}
	mkdir(p, 0755);
}

static void put(const char *base, const char *rel, const void *data, size_t len, mode_t mode)
{
	char p[4096];
	snprintf(p, sizeof(p), "%s/%s", base, rel);
	char *slash = strrchr(p, '/');
	*slash = '\0';
	mkdirs(p);
	*slash = '/';
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
	chmod(p, mode);
}

static void put_text(const char *base, const char *rel, const char *text)
{
	put(base, rel, text, strlen(text), 0644);
}

static void put_fixture(const char *base, const char *rel, const char *fixture)
{
	size_t len;
	char *data = pkgdb_fixture(fixture, &len);
	put(base, rel, data, len, 0644);
	free(data);
}

static int rm_entry(const char *p, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)sb;
	(void)type;
	(void)ftw;
	chmod(p, 0700);
	return remove(p);
}

/* Builds a Go program with one dependency that a replace directive takes from a local directory. */
static void build_go(struct fx *f)
{
	char dir[512];
	snprintf(dir, sizeof(dir), "%s/src", f->tmp);
	put_text(dir, "greet/go.mod", "module example.com/greet\n\ngo 1.19\n");
	put_text(dir, "greet/greet.go", "package greet\n\nfunc Hello() string { return \"hello\" }\n");
	put_text(dir, "hello/go.mod", "module example.com/hello\n\ngo 1.19\n\nrequire example.com/greet v1.2.3\n\n"
				      "replace example.com/greet => ../greet\n");
	put_text(dir, "hello/main.go", "package main\n\nimport (\n\t\"fmt\"\n\n\t\"example.com/greet\"\n)\n\n"
				       "func main() { fmt.Println(greet.Hello()) }\n");
	snprintf(f->gobin, sizeof(f->gobin), "%s/gobin", f->tmp);
	char out[600];
	snprintf(out, sizeof(out), "%s/usr/local/bin", f->gobin);
	mkdirs(out);
	char cmd[4096];
	/* no network: the module proxy is off and the dependency is local */
	snprintf(cmd, sizeof(cmd),
		 "cd '%s/hello' && export HOME=\"${HOME:-/tmp}\" GOPATH='%s/gopath' GOPROXY=off GOFLAGS=-mod=mod "
		 "GOTOOLCHAIN=local && go build -o '%s/hello' . >'%s/go.log' 2>&1",
		 dir, f->tmp, out, f->tmp);
	if (system(cmd) != 0) {
		char log[600];
		snprintf(log, sizeof(log), "cat '%s/go.log' >&2", f->tmp);
		(void)system(log);
		fail_msg("go build failed (is golang-go installed?)");
	}
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	snprintf(f->tmp, sizeof(f->tmp), "/tmp/dw-pkgdb-XXXXXX");
	if (!mkdtemp(f->tmp))
		return -1;
	const char *src = getenv("DOCKWARD_SRC");
	char cwd[2048];
	if (!src)
		src = getcwd(cwd, sizeof(cwd));
	snprintf(f->tree, sizeof(f->tree), "%s/tests/fixtures/pkgdb/tree", src);
	build_go(f);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	nftw(f->tmp, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

static int collect(const char *const *layers, size_t n, const struct pkgdb_limits *lim, struct package_list *l,
		   struct pkgdb_stats *st)
{
	struct imagefs *fs = NULL;
	assert_int_equal(imagefs_open_layers(layers, n, &fs), 0);
	char err[256] = "";
	int r = pkgdb_collect(fs, lim, l, st, err, sizeof(err));
	imagefs_close(fs);
	return r;
}

static void print_errors(const struct pkgdb_stats *st)
{
	for (size_t i = 0; i < st->nerrors && i < PKGDB_MAX_ERRORS; i++)
		print_message("pkgdb error: %s\n", st->errors[i]);
}

static void test_debian_tree(void **state)
{
	struct fx *f = *state;
	const char *layers[] = { f->tree, f->gobin };
	struct package_list l = { 0 };
	struct pkgdb_stats st;
	assert_int_equal(collect(layers, 2, NULL, &l, &st), 0);
	print_errors(&st);
	assert_int_equal(st.nerrors, 0);
	assert_true(st.os_found);
	assert_string_equal(st.os.ecosystem, "Debian:12");
	assert_int_equal(st.databases, 1);
	assert_int_equal(st.os_packages, 4);
	/* PyYAML's dist-info is in python3-yaml's file list: Debian's advisories cover it */
	assert_int_equal(st.os_owned_skipped, 1);
	assert_false(has_pkg(&l, "pyyaml"));
	assert_false(st.walk_truncated);

	assert_pkg(find_pkg(&l, NULL, "libc6"), "Debian:12", "2.36-9+deb12u14", "glibc", "2.36-9+deb12u14",
		   "pkg:deb/debian/libc6@2.36-9%2Bdeb12u14?arch=amd64&upstream=glibc&distro=debian-12", PKG_ORIGIN_OS,
		   VERSION_DPKG);
	const struct package *p = find_pkg(&l, "PyPI", "requests");
	assert_pkg(p, "PyPI", "2.31.0", "", "", "pkg:pypi/requests@2.31.0", PKG_ORIGIN_LANGUAGE, VERSION_PEP440);
	assert_string_equal(p->location, "/usr/local/lib/python3.11/site-packages/requests-2.31.0.dist-info/METADATA");
	p = find_pkg(&l, "PyPI", "foo-bar-baz");
	assert_string_equal(p->version, "0.1.dev0");
	assert_string_equal(p->location, "/usr/local/lib/python3.11/site-packages/Foo_Bar.baz-0.1.dev0-py3.11.egg-info");

	p = find_pkg(&l, "npm", "express");
	assert_pkg(p, "npm", "4.18.2", "", "", "pkg:npm/express@4.18.2", PKG_ORIGIN_LANGUAGE, VERSION_SEMVER);
	assert_string_equal(p->location, "/app/node_modules/express/package.json");
	p = find_pkg(&l, "npm", "debug"); /* nested node_modules */
	assert_string_equal(p->version, "2.6.9");
	assert_string_equal(p->location, "/app/node_modules/express/node_modules/debug/package.json");
	assert_string_equal(find_pkg(&l, "npm", "@types/node")->purl, "pkg:npm/%40types/node@20.10.5");
	assert_false(has_pkg(&l, "my-app"));  /* the app itself, not in node_modules */
	assert_false(has_pkg(&l, "ignored")); /* under /proc */

	assert_string_equal(find_pkg(&l, "Maven", "org.example:demo-app")->version, "1.0.0-SNAPSHOT");
	assert_string_equal(find_pkg(&l, "Maven", "org.apache.commons:commons-lang3")->location,
			    "/app/app.jar!/BOOT-INF/lib/commons-lang3-3.12.0.jar");
	assert_string_equal(find_pkg(&l, "Maven", "org.apache.logging.log4j:log4j-core")->version, "2.14.1");

	p = find_pkg(&l, "Go", "stdlib");
	assert_true(strncmp(p->version, "v1.", 3) == 0);
	assert_string_equal(p->location, "/usr/local/bin/hello");
	assert_int_equal(p->scheme, VERSION_GO);
	p = find_pkg(&l, "Go", "example.com/greet");
	assert_pkg(p, "Go", "v1.2.3", "", "", "pkg:golang/example.com/greet@v1.2.3", PKG_ORIGIN_LANGUAGE, VERSION_GO);
	assert_string_equal(find_pkg(&l, "Go", "example.com/hello")->version, "(devel)");

	/* 4 dpkg + 2 PyPI + 3 npm + 3 Maven + 3 Go, nothing else */
	assert_int_equal(l.len, 15);
	assert_int_equal(st.language_packages, 11);
	assert_true(st.binaries_checked >= 1);
	assert_int_equal(st.archives_checked, 2);
	package_list_free(&l);
}

static void test_os_owned_binary_and_errors(void **state)
{
	struct fx *f = *state;
	char top[512];
	snprintf(top, sizeof(top), "%s/top", f->tmp);
	/* the Go binary now belongs to a dpkg package; a broken package.json and a broken jar */
	put_text(top, "var/lib/dpkg/info/hello.list", "/.\n/usr\n/usr/local\n/usr/local/bin\n/usr/local/bin/hello\n");
	put_text(top, "srv/node_modules/broken/package.json", "{\"name\": \"broken\", \"version\": ");
	put_text(top, "srv/lib/broken.jar", "PK\3\4 this is not a zip archive");
	const char *layers[] = { f->tree, f->gobin, top };
	struct package_list l = { 0 };
	struct pkgdb_stats st;
	assert_int_equal(collect(layers, 3, NULL, &l, &st), 0);
	assert_int_equal(st.os_owned_skipped, 2);
	assert_false(has_pkg(&l, "stdlib"));
	assert_false(has_pkg(&l, "example.com/greet"));
	/* both problems are reported by path; everything else is still listed */
	assert_int_equal(st.nerrors, 2);
	bool json = false, jar = false;
	for (size_t i = 0; i < st.nerrors; i++) {
		json |= strncmp(st.errors[i], "/srv/node_modules/broken/package.json: ", 39) == 0;
		jar |= strncmp(st.errors[i], "/srv/lib/broken.jar: ", 21) == 0;
	}
	assert_true(json && jar);
	assert_int_equal(l.len, 12);
	package_list_free(&l);
}

static void test_limits(void **state)
{
	struct fx *f = *state;
	const char *layers[] = { f->tree, f->gobin };
	struct package_list l = { 0 };
	struct pkgdb_stats st;
	struct pkgdb_limits lim = { .max_files = 10 };
	assert_int_equal(collect(layers, 2, &lim, &l, &st), 0);
	assert_true(st.walk_truncated);
	assert_int_equal(st.nerrors, 1);
	assert_non_null(strstr(st.errors[0], "image walk stopped"));
	assert_int_equal(st.os_packages, 4); /* the databases do not depend on the walk */
	package_list_free(&l);

	struct pkgdb_limits few = { .max_packages = 3 };
	assert_int_equal(collect(layers, 2, &few, &l, &st), 0);
	assert_int_equal(l.len, 3);
	assert_true(st.walk_truncated);
	package_list_free(&l);

	/* depth: nothing below /app is reached with depth 1 */
	struct pkgdb_limits shallow = { .max_depth = 1 };
	assert_int_equal(collect(layers, 2, &shallow, &l, &st), 0);
	assert_false(has_pkg(&l, "express"));
	package_list_free(&l);
}

static void test_distroless(void **state)
{
	struct fx *f = *state;
	char root[512];
	snprintf(root, sizeof(root), "%s/distroless", f->tmp);
	put_text(root, "etc/os-release", "PRETTY_NAME=\"Distroless\"\nNAME=\"Debian GNU/Linux\"\nID=\"debian\"\n"
					  "VERSION_ID=\"12\"\nHOME_URL=\"https://github.com/GoogleContainerTools/distroless\"\n");
	put_text(root, "var/lib/dpkg/status.d/base-files",
		 "Package: base-files\nVersion: 12.4+deb12u5\nArchitecture: amd64\nMaintainer: Santiago Vila\n");
	put_text(root, "var/lib/dpkg/status.d/base-files.md5sums", "d41d8cd98f00b204e9800998ecf8427e  etc/x\n");
	put_text(root, "var/lib/dpkg/status.d/libssl3",
		 "Package: libssl3\nVersion: 3.0.11-1~deb12u2\nArchitecture: amd64\nSource: openssl\n");
	const char *layers[] = { root };
	struct package_list l = { 0 };
	struct pkgdb_stats st;
	assert_int_equal(collect(layers, 1, NULL, &l, &st), 0);
	print_errors(&st);
	assert_int_equal(st.nerrors, 0);
	assert_string_equal(st.os.ecosystem, "Debian:12");
	assert_string_equal(st.os.pretty_name, "Distroless");
	assert_int_equal(st.databases, 2);
	assert_int_equal(l.len, 2);
	assert_string_equal(find_pkg(&l, NULL, "libssl3")->source_name, "openssl");
	assert_string_equal(find_pkg(&l, NULL, "base-files")->location, "/var/lib/dpkg/status.d/base-files");
	package_list_free(&l);

	/* without os-release, Debian's own release file names the release */
	char p[600];
	snprintf(p, sizeof(p), "%s/etc/os-release", root);
	assert_int_equal(unlink(p), 0);
	put_text(root, "etc/debian_version", "12.5\n");
	assert_int_equal(collect(layers, 1, NULL, &l, &st), 0);
	assert_true(st.os_found);
	assert_string_equal(st.os.ecosystem, "Debian:12");
	assert_string_equal(find_pkg(&l, NULL, "libssl3")->purl,
			    "pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&upstream=openssl&distro=debian-12.5");
	package_list_free(&l);
	/* testing/sid (and Ubuntu) write a codename: no release, no guess */
	put_text(root, "etc/debian_version", "trixie/sid\n");
	assert_int_equal(collect(layers, 1, NULL, &l, &st), 0);
	assert_false(st.os_found);
	assert_string_equal(find_pkg(&l, NULL, "libssl3")->ecosystem, "");
	package_list_free(&l);
}

static void test_alpine_and_rpm(void **state)
{
	struct fx *f = *state;
	char root[512];
	snprintf(root, sizeof(root), "%s/alpine", f->tmp);
	put_text(root, "etc/os-release", "NAME=\"Alpine Linux\"\nID=alpine\nVERSION_ID=3.19.1\n");
	put_fixture(root, "lib/apk/db/installed", "apk/installed");
	put_text(root, "usr/lib/python3.11/site-packages/PyYAML-6.0.1.dist-info/METADATA",
		 "Metadata-Version: 2.1\nName: PyYAML\nVersion: 6.0.1\n");
	put_text(root, "usr/lib/python3.11/site-packages/six-1.16.0.dist-info/METADATA",
		 "Metadata-Version: 2.1\nName: six\nVersion: 1.16.0\n");
	const char *layers[] = { root };
	struct package_list l = { 0 };
	struct pkgdb_stats st;
	assert_int_equal(collect(layers, 1, NULL, &l, &st), 0);
	assert_int_equal(st.nerrors, 0);
	assert_string_equal(st.os.ecosystem, "Alpine:v3.19");
	assert_int_equal(st.os_packages, 3);
	assert_int_equal(st.os_owned_skipped, 1); /* py3-yaml's */
	assert_string_equal(find_pkg(&l, "PyPI", "six")->version, "1.16.0");
	assert_int_equal(l.len, 4);
	package_list_free(&l);

	/* Fedora 36+ keeps the database under /usr/lib/sysimage/rpm, /var/lib/rpm links to it */
	snprintf(root, sizeof(root), "%s/rocky", f->tmp);
	put_text(root, "etc/os-release", "NAME=\"Rocky Linux\"\nID=\"rocky\"\nVERSION_ID=\"9.3\"\n");
	put_fixture(root, "usr/lib/sysimage/rpm/rpmdb.sqlite", "rpm/rpmdb.sqlite");
	char link[600];
	snprintf(link, sizeof(link), "%s/var/lib", root);
	mkdirs(link);
	snprintf(link, sizeof(link), "%s/var/lib/rpm", root);
	assert_int_equal(symlink("../../usr/lib/sysimage/rpm", link), 0);
	put_text(root, "usr/lib/python3.11/site-packages/dwtestpy-1.0.dist-info/METADATA",
		 "Metadata-Version: 2.1\nName: dwtestpy\nVersion: 1.0\n");
	put_text(root, "usr/lib/sysimage/rpm/rpmdb.sqlite-wal", ""); /* rpm leaves an empty log behind */
	layers[0] = root;
	assert_int_equal(collect(layers, 1, NULL, &l, &st), 0);
	print_errors(&st);
	assert_int_equal(st.nerrors, 0);
	assert_int_equal(st.databases, 1); /* read once, not once per path */
	assert_int_equal(l.len, 3);
	assert_int_equal(st.os_owned_skipped, 1);
	assert_string_equal(find_pkg(&l, NULL, "dwtest-libs")->source_name, "dwtest");
	assert_string_equal(find_pkg(&l, NULL, "dwtest")->location, "/var/lib/rpm/rpmdb.sqlite");
	package_list_free(&l);

	/* a log with content is said to be unread */
	put_text(root, "usr/lib/sysimage/rpm/rpmdb.sqlite-wal", "pending pages");
	assert_int_equal(collect(layers, 1, NULL, &l, &st), 0);
	assert_int_equal(st.nerrors, 1);
	assert_string_equal(st.errors[0], "/var/lib/rpm/rpmdb.sqlite-wal: write-ahead log of 13 bytes not read: "
					  "the last rpm transactions may be missing");
	assert_int_equal(l.len, 3);
	package_list_free(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_debian_tree),
		cmocka_unit_test(test_os_owned_binary_and_errors),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_distroless),
		cmocka_unit_test(test_alpine_and_rpm),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
