/* test_pkgdb.c: the package database parsers on real database files: os-release, dpkg, apk, rpm (sqlite, BDB, ndb), Python, npm, Java, Go module info. */
#include "pkgdb_unit.h"

#include <errno.h>
#include <sqlite3.h>

#include "buf.h"

static struct pkgdb_os os_of(const char *text)
{
	struct pkgdb_os os;
	char err[256] = "";
	int r = pkgdb_parse_os_release(text, strlen(text), &os, err, sizeof(err));
	if (r != 0)
		fail_msg("os-release: %s", err);
	return os;
}

static void test_os_release(void **state)
{
	(void)state;
	size_t len;
	char *text = pkgdb_fixture("tree/etc/os-release", &len);
	struct pkgdb_os os;
	char err[256];
	assert_int_equal(pkgdb_parse_os_release(text, len, &os, err, sizeof(err)), 0);
	free(text);
	assert_string_equal(os.id, "debian");
	assert_string_equal(os.ecosystem, "Debian:12");
	assert_string_equal(os.purl_distro, "debian-12");
	assert_string_equal(os.purl_namespace, "debian");
	assert_string_equal(os.pretty_name, "Debian GNU/Linux 12 (bookworm)");

	static const struct {
		const char *text, *ecosystem, *distro;
	} cases[] = {
		{ "ID=ubuntu\nVERSION_ID=\"22.04\"\n", "Ubuntu:22.04:LTS", "ubuntu-22.04" },
		{ "ID=ubuntu\nVERSION_ID=\"23.10\"\n", "Ubuntu:23.10", "ubuntu-23.10" },
		{ "ID=ubuntu\nVERSION_ID=\"24.04\"\n", "Ubuntu:24.04:LTS", "ubuntu-24.04" },
		{ "NAME=\"Alpine Linux\"\nID=alpine\nVERSION_ID=3.19.1\n", "Alpine:v3.19", "alpine-3.19.1" },
		{ "ID=\"rocky\"\nVERSION_ID=\"9.3\"\n", "Rocky Linux:9", "rocky-9.3" },
		{ "ID=\"almalinux\"\nVERSION_ID=\"8.9\"\n", "AlmaLinux:8", "almalinux-8.9" },
		{ "ID=\"rhel\"\nVERSION_ID=\"9.3\"\n", "Red Hat:enterprise_linux:9", "redhat-9.3" },
		{ "ID=\"centos\"\nVERSION_ID=\"7\"\n", "CentOS:7", "centos-7" },
		{ "ID=fedora\nVERSION_ID=39\n", "Fedora:39", "fedora-39" },
		{ "ID=\"amzn\"\nVERSION_ID=\"2023\"\n", "Amazon Linux:2023", "amazon-2023" },
		{ "ID=\"opensuse-leap\"\nVERSION_ID=\"15.5\"\n", "openSUSE:Leap 15.5", "opensuse-15.5" },
		{ "ID=\"opensuse-tumbleweed\"\nVERSION_ID=\"20240101\"\n", "openSUSE:Tumbleweed", "opensuse-20240101" },
		{ "ID=\"sles\"\nVERSION_ID=\"15.5\"\n", "SUSE:Linux Enterprise Server 15 SP5", "suse-15.5" },
		{ "ID=wolfi\nVERSION_ID=20230201\n", "Wolfi", "wolfi-20230201" },
		/* distroless: Debian's os-release with its own PRETTY_NAME */
		{ "PRETTY_NAME=\"Distroless\"\nNAME=\"Debian GNU/Linux\"\nID=\"debian\"\nVERSION_ID=\"12\"\n", "Debian:12", "debian-12" },
		/* testing/sid have no VERSION_ID */
		{ "PRETTY_NAME=\"Debian GNU/Linux trixie/sid\"\nID=debian\n", "Debian", "debian" },
		{ "# comment\nID='Gentoo'\n", "", "gentoo" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		os = os_of(cases[i].text);
		assert_string_equal(os.ecosystem, cases[i].ecosystem);
		assert_string_equal(os.purl_distro, cases[i].distro);
	}
	assert_int_equal(pkgdb_parse_os_release("NAME=x\n", 7, &os, err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "no ID"));
}

static const char DEBIAN12[] = "ID=debian\nVERSION_ID=\"12\"\n";

static void test_dpkg_sample(void **state)
{
	(void)state;
	size_t len;
	char *text = pkgdb_fixture("dpkg/status.sample", &len);
	struct pkgdb_os os = os_of(DEBIAN12);
	struct package_list l = { 0 };
	char err[256] = "";
	assert_int_equal(pkgdb_parse_dpkg_status(text, len, &os, "/var/lib/dpkg/status", &l, err, sizeof(err)), 0);
	free(text);
	/* libgcc-s1 is "deinstall ok config-files": its files are gone */
	assert_int_equal(l.len, 4);
	assert_false(has_pkg(&l, "libgcc-s1"));
	assert_pkg(find_pkg(&l, NULL, "base-files"), "Debian:12", "12.4+deb12u11", "base-files", "12.4+deb12u11",
		   "pkg:deb/debian/base-files@12.4%2Bdeb12u11?arch=amd64&distro=debian-12", PKG_ORIGIN_OS, VERSION_DPKG);
	assert_pkg(find_pkg(&l, NULL, "bash"), "Debian:12", "5.2.15-2+b8", "bash", "5.2.15-2",
		   "pkg:deb/debian/bash@5.2.15-2%2Bb8?arch=amd64&distro=debian-12", PKG_ORIGIN_OS, VERSION_DPKG);
	assert_pkg(find_pkg(&l, NULL, "libc6"), "Debian:12", "2.36-9+deb12u14", "glibc", "2.36-9+deb12u14",
		   "pkg:deb/debian/libc6@2.36-9%2Bdeb12u14?arch=amd64&upstream=glibc&distro=debian-12", PKG_ORIGIN_OS,
		   VERSION_DPKG);
	assert_pkg(find_pkg(&l, NULL, "python3-yaml"), "Debian:12", "6.0-3+b2", "pyyaml", "6.0-3",
		   "pkg:deb/debian/python3-yaml@6.0-3%2Bb2?arch=amd64&upstream=pyyaml&distro=debian-12", PKG_ORIGIN_OS,
		   VERSION_DPKG);
	assert_string_equal(find_pkg(&l, NULL, "bash")->location, "/var/lib/dpkg/status");
	package_list_free(&l);
}

static void test_dpkg_minbase(void **state)
{
	(void)state;
	size_t len;
	char *text = pkgdb_fixture("dpkg/status.bookworm-minbase", &len);
	struct pkgdb_os os = os_of(DEBIAN12);
	struct package_list l = { 0 };
	char err[256] = "";
	assert_int_equal(pkgdb_parse_dpkg_status(text, len, &os, "/var/lib/dpkg/status", &l, err, sizeof(err)), 0);
	free(text);
	assert_int_equal(l.len, 88); /* debootstrap --variant=minbase bookworm */
	for (size_t i = 0; i < l.len; i++) {
		assert_string_equal(l.items[i].ecosystem, "Debian:12");
		assert_true(l.items[i].version[0] && l.items[i].source_name[0] && l.items[i].source_version[0]);
		assert_true(strncmp(l.items[i].purl, "pkg:deb/debian/", 15) == 0);
	}
	assert_pkg(find_pkg(&l, NULL, "zlib1g"), "Debian:12", "1:1.2.13.dfsg-1", "zlib", "1:1.2.13.dfsg-1",
		   "pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1?arch=amd64&upstream=zlib&distro=debian-12", PKG_ORIGIN_OS,
		   VERSION_DPKG);
	assert_pkg(find_pkg(&l, NULL, "login"), "Debian:12", "1:4.13+dfsg1-1+deb12u2", "shadow",
		   "1:4.13+dfsg1-1+deb12u2",
		   "pkg:deb/debian/login@1:4.13%2Bdfsg1-1%2Bdeb12u2?arch=amd64&upstream=shadow&distro=debian-12",
		   PKG_ORIGIN_OS, VERSION_DPKG);
	assert_pkg(find_pkg(&l, NULL, "tzdata"), "Debian:12", "2026b-0+deb12u1", "tzdata", "2026b-0+deb12u1",
		   "pkg:deb/debian/tzdata@2026b-0%2Bdeb12u1?arch=all&distro=debian-12", PKG_ORIGIN_OS, VERSION_DPKG);
	assert_string_equal(find_pkg(&l, NULL, "libsystemd0")->source_name, "systemd");
	package_list_free(&l);
}

static void test_dpkg_malformed(void **state)
{
	(void)state;
	const char text[] =
		"Package: good1\nStatus: install ok installed\nVersion: 1.0\n\n"   /* lines 1-4 */
		"Package: bad\nStatus: install ok installed\nthis is not a field\nVersion: 2\n\n" /* line 7 */
		"Status: install ok installed\nVersion: 3\n\n"                       /* no Package, line 10 */
		"Package: nover\nStatus: install ok installed\n\n"
		"Package: good2\nStatus: hold ok installed\nVersion: 4.0\nDescription: x\n .\n more"; /* no final newline */
	struct pkgdb_os os = os_of(DEBIAN12);
	struct package_list l = { 0 };
	char err[256] = "";
	assert_int_equal(pkgdb_parse_dpkg_status(text, sizeof(text) - 1, &os, "/var/lib/dpkg/status", &l, err,
						 sizeof(err)), -EBADMSG);
	assert_string_equal(err, "/var/lib/dpkg/status: line 7: line is not \"Field: value\"");
	/* everything readable is kept, the malformed lines only lose themselves */
	assert_int_equal(l.len, 3);
	assert_string_equal(find_pkg(&l, NULL, "good1")->version, "1.0");
	assert_string_equal(find_pkg(&l, NULL, "bad")->version, "2");
	assert_string_equal(find_pkg(&l, NULL, "good2")->version, "4.0");
	package_list_free(&l);

	/* the list has a cap: the packages that fit are kept and the error says why */
	const char two[] = "Package: a\nStatus: install ok installed\nVersion: 1\n\n"
			   "Package: b\nStatus: install ok installed\nVersion: 1\n";
	struct package_list capped = { .cap = 1 };
	assert_int_equal(pkgdb_parse_dpkg_status(two, sizeof(two) - 1, &os, "s", &capped, err, sizeof(err)), -E2BIG);
	assert_int_equal(capped.len, 1);
	assert_non_null(strstr(err, "too many packages"));
	package_list_free(&capped);
}

static void test_dpkg_status_d(void **state)
{
	(void)state;
	/* distroless writes one stanza per file, without Status */
	const char text[] = "Package: libssl3\nVersion: 3.0.11-1~deb12u2\nArchitecture: amd64\n"
			    "Source: openssl\nMaintainer: Debian OpenSSL Team\n";
	struct pkgdb_os os = os_of("PRETTY_NAME=\"Distroless\"\nID=debian\nVERSION_ID=\"12\"\n");
	struct package_list l = { 0 };
	char err[256] = "";
	assert_int_equal(pkgdb_parse_dpkg_status_d(text, sizeof(text) - 1, &os, "/var/lib/dpkg/status.d/libssl3",
						   &l, err, sizeof(err)), 0);
	assert_int_equal(l.len, 1);
	assert_pkg(&l.items[0], "Debian:12", "3.0.11-1~deb12u2", "openssl", "3.0.11-1~deb12u2",
		   "pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&upstream=openssl&distro=debian-12", PKG_ORIGIN_OS,
		   VERSION_DPKG);
	/* the same stanza in a status file counts only with an installed Status */
	assert_int_equal(pkgdb_parse_dpkg_status(text, sizeof(text) - 1, &os, "s", &l, err, sizeof(err)), 0);
	assert_int_equal(l.len, 1);
	package_list_free(&l);
}

static void test_apk(void **state)
{
	(void)state;
	size_t len;
	char *text = pkgdb_fixture("apk/installed", &len);
	struct pkgdb_os os = os_of("ID=alpine\nVERSION_ID=3.19.1\n");
	struct package_list l = { 0 };
	struct buf files;
	buf_init(&files, 0);
	char err[256] = "";
	assert_int_equal(pkgdb_parse_apk_installed(text, len, &os, "/lib/apk/db/installed", &l, &files, err,
						   sizeof(err)), 0);
	free(text);
	assert_int_equal(l.len, 3);
	assert_pkg(find_pkg(&l, NULL, "musl"), "Alpine:v3.19", "1.2.4_git20230717-r4", "musl", "1.2.4_git20230717-r4",
		   "pkg:apk/alpine/musl@1.2.4_git20230717-r4?arch=x86_64&distro=alpine-3.19.1", PKG_ORIGIN_OS,
		   VERSION_APK);
	assert_pkg(find_pkg(&l, NULL, "busybox-binsh"), "Alpine:v3.19", "1.36.1-r15", "busybox", "1.36.1-r15",
		   "pkg:apk/alpine/busybox-binsh@1.36.1-r15?arch=x86_64&upstream=busybox&distro=alpine-3.19.1",
		   PKG_ORIGIN_OS, VERSION_APK);
	assert_string_equal(find_pkg(&l, NULL, "py3-yaml")->source_name, "py-yaml");
	assert_non_null(strstr(files.data, "\n/usr/lib/python3.11/site-packages/PyYAML-6.0.1.dist-info/METADATA\n"));
	assert_true(strncmp(files.data, "/lib\n/lib/ld-musl-x86_64.so.1\n", 30) == 0);
	assert_non_null(strstr(files.data, "\n/bin/sh\n"));
	buf_free(&files);
	package_list_free(&l);

	const char bad[] = "P:ok\nV:1-r0\n\nP:nover\nX\n\nP:ok2\nV:2-r0\n";
	assert_int_equal(pkgdb_parse_apk_installed(bad, sizeof(bad) - 1, &os, "installed", &l, NULL, err, sizeof(err)),
			 -EBADMSG);
	assert_string_equal(err, "installed: line 5: line is not \"X:value\"");
	assert_int_equal(l.len, 2);
	package_list_free(&l);
}

static const char ROCKY93[] = "ID=\"rocky\"\nVERSION_ID=\"9.3\"\n";

/* The three packages of tests/fixtures/pkgdb/rpm (built from the specs there with rpmbuild). */
static void assert_rpm_fixture(const struct package_list *l, const char *location)
{
	assert_int_equal(l->len, 3);
	const struct package *p = find_pkg(l, NULL, "dwtest");
	assert_pkg(p, "Rocky Linux:9", "2:1.2.3-4.el9", "dwtest", "2:1.2.3-4.el9",
		   "pkg:rpm/rocky/dwtest@1.2.3-4.el9?arch=x86_64&epoch=2&upstream=dwtest-1.2.3-4.el9.src.rpm&distro=rocky-9.3",
		   PKG_ORIGIN_OS, VERSION_RPM);
	assert_string_equal(p->location, location);
	assert_pkg(find_pkg(l, NULL, "dwtest-libs"), "Rocky Linux:9", "2:1.2.3-4.el9", "dwtest", "2:1.2.3-4.el9",
		   "pkg:rpm/rocky/dwtest-libs@1.2.3-4.el9?arch=x86_64&epoch=2&upstream=dwtest-1.2.3-4.el9.src.rpm&distro=rocky-9.3",
		   PKG_ORIGIN_OS, VERSION_RPM);
	assert_pkg(find_pkg(l, NULL, "plain"), "Rocky Linux:9", "0.9-1", "plain", "0.9-1",
		   "pkg:rpm/rocky/plain@0.9-1?arch=noarch&upstream=plain-0.9-1.src.rpm&distro=rocky-9.3", PKG_ORIGIN_OS,
		   VERSION_RPM);
}

static void assert_rpm_files(const struct buf *files)
{
	assert_non_null(files->data);
	assert_non_null(strstr(files->data, "/usr/bin/dwtest\n"));
	assert_non_null(strstr(files->data, "/usr/lib/python3.11/site-packages/dwtestpy-1.0.dist-info/METADATA\n"));
	assert_non_null(strstr(files->data, "/usr/lib64/libdwtest.so.1\n"));
}

static void test_rpm_sqlite(void **state)
{
	(void)state;
	size_t len;
	char *db = pkgdb_fixture("rpm/rpmdb.sqlite", &len);
	struct pkgdb_os os = os_of(ROCKY93);
	struct package_list l = { 0 };
	struct buf files;
	buf_init(&files, 0);
	char err[256] = "";
	assert_int_equal(pkgdb_parse_rpm_sqlite((unsigned char *)db, len, &os, "/var/lib/rpm/rpmdb.sqlite", &l, &files,
						err, sizeof(err)), 0);
	assert_rpm_fixture(&l, "/var/lib/rpm/rpmdb.sqlite");
	assert_rpm_files(&files);
	package_list_free(&l);
	buf_free(&files);

	/* rpm leaves its database in WAL mode: the header says so */
	db[18] = db[19] = 2;
	assert_int_equal(pkgdb_parse_rpm_sqlite((unsigned char *)db, len, &os, "db", &l, NULL, err, sizeof(err)), 0);
	assert_int_equal(l.len, 3);
	package_list_free(&l);

	/* truncated: an error that names the file, never a crash */
	int r = pkgdb_parse_rpm_sqlite((unsigned char *)db, len / 3, &os, "db", &l, NULL, err, sizeof(err));
	assert_true(r < 0);
	assert_true(strncmp(err, "db: ", 4) == 0);
	package_list_free(&l);
	assert_int_equal(pkgdb_parse_rpm_sqlite((const unsigned char *)"not a db", 8, &os, "db", &l, NULL, err,
						sizeof(err)), -EBADMSG);
	assert_string_equal(err, "db: not an SQLite database");
	free(db);
}

static void test_rpm_bdb(void **state)
{
	(void)state;
	const char *names[] = { "rpm/Packages", "rpm/Packages.512" };
	struct pkgdb_os os = os_of(ROCKY93);
	for (size_t i = 0; i < 2; i++) {
		size_t len;
		char *db = pkgdb_fixture(names[i], &len);
		struct package_list l = { 0 };
		struct buf files;
		buf_init(&files, 0);
		char err[256] = "";
		assert_int_equal(pkgdb_parse_rpm_bdb((unsigned char *)db, len, &os, "/var/lib/rpm/Packages", &l, &files,
						     err, sizeof(err)), 0);
		assert_rpm_fixture(&l, "/var/lib/rpm/Packages");
		assert_rpm_files(&files);
		package_list_free(&l);
		buf_free(&files);
		free(db);
	}
	/* with 512-byte pages every header spans an overflow chain: cut one chain */
	size_t len;
	unsigned char *db = (unsigned char *)pkgdb_fixture("rpm/Packages.512", &len);
	size_t damaged = 0;
	for (size_t p = 1; p < len / 512 && !damaged; p++)
		if (db[p * 512 + 25] == 7 /* overflow page */) {
			memset(db + p * 512 + 16, 0xff, 4); /* next page: far outside the file */
			damaged = p;
		}
	assert_true(damaged > 0);
	struct package_list l = { 0 };
	char err[256] = "";
	assert_int_equal(pkgdb_parse_rpm_bdb(db, len, &os, "Packages", &l, NULL, err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "broken overflow page chain"));
	assert_int_equal(l.len, 2); /* the other two headers are still read */
	package_list_free(&l);
	assert_int_equal(pkgdb_parse_rpm_bdb(db, 100, &os, "Packages", &l, NULL, err, sizeof(err)), -EBADMSG);
	free(db);
}

static void put_le32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

/* An ndb Packages.db holding the fixture's three header blobs, laid out as
 * rpm's ndb backend (lib/backend/ndb/rpmpkg.c) writes it: Debian's rpm is
 * built without ndb, so the file is assembled here. */
static unsigned char *make_ndb(size_t *len)
{
	size_t cap = 4096 + 3 * 8192;
	unsigned char *db = calloc(1, cap);
	assert_non_null(db);
	put_le32(db, 0x506d7052); /* "RpmP", version 0 */
	put_le32(db + 12, 1);     /* one slot page; the header takes two slots */
	for (size_t s = 2; s < 256; s++)
		put_le32(db + s * 16, 0x746f6c53);
	*len = cap;
	return db;
}

static void test_rpm_ndb(void **state)
{
	(void)state;
	size_t len;
	unsigned char *db = make_ndb(&len);
	/* the header blobs of the sqlite fixture */
	sqlite3 *sdb = NULL;
	sqlite3_stmt *st = NULL;
	const char *src = getenv("DOCKWARD_SRC");
	char path[4096];
	snprintf(path, sizeof(path), "file:%s%stests/fixtures/pkgdb/rpm/rpmdb.sqlite?immutable=1", src ? src : "",
		 src ? "/" : "");
	assert_int_equal(sqlite3_open_v2(path, &sdb, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(sdb, "SELECT blob FROM Packages ORDER BY hnum", -1, &st, NULL), SQLITE_OK);
	size_t blk = 4096 / 16, slot = 2, found = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		const unsigned char *h = sqlite3_column_blob(st, 0);
		size_t n = (size_t)sqlite3_column_bytes(st, 0);
		size_t nblk = (16 + n + 15) / 16;
		assert_true((blk + nblk) * 16 <= len);
		put_le32(db + slot * 16 + 4, (uint32_t)(found + 1));
		put_le32(db + slot * 16 + 8, (uint32_t)blk);
		put_le32(db + slot * 16 + 12, (uint32_t)nblk);
		unsigned char *b = db + blk * 16;
		put_le32(b, 0x53626c42);
		put_le32(b + 4, (uint32_t)(found + 1));
		put_le32(b + 12, (uint32_t)n);
		memcpy(b + 16, h, n);
		blk += nblk;
		slot++;
		found++;
	}
	sqlite3_finalize(st);
	sqlite3_close(sdb);
	assert_int_equal(found, 3);
	struct pkgdb_os os = os_of(ROCKY93);
	struct package_list l = { 0 };
	char err[256] = "";
	assert_int_equal(pkgdb_parse_rpm_ndb(db, len, &os, "/usr/lib/sysimage/rpm/Packages.db", &l, NULL, err,
					     sizeof(err)), 0);
	assert_rpm_fixture(&l, "/usr/lib/sysimage/rpm/Packages.db");
	package_list_free(&l);
	/* a slot pointing past the end */
	put_le32(db + 3 * 16 + 8, 0x7fffffff);
	assert_int_equal(pkgdb_parse_rpm_ndb(db, len, &os, "Packages.db", &l, NULL, err, sizeof(err)), -EBADMSG);
	assert_string_equal(err, "Packages.db: slot 1: blob lies outside the file");
	assert_int_equal(l.len, 2);
	package_list_free(&l);
	free(db);
}

static void test_rpm_header_bounds(void **state)
{
	(void)state;
	struct package_list l = { 0 };
	char err[256];
	/* index count claims more than the blob holds */
	const unsigned char h[] = { 0, 0, 0, 2, 0, 0, 0, 4, 0, 0, 3, 0xe8, 0, 0, 0, 6, 0, 0, 0, 0, 0, 0, 0, 1 };
	assert_int_equal(pkgdb_parse_rpm_header(h, sizeof(h), NULL, "hdr", &l, NULL, err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "does not fit"));
	/* NAME whose string is not terminated inside the store */
	const unsigned char h2[] = { 0, 0, 0, 1, 0, 0, 0, 3, 0, 0, 3, 0xe8, 0, 0, 0, 6, 0, 0, 0, 0, 0, 0, 0, 1,
				     'a', 'b', 'c' };
	assert_int_equal(pkgdb_parse_rpm_header(h2, sizeof(h2), NULL, "hdr", &l, NULL, err, sizeof(err)), -EBADMSG);
	assert_string_equal(err, "hdr: header without NAME");
	assert_int_equal(l.len, 0);
}

static void test_python(void **state)
{
	(void)state;
	size_t len;
	char *text = pkgdb_fixture("tree/usr/local/lib/python3.11/site-packages/requests-2.31.0.dist-info/METADATA",
				   &len);
	struct package_list l = { 0 };
	char err[256] = "";
	assert_int_equal(pkgdb_parse_python_metadata(text, len, "/x/METADATA", &l, err, sizeof(err)), 0);
	free(text);
	assert_int_equal(l.len, 1);
	assert_string_equal(l.items[0].name, "requests"); /* not the "Name:" in the description */
	assert_pkg(&l.items[0], "PyPI", "2.31.0", "", "", "pkg:pypi/requests@2.31.0", PKG_ORIGIN_LANGUAGE,
		   VERSION_PEP440);
	text = pkgdb_fixture("tree/usr/lib/python3/dist-packages/PyYAML-6.0.dist-info/METADATA", &len);
	assert_int_equal(pkgdb_parse_python_metadata(text, len, "/y/METADATA", &l, err, sizeof(err)), 0);
	free(text);
	assert_string_equal(l.items[1].name, "pyyaml");
	assert_string_equal(l.items[1].purl, "pkg:pypi/pyyaml@6.0");

	char n[64];
	pkgdb_pep503_normalize("Foo_Bar.baz", n, sizeof(n));
	assert_string_equal(n, "foo-bar-baz");
	pkgdb_pep503_normalize("zope.interface", n, sizeof(n));
	assert_string_equal(n, "zope-interface");
	pkgdb_pep503_normalize("A--b__.C", n, sizeof(n));
	assert_string_equal(n, "a-b-c");

	const char nover[] = "Metadata-Version: 2.1\nName: x\n\nVersion: 1\n";
	assert_int_equal(pkgdb_parse_python_metadata(nover, sizeof(nover) - 1, "M", &l, err, sizeof(err)), -EBADMSG);
	assert_string_equal(err, "M: no Version header");
	assert_int_equal(l.len, 2);
	package_list_free(&l);
}

static void test_npm(void **state)
{
	(void)state;
	struct package_list l = { 0 };
	char err[256] = "";
	size_t len;
	char *text = pkgdb_fixture("tree/app/node_modules/@types/node/package.json", &len);
	assert_int_equal(pkgdb_parse_npm_package_json(text, len, "/app/node_modules/@types/node/package.json", &l, err,
						      sizeof(err)), 0);
	free(text);
	assert_int_equal(l.len, 1);
	assert_string_equal(l.items[0].name, "@types/node");
	assert_pkg(&l.items[0], "npm", "20.10.5", "", "", "pkg:npm/%40types/node@20.10.5", PKG_ORIGIN_LANGUAGE,
		   VERSION_SEMVER);
	/* a private app without a version is not a registry package */
	text = pkgdb_fixture("tree/app/package.json", &len);
	assert_int_equal(pkgdb_parse_npm_package_json(text, len, "p", &l, err, sizeof(err)), 0);
	free(text);
	assert_int_equal(l.len, 1);
	assert_int_equal(pkgdb_parse_npm_package_json("{\"name\": \"x\",", 13, "bad.json", &l, err, sizeof(err)),
			 -EBADMSG);
	assert_true(strncmp(err, "bad.json: ", 10) == 0);
	assert_int_equal(pkgdb_parse_npm_package_json("[1]", 3, "arr.json", &l, err, sizeof(err)), -EBADMSG);
	assert_string_equal(err, "arr.json: not a JSON object");
	package_list_free(&l);
}

static void test_java(void **state)
{
	(void)state;
	size_t len;
	char *zip = pkgdb_fixture("tree/app/app.jar", &len);
	struct package_list l = { 0 };
	char err[256] = "";
	assert_int_equal(pkgdb_parse_java_archive((unsigned char *)zip, len, "/app/app.jar", 0, &l, err, sizeof(err)), 0);
	free(zip);
	assert_int_equal(l.len, 2);
	const struct package *p = find_pkg(&l, NULL, "org.example:demo-app");
	assert_pkg(p, "Maven", "1.0.0-SNAPSHOT", "", "", "pkg:maven/org.example/demo-app@1.0.0-SNAPSHOT",
		   PKG_ORIGIN_LANGUAGE, VERSION_MAVEN);
	assert_string_equal(p->location, "/app/app.jar");
	p = find_pkg(&l, NULL, "org.apache.commons:commons-lang3");
	assert_pkg(p, "Maven", "3.12.0", "", "", "pkg:maven/org.apache.commons/commons-lang3@3.12.0",
		   PKG_ORIGIN_LANGUAGE, VERSION_MAVEN);
	assert_string_equal(p->location, "/app/app.jar!/BOOT-INF/lib/commons-lang3-3.12.0.jar");
	package_list_free(&l);

	/* no pom.properties: the manifest's main section (continuation lines joined) */
	zip = pkgdb_fixture("tree/opt/java/log4j-core-2.14.1.jar", &len);
	assert_int_equal(pkgdb_parse_java_archive((unsigned char *)zip, len, "/opt/java/log4j-core-2.14.1.jar", 0, &l,
						  err, sizeof(err)), 0);
	assert_int_equal(l.len, 1);
	assert_pkg(&l.items[0], "Maven", "2.14.1", "", "", "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1",
		   PKG_ORIGIN_LANGUAGE, VERSION_MAVEN);
	package_list_free(&l);
	/* an entry larger than the limit is reported, not read */
	assert_int_equal(pkgdb_parse_java_archive((unsigned char *)zip, len, "/j.jar", 16, &l, err, sizeof(err)), -EFBIG);
	assert_string_equal(err, "/j.jar!/META-INF/MANIFEST.MF: entry is larger than the limit");
	free(zip);
	assert_int_equal(pkgdb_parse_java_archive((const unsigned char *)"PK\3\4garbage", 11, "/g.jar", 0, &l, err,
						  sizeof(err)), -EBADMSG);
	assert_true(strncmp(err, "/g.jar: ", 8) == 0);
	package_list_free(&l);

	const char bundle[] = "Manifest-Version: 1.0\nBundle-SymbolicName: com.fasterxml.jackson.core.jackson-databind;singleton:=true\nBundle-Version: 2.15.2\n";
	assert_int_equal(pkgdb_parse_manifest(bundle, sizeof(bundle) - 1, "m", &l, err, sizeof(err)), 0);
	assert_string_equal(l.items[0].name, "com.fasterxml.jackson.core:jackson-databind");
	assert_string_equal(l.items[0].version, "2.15.2");
	package_list_free(&l);
}

static void test_go_modinfo(void **state)
{
	(void)state;
	const char mi[] = "path\texample.com/hello\n"
			  "mod\texample.com/hello\t(devel)\t\n"
			  "dep\texample.com/dep\tv1.2.3\t\n"
			  "=>\t../dep\t(devel)\t\n"
			  "dep\tgolang.org/x/text\tv0.3.0\th1:abc=\n"
			  "=>\tgolang.org/x/text\tv0.3.8\th1:def=\n"
			  "build\t-compiler=gc\n";
	struct package_list l = { 0 };
	char err[256] = "";
	assert_int_equal(pkgdb_parse_go_modinfo(mi, sizeof(mi) - 1, "go1.21.5", "/bin/hello", &l, err, sizeof(err)), 0);
	assert_int_equal(l.len, 4);
	assert_pkg(find_pkg(&l, NULL, "stdlib"), "Go", "v1.21.5", "", "", "pkg:golang/stdlib@v1.21.5",
		   PKG_ORIGIN_LANGUAGE, VERSION_GO);
	assert_pkg(find_pkg(&l, NULL, "example.com/hello"), "Go", "(devel)", "", "",
		   "pkg:golang/example.com/hello@%28devel%29", PKG_ORIGIN_LANGUAGE, VERSION_GO);
	/* replaced by a local directory: still the required version */
	assert_pkg(find_pkg(&l, NULL, "example.com/dep"), "Go", "v1.2.3", "", "", "pkg:golang/example.com/dep@v1.2.3",
		   PKG_ORIGIN_LANGUAGE, VERSION_GO);
	/* replaced by another version: that one */
	assert_pkg(find_pkg(&l, NULL, "golang.org/x/text"), "Go", "v0.3.8", "", "",
		   "pkg:golang/golang.org/x/text@v0.3.8", PKG_ORIGIN_LANGUAGE, VERSION_GO);
	package_list_free(&l);

	/* the section itself: magic, pointer size, flags, then two varint strings */
	unsigned char bi[128] = "\xff Go buildinf:";
	bi[14] = 8;
	bi[15] = 2;
	size_t o = 32;
	bi[o++] = 8;
	memcpy(bi + o, "go1.22.1", 8);
	o += 8;
	const char mod[] = "path\tx\nmod\tx\tv1.0.0\t\n";
	bi[o++] = (unsigned char)(sizeof(mod) - 1);
	memcpy(bi + o, mod, sizeof(mod) - 1);
	o += sizeof(mod) - 1;
	assert_int_equal(pkgdb_parse_go_buildinfo(bi, o, "b", &l, err, sizeof(err)), 0);
	assert_int_equal(l.len, 2);
	assert_string_equal(find_pkg(&l, NULL, "stdlib")->version, "v1.22.1");
	assert_string_equal(find_pkg(&l, NULL, "x")->version, "v1.0.0");
	package_list_free(&l);
	/* a string running past the end */
	assert_int_equal(pkgdb_parse_go_buildinfo(bi, 40, "b", &l, err, sizeof(err)), -EBADMSG);
	assert_string_equal(err, "b: Go build info strings run past the section");
	bi[15] = 0; /* Go before 1.18: pointers instead of inline strings */
	assert_int_equal(pkgdb_parse_go_buildinfo(bi, o, "b", &l, err, sizeof(err)), -ENOTSUP);
	assert_int_equal(l.len, 0);
}

struct mem_file {
	const unsigned char *data;
	size_t size;
};

static int mem_read_at(void *user, uint64_t off, size_t len, unsigned char *dst)
{
	const struct mem_file *m = user;
	if (off > m->size || len > m->size - off)
		return -EIO;
	memcpy(dst, m->data + off, len);
	return 0;
}

static void put_le64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

/* An ELF64 file as Go 1.13-1.17 linked it: .go.buildinfo holds pointers to
 * Go string headers in .rodata, which point at the strings. */
static size_t make_old_go_elf(unsigned char *f, size_t cap, const char *goversion, const char *modinfo, size_t mlen)
{
	memset(f, 0, cap);
	const size_t bi_off = 0x100, ro_off = 0x200, names_off = 0x600, sh_off = 0x700;
	const uint64_t bi_va = 0x401000, ro_va = 0x402000;
	memcpy(f, "\x7f" "ELF", 4);
	f[4] = 2; /* 64-bit */
	f[5] = 1; /* little-endian */
	f[6] = 1;
	put_le64(f + 40, sh_off);
	f[58] = 64; /* shentsize */
	f[60] = 4;  /* shnum */
	f[62] = 3;  /* shstrndx */
	memcpy(f + bi_off, "\xff Go buildinf:", 14);
	f[bi_off + 14] = 8;
	f[bi_off + 15] = 0; /* pointers, little-endian */
	put_le64(f + bi_off + 16, ro_va);      /* -> version string header */
	put_le64(f + bi_off + 24, ro_va + 16); /* -> modinfo string header */
	size_t vlen = strlen(goversion);
	put_le64(f + ro_off, ro_va + 32);
	put_le64(f + ro_off + 8, vlen);
	put_le64(f + ro_off + 16, ro_va + 32 + vlen);
	put_le64(f + ro_off + 24, mlen);
	memcpy(f + ro_off + 32, goversion, vlen);
	memcpy(f + ro_off + 32 + vlen, modinfo, mlen);
	const char names[] = "\0.go.buildinfo\0.rodata\0.shstrtab";
	memcpy(f + names_off, names, sizeof(names));
	struct {
		uint32_t name, type;
		uint64_t addr, off, size;
	} secs[4] = { { 0, 0, 0, 0, 0 }, { 1, 1, bi_va, bi_off, 32 }, { 15, 1, ro_va, ro_off, 32 + vlen + mlen },
		      { 23, 3, 0, names_off, sizeof(names) } };
	for (int i = 0; i < 4; i++) {
		unsigned char *sh = f + sh_off + (size_t)i * 64;
		put_le32(sh, secs[i].name);
		put_le32(sh + 4, secs[i].type);
		put_le64(sh + 16, secs[i].addr);
		put_le64(sh + 24, secs[i].off);
		put_le64(sh + 32, secs[i].size);
	}
	return sh_off + 4 * 64;
}

static void test_go_binary_before_1_18(void **state)
{
	(void)state;
	unsigned char f[4096];
	/* modinfo as the linker stores it: between two 16-byte sentinels (the second holds a NUL) */
	static const char text[] = "path\tgithub.com/x/old\nmod\tgithub.com/x/old\tv0.4.0\th1:x=\n"
				   "dep\tgithub.com/pkg/errors\tv0.9.1\th1:y=\n";
	char mi[512];
	memcpy(mi, "0w\xaf\x0c\x92t\x08\x02" "A\xe1\xc1\x07\xe6\xd6\x18\xe6", 16);
	memcpy(mi + 16, text, sizeof(text) - 1);
	memcpy(mi + 16 + sizeof(text) - 1, "\xf9" "2C1\x86\x18 r\x00\x82" "B\x10" "A\x16\xd8\xf2", 16);
	size_t n = make_old_go_elf(f, sizeof(f), "go1.16.15", mi, 16 + sizeof(text) - 1 + 16);
	struct mem_file m = { f, n };
	struct package_list l = { 0 };
	char err[256] = "";
	assert_int_equal(pkgdb_parse_go_binary(mem_read_at, &m, n, "/usr/bin/old", &l, err, sizeof(err)), 0);
	assert_int_equal(l.len, 3);
	assert_string_equal(find_pkg(&l, NULL, "stdlib")->version, "v1.16.15");
	assert_string_equal(find_pkg(&l, NULL, "github.com/x/old")->version, "v0.4.0");
	assert_pkg(find_pkg(&l, NULL, "github.com/pkg/errors"), "Go", "v0.9.1", "", "",
		   "pkg:golang/github.com/pkg/errors@v0.9.1", PKG_ORIGIN_LANGUAGE, VERSION_GO);
	package_list_free(&l);
	/* a pointer to nowhere */
	put_le64(f + 0x100 + 24, 0x999000);
	assert_int_equal(pkgdb_parse_go_binary(mem_read_at, &m, n, "/usr/bin/old", &l, err, sizeof(err)), -EBADMSG);
	assert_string_equal(err, "/usr/bin/old: Go build info points outside the binary's sections");
	assert_int_equal(l.len, 0);
	/* not ELF at all */
	assert_int_equal(pkgdb_parse_go_binary(mem_read_at, &m, 40, "x", &l, err, sizeof(err)), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_os_release),
		cmocka_unit_test(test_dpkg_sample),
		cmocka_unit_test(test_dpkg_minbase),
		cmocka_unit_test(test_dpkg_malformed),
		cmocka_unit_test(test_dpkg_status_d),
		cmocka_unit_test(test_apk),
		cmocka_unit_test(test_rpm_sqlite),
		cmocka_unit_test(test_rpm_bdb),
		cmocka_unit_test(test_rpm_ndb),
		cmocka_unit_test(test_rpm_header_bounds),
		cmocka_unit_test(test_python),
		cmocka_unit_test(test_npm),
		cmocka_unit_test(test_java),
		cmocka_unit_test(test_go_modinfo),
		cmocka_unit_test(test_go_binary_before_1_18),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
