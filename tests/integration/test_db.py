"""test_db.py: `dockward db import|status|match`: OSV directories and zips, atomic replace, bad records named, [scan] vulndb_dir."""
import json
import os
import shutil
import sqlite3
import zipfile

from conftest import ROOT, run_dockward

FIXTURES = os.path.join(ROOT, "tests", "fixtures", "osv")


def db(*args, db_dir):
    return run_dockward("db", *args, "--db-dir", str(db_dir))


def make_zip(src, path):
    # like osv.dev's all.zip: the records flat at the top
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for root, _, files in os.walk(src):
            for f in sorted(files):
                z.write(os.path.join(root, f), arcname=f)


def test_import_directory_then_status_and_match(tmp_path):
    r = db("import", "-f", "json", FIXTURES, db_dir=tmp_path / "db")
    assert r.rc == 0, r.err
    st = r.json()
    assert st["files"] == 16
    assert st["advisories"] == 14
    assert st["withdrawn"] == 1 and st["without_packages"] == 1 and st["bad"] == 0
    assert st["bad_records"] == []
    assert len(st["content_version"]) == 32

    r = db("status", "-f", "json", db_dir=tmp_path / "db")
    assert r.rc == 0, r.err
    s = r.json()
    assert s["path"] == str(tmp_path / "db" / "vulndb.sqlite")
    assert s["content_version"] == st["content_version"]
    assert s["schema_version"] == 1
    assert s["advisories"] == 14
    assert s["source"] == FIXTURES
    assert s["imported_at"].endswith("Z")
    eco = {e["ecosystem"]: e for e in s["ecosystems"]}
    assert set(eco) == {"Debian:12", "Debian:7", "Go", "PyPI", "crates.io"}
    assert eco["Debian:12"]["advisories"] == 3 and eco["Debian:12"]["packages"] == 2
    assert s["size_bytes"] == os.path.getsize(s["path"])

    r = db("status", db_dir=tmp_path / "db")
    assert r.rc == 0
    assert "content version  " + st["content_version"] in r.out
    assert "crates.io" in r.out

    r = db("match", "-f", "json", "PyPI", "Django", "5.0.6", db_dir=tmp_path / "db")
    assert r.rc == 1, r.err        # findings
    m = {v["id"]: v for v in r.json()["vulnerabilities"]}
    assert m["PYSEC-2024-57"]["fixed_version"] == "5.0.7"
    assert "CVE-2024-39329" in m["PYSEC-2024-57"]["aliases"]
    r = db("match", "crates.io", "cranelift-codegen", "0.73.1", db_dir=tmp_path / "db")
    assert r.rc == 0 and "no known vulnerabilities" in r.out
    r = db("match", "-f", "json", "crates.io", "cranelift-codegen", "0.73.0", db_dir=tmp_path / "db")
    v = r.json()["vulnerabilities"][0]
    assert v["cvss_score"] == 8.8 and v["severity"] == "high"


def test_zip_gives_the_same_content(tmp_path):
    make_zip(FIXTURES, tmp_path / "all.zip")
    r1 = db("import", "-f", "json", FIXTURES, db_dir=tmp_path / "a")
    r2 = db("import", "-f", "json", str(tmp_path / "all.zip"), db_dir=tmp_path / "b")
    assert r1.rc == 0 and r2.rc == 0, r2.err
    a, b = r1.json(), r2.json()
    assert b["files"] == 16 and b["advisories"] == 14
    assert a["content_version"] == b["content_version"]
    s = db("status", "-f", "json", db_dir=tmp_path / "b").json()
    assert s["source"] == str(tmp_path / "all.zip")


def test_reimport_replaces_atomically(tmp_path):
    src = tmp_path / "src"
    shutil.copytree(FIXTURES, src)
    dbdir = tmp_path / "db"
    first = db("import", "-f", "json", str(src), db_dir=dbdir).json()
    # what an import killed half-way left behind (no such process now) is cleaned up
    (dbdir / ".vulndb.sqlite.tmp-999999999").write_bytes(b"half")
    path = dbdir / "vulndb.sqlite"
    ino = os.stat(path).st_ino
    # a reader that has the old database open keeps reading it
    reader = sqlite3.connect("file:%s?mode=ro" % path, uri=True)
    os.remove(src / "go" / "GO-2024-3228.json")
    r = db("import", "-f", "json", str(src), db_dir=dbdir)
    assert r.rc == 0, r.err
    second = r.json()
    assert second["advisories"] == 13
    assert second["content_version"] != first["content_version"]
    assert os.stat(path).st_ino != ino             # a new file renamed over the old one
    assert sorted(os.listdir(dbdir)) == ["vulndb.sqlite"]  # no temporary left behind
    old = reader.execute("SELECT COUNT(*) FROM advisory WHERE id = 'GO-2024-3228'").fetchone()[0]
    reader.close()
    assert old == 1
    r = db("match", "Go", "github.com/coder/coder/v2", "v2.15.0", db_dir=dbdir)
    assert r.rc == 0, r.out
    # the same records again: the same content version
    third = db("import", "-f", "json", str(src), db_dir=dbdir).json()
    assert third["content_version"] == second["content_version"]


def test_corrupt_record_is_reported_by_name(tmp_path):
    src = tmp_path / "src"
    shutil.copytree(FIXTURES, src)
    (src / "pypi" / "corrupt.json").write_text('{"id": "PYSEC-X", "affected": [')
    (src / "pypi" / "no-introduced.json").write_text(
        '{"id": "PYSEC-Y", "affected": [{"package": {"ecosystem": "PyPI", "name": "x"},'
        ' "ranges": [{"type": "ECOSYSTEM", "events": [{"fixed": "1.0"}]}]}]}')
    r = db("import", str(src), db_dir=tmp_path / "db")
    assert r.rc == 0, r.err
    assert "pypi/corrupt.json" in r.err
    assert "pypi/no-introduced.json" in r.err and "no introduced event" in r.err
    assert "14 advisories" in r.out and "2 bad" in r.out
    r = db("import", "-f", "json", str(src), db_dir=tmp_path / "db")
    bad = {b["file"]: b["reason"] for b in r.json()["bad_records"]}
    assert set(bad) == {"pypi/corrupt.json", "pypi/no-introduced.json"}
    # a zip names its member
    make_zip(src, tmp_path / "all.zip")
    r = db("import", "-f", "json", str(tmp_path / "all.zip"), db_dir=tmp_path / "db2")
    assert {b["file"] for b in r.json()["bad_records"]} == {"corrupt.json", "no-introduced.json"}


def test_nothing_usable_keeps_the_old_database(tmp_path):
    dbdir = tmp_path / "db"
    first = db("import", "-f", "json", FIXTURES, db_dir=dbdir).json()
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "x.json").write_text("not json")
    r = db("import", str(bad), db_dir=dbdir)
    assert r.rc == 2
    assert "x.json" in r.err and "no usable OSV record" in r.err
    r = db("import", str(tmp_path / "missing"), db_dir=dbdir)
    assert r.rc == 2 and "missing" in r.err
    (tmp_path / "junk.zip").write_bytes(b"PK\x03\x04 this is not a zip")
    r = db("import", str(tmp_path / "junk.zip"), db_dir=dbdir)
    assert r.rc != 0 and "junk.zip" in r.err
    assert db("status", "-f", "json", db_dir=dbdir).json()["content_version"] == first["content_version"]


def test_config_key_and_missing_database(tmp_path):
    conf = tmp_path / "dockward.conf"
    conf.write_text("[scan]\nvulndb_dir = %s\n" % (tmp_path / "vdb"))
    r = run_dockward("--config", str(conf), "db", "status")
    assert r.rc == 3
    assert "no vulnerability database at %s" % (tmp_path / "vdb" / "vulndb.sqlite") in r.err
    r = run_dockward("--config", str(conf), "db", "import", FIXTURES)
    assert r.rc == 0, r.err
    assert str(tmp_path / "vdb" / "vulndb.sqlite") in r.out
    r = run_dockward("--config", str(conf), "db", "status")
    assert r.rc == 0 and "advisories       14" in r.out
    r = run_dockward("--config", str(conf), "db", "frobnicate")
    assert r.rc == 2 and "Usage: dockward db" in r.err
