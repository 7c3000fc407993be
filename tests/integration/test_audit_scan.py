"""test_audit_scan.py: audit rules 4.3, 4.4 and 4.8 from the image scanner's results ([audit] scan_images), on the private engine."""
import io
import json
import os
import shutil
import tarfile
import tempfile

import pytest

from conftest import ROOT

RULES = os.path.join(ROOT, "rules")
VULN = "dwauditscan/vuln:1"
CLEAN = "dwauditscan/clean:1"
FRESH = "dwauditscan/fresh:1"
BARE = "dwauditscan/bare:1"

OS_RELEASE = b'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n'


def dpkg_status(pkgs):
    return "".join("Package: %s\nStatus: install ok installed\nVersion: %s\nArchitecture: all\n\n" % p
                   for p in pkgs).encode()


def image_tar(files):
    """A root file system: files maps path -> (data, mode)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as t:
        dirs = set()
        for path in files:
            parts = path.split("/")[:-1]
            for i in range(1, len(parts) + 1):
                dirs.add("/".join(parts[:i]))
        for d in sorted(dirs):
            ti = tarfile.TarInfo(d)
            ti.type = tarfile.DIRTYPE
            ti.mode = 0o755
            t.addfile(ti)
        for path, (data, mode) in sorted(files.items()):
            ti = tarfile.TarInfo(path)
            ti.mode = mode
            ti.size = len(data)
            t.addfile(ti, io.BytesIO(data))
    return buf.getvalue()


def import_image(d, ref, files):
    tmp = tempfile.mkdtemp(prefix="dwas")
    try:
        p = os.path.join(tmp, "root.tar")
        with open(p, "wb") as f:
            f.write(image_tar(files))
        d.docker("import", "--change", 'CMD ["/bin/app"]', p, ref)
    finally:
        shutil.rmtree(tmp)


def osv(adv_id, pkg, fixed, severity):
    return {"id": adv_id, "modified": "2024-01-01T00:00:00Z", "aliases": [], "summary": adv_id + " test",
            "affected": [{"package": {"ecosystem": "Debian:12", "name": pkg},
                          "ranges": [{"type": "ECOSYSTEM",
                                      "events": [{"introduced": "0"}] + ([{"fixed": fixed}] if fixed else [])}]}],
            "database_specific": {"severity": severity}}


@pytest.fixture(scope="module")
def scene(dockerd, tmp_path_factory):
    """Three images, each used by one created container; a vulnerability database that matches one package."""
    base = {"etc/os-release": (OS_RELEASE, 0o644), "bin/app": (b"#!/bin/sh\n", 0o755)}
    import_image(dockerd, VULN, dict(base, **{
        "var/lib/dpkg/status": (dpkg_status([("dwtest-lib", "1.0-1"), ("dwtest-tool", "2.0-1")]), 0o644),
        "usr/bin/su-like": (b"#!/bin/sh\n", 0o4755),
        "usr/bin/wall-like": (b"#!/bin/sh\n", 0o2755),
    }))
    import_image(dockerd, CLEAN, dict(base, **{
        "var/lib/dpkg/status": (dpkg_status([("dwtest-tool", "2.0-1")]), 0o644),
    }))
    import_image(dockerd, BARE, {"bin/app": (b"#!/bin/sh\n", 0o755)})
    import_image(dockerd, FRESH, dict(base, **{
        "var/lib/dpkg/status": (dpkg_status([("dwtest-fresh", "3.0-1")]), 0o644),
    }))
    tmp = tmp_path_factory.mktemp("auditscan")
    src = tmp / "osv"
    src.mkdir()
    for rec in (osv("DSA-7777-1", "dwtest-lib", "1.0-2", "high"), osv("DEBIAN-TEST-NOFIX", "dwtest-lib", None, "low"),
                osv("DSA-7777-9", "dwtest-tool", "1.5-1", "critical")):     # 2.0-1 is already fixed
        (src / (rec["id"] + ".json")).write_text(json.dumps(rec))
    ids = {}
    for ref, name in ((VULN, "dwas-vuln"), (CLEAN, "dwas-clean"), (FRESH, "dwas-fresh"), (BARE, "dwas-bare")):
        dockerd.docker("rm", "-f", name, check=False)
        dockerd.docker("create", "--name", name, ref)
        ids[ref] = json.loads(dockerd.docker("image", "inspect", ref))[0]["Id"]
    yield {"tmp": tmp, "osv": str(src), "ids": ids}
    for name in ("dwas-vuln", "dwas-clean", "dwas-fresh", "dwas-bare"):
        dockerd.docker("rm", "-f", name, check=False)
    for ref in (VULN, CLEAN, FRESH, BARE):
        dockerd.docker("rmi", "-f", ref, check=False)


def config(scene, name, text):
    state = scene["tmp"] / (name + "-state")
    state.mkdir(exist_ok=True)
    p = scene["tmp"] / (name + ".conf")
    p.write_text("[agent]\nstate_dir = %s\n%s" % (state, text))
    return str(p)


def audit(dockward, conf, *args, containers="dwas-[vc]*"):
    r = dockward("-c", conf, "audit", "--rules", RULES, "-f", "json", "-c", "4.3,4.4,4.8",
                 "--containers", containers, *args)
    assert r.rc in (0, 1), r.err
    return {rule["id"]: rule for rule in r.json()["rules"]}


def items(rule, key):
    return {o["name"]: o["detail"] for o in rule[key]}


def test_scan_results_as_evidence(scene, dockward):
    db = scene["tmp"] / "db"
    r = dockward("db", "import", "--db-dir", str(db), scene["osv"])
    assert r.rc == 0, r.err
    conf = config(scene, "withdb", "[scan]\nvulndb_dir = %s\n" % db)
    rules = audit(dockward, conf)
    # 4.3: package counts per image for a person
    assert rules["4.3"]["verdict"] == "manual"
    assert items(rules["4.3"], "evidence") == {VULN: "2 packages (Debian GNU/Linux 12 (bookworm))",
                                               CLEAN: "1 packages (Debian GNU/Linux 12 (bookworm))"}
    # 4.4 and 4.8 are manual in the benchmark: what fails is evidence for review
    v = rules["4.4"]
    assert v["verdict"] == "manual" and v["reason"].startswith("for review: 1 of 2 images"), v
    assert items(v, "evidence") == {VULN: "2 known vulnerabilities (1 with a fixed version): "
                                          "dwtest-lib 1.0-1: DEBIAN-TEST-NOFIX (low, no fix yet); "
                                          "dwtest-lib 1.0-1: DSA-7777-1 (high, fixed in 1.0-2)"}
    s = rules["4.8"]
    assert s["verdict"] == "manual" and s["reason"].startswith("for review: 1 of 2 images"), s
    detail = items(s, "evidence")[VULN]
    assert detail.startswith("2 setuid/setgid files: ")
    assert "/usr/bin/su-like" in detail and "/usr/bin/wall-like" in detail
    assert all(e["kind"] == "image" and e["id"] == scene["ids"][VULN] for e in s["evidence"])
    # an image without a package database: its vulnerabilities are not known, never "none"
    bare = audit(dockward, conf, containers="dwas-bare")
    assert bare["4.4"]["verdict"] == "not-evaluated"
    assert bare["4.4"]["reason"] == ("1 of 1 images could not be evaluated: no packages were found in it: nothing "
                                     "to match (files outside a package database are not known to the "
                                     "vulnerability database)")
    assert items(bare["4.3"], "evidence") == {BARE: "0 packages"}
    assert bare["4.8"]["verdict"] == "manual" and bare["4.8"]["reason"] == "1 images checked, none affected"


def test_no_database_is_not_evaluated(scene, dockward):
    conf = config(scene, "nodb", "[scan]\nvulndb_dir = %s\n" % (scene["tmp"] / "absent-db"))
    rules = audit(dockward, conf)
    assert rules["4.4"]["verdict"] == "not-evaluated"
    assert "no vulnerability database" in rules["4.4"]["reason"]
    assert not rules["4.4"]["evidence"] and not rules["4.4"]["offenders"]
    assert rules["4.8"]["verdict"] == "manual"        # the file checks do not need a database


def test_cached_mode_and_off(scene, dockward):
    conf = config(scene, "cached", "[audit]\nscan_images = cached\n[scan]\nvulndb_dir = %s\n"
                  % (scene["tmp"] / "absent-db"))
    # nothing scanned yet under this state directory: every image is not evaluated, with the reason
    rules = audit(dockward, conf, containers="dwas-fresh")
    for rid in ("4.3", "4.8"):
        assert rules[rid]["verdict"] == "not-evaluated", rules[rid]
        assert "1 of 1 images could not be evaluated: no cached scan result" in rules[rid]["reason"]
        assert list(items(rules[rid], "evidence")) == [FRESH]
    # `dockward scan` fills the cache; the audit then reads it without scanning
    r = dockward("-c", conf, "scan", "-f", "json", FRESH)
    assert r.rc == 1, r.err                         # root user and no healthcheck are findings of its own
    assert r.json()["images"][0]["source"] == "overlay2"
    rules = audit(dockward, conf, containers="dwas-fresh")
    assert rules["4.3"]["verdict"] == "manual"
    assert items(rules["4.3"], "evidence") == {FRESH: "1 packages (Debian GNU/Linux 12 (bookworm))"}
    assert rules["4.8"]["verdict"] == "manual" and rules["4.8"]["reason"] == "1 images checked, none affected"
    off = config(scene, "off", "[audit]\nscan_images = off\n")
    rules = audit(dockward, off)
    for rid in ("4.3", "4.4", "4.8"):
        assert rules[rid]["verdict"] == "not-evaluated" and "scan_images = off" in rules[rid]["reason"]
    bad = config(scene, "bad", "[audit]\nscan_images = sometimes\n")
    r = dockward("-c", bad, "audit", "--rules", RULES, "-c", "4.3")
    assert r.rc == 2 and "scan_images" in r.err
