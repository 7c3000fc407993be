"""test_lazy_libs.py: libraries loaded with dlopen (agent/lazy_*.c) stay unmapped for commands that do not use them: an audit maps no libbpf, libelf or libsqlite3; `version` and `db` load theirs."""
import os
import re

from conftest import ROOT, run_dockward

LAZY = ("libbpf.so", "libelf", "libsqlite3.so", "libarchive.so")


def loaded_files(stderr):
    """The shared objects ld.so loaded (LD_DEBUG=files), name -> how ('needed' or 'dynamically')."""
    out = {}
    for m in re.finditer(r"file=(\S+) \[\d+\];\s+(needed|dynamically loaded) by", stderr):
        out[m.group(1)] = m.group(2).split()[0]
    return out


def lazy_in(files):
    return sorted(f for f in files if f.startswith(LAZY))


def test_no_lazy_library_is_needed_at_start():
    r = run_dockward("--help", env={"LD_DEBUG": "files"})
    files = loaded_files(r.err)
    assert files, "LD_DEBUG=files printed nothing: " + r.err[:500]
    assert lazy_in(files) == []


def test_audit_maps_no_libbpf_nor_sqlite(dockward, tmp_path):
    # no vulnerability database in the tests' state dir: nothing to open with SQLite
    r = dockward("audit", "--rules", os.path.join(ROOT, "rules"), "-f", "json", "-o", str(tmp_path / "a.json"), env={"LD_DEBUG": "files"})
    assert r.rc in (0, 1), r.err[-2000:]
    files = loaded_files(r.err)
    assert "libcurl.so.4" in files
    assert [f for f in lazy_in(files) if not f.startswith("libarchive")] == []


def test_version_loads_libbpf_for_its_version():
    r = run_dockward("version", env={"LD_DEBUG": "files"})
    assert r.rc == 0, r.err[-2000:]
    assert re.search(r"^libbpf v?\d+\.\d+", r.out, re.M), r.out
    files = loaded_files(r.err)
    assert files.get("libbpf.so.1") == "dynamically"


def test_db_import_loads_sqlite(tmp_path):
    src = tmp_path / "osv"
    src.mkdir()
    (src / "X-1.json").write_text('{"id": "X-1", "modified": "2024-01-01T00:00:00Z", "affected": ['
                                  '{"package": {"ecosystem": "Debian:12", "name": "zlib"},'
                                  ' "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"},'
                                  ' {"fixed": "1:1.2.13"}]}]}]}')
    r = run_dockward("db", "import", str(src), "--db-dir", str(tmp_path / "db"), env={"LD_DEBUG": "files"})
    assert r.rc == 0, r.err[-2000:]
    assert loaded_files(r.err).get("libsqlite3.so.0") == "dynamically"
    assert (tmp_path / "db" / "vulndb.sqlite").exists()
