"""test_scan.py: `dockward scan` on real images of a private engine and on docker-save / OCI files: exact inventories, risks, hostile images."""
import io
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
import time

import pytest

from conftest import ROOT, run_dockward
from scan_images import bookworm_tarball, import_tarball

BOOKWORM = "dwtest/bookworm:12"
RISKY = "dwtest/risky:1"
GOOD = "dwtest/good:1"
HOSTILE = "dwtest/hostile:1"
REMOVED = "util-linux-extra"


def dpkg_installed(tar_path):
    """The oracle: name -> version of every installed package in the tarball's dpkg status."""
    with tarfile.open(tar_path) as t:
        text = t.extractfile("./var/lib/dpkg/status").read().decode()
    pkgs = {}
    for stanza in text.split("\n\n"):
        f = {}
        for line in stanza.splitlines():
            if line and not line[0].isspace() and ":" in line:
                k, v = line.split(":", 1)
                f[k] = v.strip()
        if f.get("Status") == "install ok installed":
            pkgs[f["Package"]] = f["Version"]
    return pkgs


def build(dockerd, ref, dockerfile, files=None):
    ctx = tempfile.mkdtemp(prefix="dwctx")
    try:
        with open(os.path.join(ctx, "Dockerfile"), "w") as f:
            f.write(dockerfile)
        for name, data in (files or {}).items():
            with open(os.path.join(ctx, name), "wb") as f:
                f.write(data)
        e = dockerd.env()
        e["DOCKER_BUILDKIT"] = "0"
        subprocess.run(["docker", "build", "-q", "--network", "none", "--build-arg", "NPM_TOKEN=npm_s3cr3t",
                        "-t", ref, ctx], env=e, check=True, capture_output=True)
    finally:
        shutil.rmtree(ctx)
    return ref


def hostile_tar(host_secret_dir):
    """An image root whose links point at host files, with a FIFO, an oversized file and a setuid file."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as t:
        def add(name, type_=tarfile.REGTYPE, data=b"", mode=0o644, link=""):
            ti = tarfile.TarInfo(name)
            ti.type = type_
            ti.mode = mode
            ti.linkname = link
            ti.size = len(data) if type_ == tarfile.REGTYPE else 0
            t.addfile(ti, io.BytesIO(data) if type_ == tarfile.REGTYPE else None)
        for d in ("etc", "var", "var/lib", "var/lib/dpkg", "usr", "usr/bin", "lib", "lib/apk", "lib/apk/db",
                  "usr/lib", "usr/lib/python3", "usr/lib/python3/dist-packages",
                  "usr/lib/python3/dist-packages/big-1.0.dist-info", "var/lib/dpkg/status.d"):
            add(d, tarfile.DIRTYPE, mode=0o755)
        # absolute link to a host file holding a dpkg database
        add("var/lib/dpkg/status", tarfile.SYMTYPE, link=os.path.join(host_secret_dir, "status"))
        # relative link climbing out of the root towards the host's /etc/os-release
        add("etc/os-release", tarfile.SYMTYPE, link="../../../../../../../../etc/os-release")
        # apk database through a directory link to the host's root
        add("lib/apk/db/installed", tarfile.SYMTYPE, link="/" + "../" * 12 + host_secret_dir.lstrip("/") + "/installed")
        add("var/lib/dpkg/status.d/fifo", tarfile.FIFOTYPE)
        add("usr/lib/python3/dist-packages/big-1.0.dist-info/METADATA",
            data=b"Metadata-Version: 2.1\nName: big\nVersion: 1.0\n" + b"x" * (3 << 20))
        add("usr/bin/suid-tool", data=b"#!/bin/sh\n", mode=0o4755)
    return buf.getvalue()


@pytest.fixture(scope="module")
def images(dockerd, busybox_image):
    tar = bookworm_tarball()
    import_tarball(dockerd, tar, BOOKWORM, changes=['CMD ["/bin/bash"]'])
    build(dockerd, RISKY, "FROM %s\n"
          "ARG NPM_TOKEN\n"
          "ENV DB_PASSWORD=hunter2 APP_MODE=prod\n"
          "RUN echo $NPM_TOKEN >/dev/null && chmod u+s /usr/bin/find && dpkg --purge --force-depends %s\n"
          "USER 0:0\n" % (BOOKWORM, REMOVED))
    build(dockerd, GOOD, "FROM %s\nUSER 1000:1000\nHEALTHCHECK CMD [\"true\"]\n" % busybox_image)
    secret_dir = tempfile.mkdtemp(prefix="dwhost")
    with open(os.path.join(secret_dir, "status"), "w") as f:
        f.write("Package: host-only-package\nStatus: install ok installed\nVersion: 6.6.6\nArchitecture: all\n\n")
    with open(os.path.join(secret_dir, "installed"), "w") as f:
        f.write("P:host-apk\nV:1.0\n\n")
    d = tempfile.mkdtemp(prefix="dwhostile")
    with open(os.path.join(d, "root.tar"), "wb") as f:
        f.write(hostile_tar(secret_dir))
    import_tarball(dockerd, os.path.join(d, "root.tar"), HOSTILE)
    shutil.rmtree(d)
    yield {"bookworm": dpkg_installed(tar), "secret_dir": secret_dir}
    shutil.rmtree(secret_dir)
    shutil.rmtree(STATE, ignore_errors=True)


STATE = tempfile.mkdtemp(prefix="dwstate")
CONF = os.path.join(STATE, "dockward.conf")
with open(CONF, "w") as _f:
    _f.write("[agent]\nstate_dir = %s\n" % STATE)


def conf(tmp_path, text):
    """A configuration with the tests' state_dir plus text."""
    p = tmp_path / "dw.conf"
    p.write_text("[agent]\nstate_dir = %s\n%s" % (STATE, text))
    return str(p)


def scan(dockward, *args, **kw):
    return dockward("-c", CONF, "scan", *args, **kw)


def scan_json(dockward, *args, rc=None):
    r = scan(dockward, "-f", "json", *args)
    assert r.rc in ((0, 1) if rc is None else (rc,)), r.err
    doc = r.json()
    assert doc["schema_version"] == 1
    return doc, r


def by_tag(doc, tag):
    found = [i for i in doc["images"] if tag in i["tags"]]
    assert len(found) == 1, [i["tags"] for i in doc["images"]]
    return found[0]


def risks(img):
    return sorted((k["id"], k["subject"]) for k in img["risks"])


def test_bookworm_inventory_is_exact(dockward, images):
    doc, r = scan_json(dockward, "--no-cache", BOOKWORM, rc=1)
    img = by_tag(doc, BOOKWORM)
    assert img["status"] == "scanned" and img["source"] == "overlay2"
    assert img["os"] == "Debian GNU/Linux 12 (bookworm)" and img["ecosystem"] == "Debian:12"
    got = {p["name"]: p["version"] for p in img["packages"] if p["origin"] == "os"}
    assert got == images["bookworm"]
    libc = [p for p in img["packages"] if p["name"] == "libc6"][0]
    assert libc["source_name"] == "glibc" and libc["location"] == "/var/lib/dpkg/status"
    assert libc["purl"].startswith("pkg:deb/debian/libc6@")
    assert img["inventory"] == {"listed": True, "complete": True, "packages": len(images["bookworm"]),
                                "files_walked": img["inventory"]["files_walked"], "layers": 1, "layers_read": 1}
    suid = sorted(s for i, s in risks(img) if i == "DW-IMG-SETUID")
    assert suid == ["/usr/bin/chage", "/usr/bin/chfn", "/usr/bin/chsh", "/usr/bin/expiry", "/usr/bin/gpasswd",
                    "/usr/bin/mount", "/usr/bin/newgrp", "/usr/bin/passwd", "/usr/bin/su", "/usr/bin/umount",
                    "/usr/sbin/unix_chkpwd"]
    assert ("DW-IMG-ROOT-USER", "USER") in risks(img)
    assert ("DW-IMG-NO-HEALTHCHECK", "HEALTHCHECK") in risks(img)
    assert img["clean"] is False


def test_upper_layer_removal_and_risks(dockward, images):
    doc, _ = scan_json(dockward, "--no-cache", RISKY, rc=1)
    img = by_tag(doc, RISKY)
    assert img["source"] == "overlay2"
    got = {p["name"]: p["version"] for p in img["packages"] if p["origin"] == "os"}
    want = dict(images["bookworm"])
    del want[REMOVED]
    assert got == want
    rk = risks(img)
    assert ("DW-IMG-SETUID", "/usr/bin/find") in rk
    assert ("DW-IMG-ROOT-USER", "USER") in rk          # USER 0:0
    assert ("DW-IMG-SECRET-ENV", "DB_PASSWORD") in rk
    assert not any(s == "APP_MODE" for _, s in rk)
    hist = [s for i, s in rk if i == "DW-IMG-SECRET-HISTORY"]
    assert len(hist) == 1 and hist[0].endswith(": NPM_TOKEN")
    text = json.dumps(doc)
    assert "hunter2" not in text and "npm_s3cr3t" not in text   # names, never values


def test_clean_image_reported_clean(dockward, images):
    doc, r = scan_json(dockward, GOOD, "--fail-on", "low", rc=0)
    img = by_tag(doc, GOOD)
    assert img["status"] == "scanned" and img["risks"] == [] and img["packages"] == []
    t = scan(dockward, GOOD, "--no-color")
    assert t.rc == 0
    assert "No risks found; vulnerabilities not checked" in t.out
    assert "Recommendations" not in t.out


def test_hostile_image_never_reads_host_files(dockward, images):
    t0 = time.time()
    doc, _ = scan_json(dockward, "--no-cache", HOSTILE, rc=1)
    assert time.time() - t0 < 30   # the FIFO did not block
    img = by_tag(doc, HOSTILE)
    assert img["status"] == "scanned"
    names = [p["name"] for p in img["packages"]]
    assert "host-only-package" not in names and "host-apk" not in names
    assert names == []
    assert img["os"] is None           # the host's os-release was not followed
    assert risks(img) == sorted([("DW-IMG-SETUID", "/usr/bin/suid-tool"), ("DW-IMG-ROOT-USER", "USER"),
                                 ("DW-IMG-NO-HEALTHCHECK", "HEALTHCHECK")])
    notes = "\n".join(img["notes"])
    assert "big-1.0.dist-info/METADATA" in notes


def test_engine_export_fallback(dockward, images, tmp_path):
    # a host_root under which the layer directories do not exist forces GET /images/{id}/get
    c = conf(tmp_path, "host_root = %s\n" % (tmp_path / "nowhere"))
    r = dockward("-c", c, "scan", "--no-cache", "-f", "json", RISKY)
    assert r.rc == 1, r.err
    img = by_tag(r.json(), RISKY)
    assert img["source"] == "engine export"
    direct, _ = scan_json(dockward, RISKY)
    d = by_tag(direct, RISKY)
    assert [(p["name"], p["version"]) for p in img["packages"]] == [(p["name"], p["version"]) for p in d["packages"]]
    assert risks(img) == risks(d)


def test_input_docker_save_and_oci(dockward, dockerd, images, tmp_path):
    tar = str(tmp_path / "risky.tar")
    dockerd.docker("save", "-o", tar, RISKY)
    r = run_dockward("scan", "--input", tar, "-f", "json")
    assert r.rc == 1, r.err
    doc = r.json()
    assert len(doc["images"]) == 1
    img = doc["images"][0]
    assert img["tags"] == [RISKY] and img["source"] == "archive " + tar
    engine, _ = scan_json(dockward, RISKY)
    e = by_tag(engine, RISKY)
    assert img["id"] == e["id"]
    assert img["packages"] == e["packages"]
    assert risks(img) == risks(e)
    # the same image as an OCI layout (from the docker-save layers, gzip-compressed)
    oci = tmp_path / "oci"
    make_oci_layout(tar, str(oci))
    r2 = run_dockward("scan", "--input", str(oci), "-f", "json")
    assert r2.rc == 1, r2.err
    o = r2.json()["images"][0]
    assert o["id"] == e["id"] and o["packages"] == e["packages"] and risks(o) == risks(e)


def make_oci_layout(save_tar, out):
    import gzip
    import hashlib
    blobs = os.path.join(out, "blobs", "sha256")
    os.makedirs(blobs)

    def put(data):
        h = hashlib.sha256(data).hexdigest()
        with open(os.path.join(blobs, h), "wb") as f:
            f.write(data)
        return "sha256:" + h, len(data)
    with tarfile.open(save_tar) as t:
        m = json.load(t.extractfile("manifest.json"))[0]
        cfg = t.extractfile(m["Config"]).read()
        layers = [gzip.compress(t.extractfile(l).read(), compresslevel=1) for l in m["Layers"]]
    cd, cs = put(cfg)
    ls = [put(l) for l in layers]
    man = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                      "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cd, "size": cs},
                      "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": d, "size": s}
                                 for d, s in ls]}).encode()
    md, ms = put(man)
    with open(os.path.join(out, "index.json"), "w") as f:
        json.dump({"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
                                                       "digest": md, "size": ms}]}, f)
    with open(os.path.join(out, "oci-layout"), "w") as f:
        f.write('{"imageLayoutVersion": "1.0.0"}')


def test_unreadable_input_is_not_scanned(tmp_path, dockerd, images):
    tar = str(tmp_path / "good.tar")
    dockerd.docker("save", "-o", tar, GOOD)
    # drop one layer from the archive: the image cannot be read, and says so
    broken = str(tmp_path / "broken.tar")
    with tarfile.open(tar) as src, tarfile.open(broken, "w") as dst:
        m = json.load(src.extractfile("manifest.json"))[0]
        for ti in src.getmembers():
            if ti.name != m["Layers"][0]:
                dst.addfile(ti, src.extractfile(ti) if ti.isfile() else None)
    r = run_dockward("scan", "--input", broken, "-f", "json")
    assert r.rc == 3, r.err
    img = r.json()["images"][0]
    assert img["status"] == "not_scanned" and img["clean"] is False
    assert "layer" in img["reason"]
    t = run_dockward("scan", "--input", broken, "--no-color")
    assert "NOT SCANNED" in t.out
    bad = run_dockward("scan", "--input", str(tmp_path / "missing.tar"))
    assert bad.rc == 2


def test_default_selection_containers_and_recent(dockward, clean_daemon, images, tmp_path, busybox_image):
    clean_daemon.docker("create", "--name", "dw-scan-sel", GOOD, "true")
    r = dockward("-c", conf(tmp_path, "[scan]\nrecent_days = 0\n"), "scan", "-f", "json")
    assert r.rc == 0, r.err
    doc = r.json()
    assert [i["tags"] for i in doc["images"]] == [[GOOD]]
    assert doc["images"][0]["containers"] == ["dw-scan-sel"]
    # within 30 days: every image imported or built by these tests
    r = scan(dockward, "-f", "json")
    tags = sorted(t for i in r.json()["images"] for t in i["tags"])
    assert set([BOOKWORM, RISKY, GOOD, HOSTILE, busybox_image]) <= set(tags)


def test_formats_and_filters(dockward, images, tmp_path):
    out = tmp_path / "r.sarif"
    r = scan(dockward, RISKY, "-f", "sarif", "-o", str(out))
    assert r.rc == 1 and r.out == ""
    sarif = json.loads(out.read_text())
    assert sarif["version"] == "2.1.0"
    res = sarif["runs"][0]["results"]
    rules = {x["id"] for x in sarif["runs"][0]["tool"]["driver"]["rules"]}
    assert {x["ruleId"] for x in res} <= rules
    assert any(x["ruleId"] == "DW-IMG-SETUID" and
               x["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "usr/bin/find" for x in res)
    # a FIFO (like /dev/null or /dev/stdout) is written in place, never replaced by a file
    import stat
    import threading
    fifo = str(tmp_path / "fifo")
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(open(fifo).read()))
    reader.start()
    r = scan(dockward, RISKY, "-f", "json", "-o", fifo)
    reader.join(30)
    assert r.rc == 1 and json.loads(got[0])["schema_version"] == 1
    assert stat.S_ISFIFO(os.stat(fifo).st_mode) and sorted(os.listdir(tmp_path)) == ["fifo", "r.sarif"]
    cdx = scan(dockward, RISKY, "-f", "cyclonedx").json()
    assert cdx["bomFormat"] == "CycloneDX" and cdx["specVersion"] == "1.5"
    comps = cdx["components"][0]["components"]
    want = dict(images["bookworm"])
    del want[REMOVED]
    assert {c["name"]: c["version"] for c in comps} == want
    assert all(c["purl"].startswith("pkg:deb/debian/") for c in comps)
    # --severity high keeps only the secret findings; --fail-on critical then passes
    doc, _ = scan_json(dockward, RISKY, "--severity", "high", "--fail-on", "critical", rc=0)
    assert {k["id"] for k in doc["images"][0]["risks"]} == {"DW-IMG-SECRET-ENV", "DW-IMG-SECRET-HISTORY"}
    assert scan(dockward, RISKY, "--fail-on", "bogus").rc == 2
    assert scan(dockward, "no/such:image").rc == 2
    t = scan(dockward, RISKY, env={"NO_COLOR": "1"})
    assert "\033[" not in t.out and "Recommendations:" in t.out


def test_cache_reuses_layers_and_results(dockward, dockerd, images):
    first, _ = scan_json(dockward, "--no-cache", BOOKWORM)
    again, _ = scan_json(dockward, BOOKWORM)
    a, b = by_tag(first, BOOKWORM), by_tag(again, BOOKWORM)
    assert a["source"] == "overlay2" and b["source"] == "cache" and b["from_cache"] is True
    assert a["packages"] == b["packages"] and risks(a) == risks(b) and a["notes"] == b["notes"]
    # another image on exactly the same layers (only its config differs) reads nothing again
    build(dockerd, "dwtest/bookworm-user:1", "FROM %s\nUSER 1000\n" % BOOKWORM)
    doc, _ = scan_json(dockward, "dwtest/bookworm-user:1")
    u = by_tag(doc, "dwtest/bookworm-user:1")
    assert u["source"] == "cache" and u["packages"] == a["packages"]
    assert ("DW-IMG-ROOT-USER", "USER") not in risks(u)       # config checks are not cached
    assert [s for i, s in risks(u) if i == "DW-IMG-SETUID"] == [s for i, s in risks(a) if i == "DW-IMG-SETUID"]
    # a damaged cache entry is a miss, never an error
    for name in os.listdir(os.path.join(STATE, "cache")):
        with open(os.path.join(STATE, "cache", name), "w") as f:
            f.write("{broken")
    doc, _ = scan_json(dockward, BOOKWORM)
    assert by_tag(doc, BOOKWORM)["source"] == "overlay2"


def osv(adv_id, pkg, events, severity, aliases=()):
    return {"id": adv_id, "modified": "2024-01-01T00:00:00Z", "aliases": list(aliases), "summary": adv_id + " test",
            "affected": [{"package": {"ecosystem": "Debian:12", "name": pkg},
                          "ranges": [{"type": "ECOSYSTEM", "events": events}]}],
            "database_specific": {"severity": severity}}


def import_db(tmp_path, name, records):
    src = tmp_path / (name + "-osv")
    src.mkdir()
    for r in records:
        (src / (r["id"] + ".json")).write_text(json.dumps(r))
    db = tmp_path / (name + "-db")
    r = run_dockward("db", "import", "--db-dir", str(db), str(src))
    assert r.rc == 0, r.err
    return str(db)


def test_vulnerabilities_matched_and_rematched(dockward, images, tmp_path):
    base = [osv("DSA-9999-1", "glibc", [{"introduced": "0"}, {"fixed": "2.36-9+deb12u99"}], "high", ["CVE-2099-0001"]),
            osv("DEBIAN-TEST-ZLIB", "zlib", [{"introduced": "0"}], "low"),
            osv("DSA-0001-1", "tar", [{"introduced": "0"}, {"fixed": "1.0-1"}], "critical")]
    db1 = import_db(tmp_path, "v1", base)
    doc, _ = scan_json(dockward, "--db-dir", db1, BOOKWORM, rc=1)
    assert doc["vulnerability_db"]["available"] is True
    img = by_tag(doc, BOOKWORM)
    got = sorted((v["package"], v["id"], v["severity"], v["fixed_version"], v["installed_version"])
                 for v in img["vulnerabilities"])
    libc = images["bookworm"]["libc6"]
    assert got == [("libc-bin", "DSA-9999-1", "high", "2.36-9+deb12u99", libc),
                   ("libc6", "DSA-9999-1", "high", "2.36-9+deb12u99", libc),
                   ("zlib1g", "DEBIAN-TEST-ZLIB", "low", None, images["bookworm"]["zlib1g"])]
    assert img["vulnerabilities"][0]["aliases"] in (["CVE-2099-0001"], [])
    assert doc["summary"]["vulnerabilities"]["high"] == 2
    # filters
    d2, _ = scan_json(dockward, "--db-dir", db1, BOOKWORM, "--ignore-unfixed", rc=1)
    assert {v["id"] for v in by_tag(d2, BOOKWORM)["vulnerabilities"]} == {"DSA-9999-1"}
    t = scan(dockward, "--db-dir", db1, BOOKWORM, "--no-color")
    assert "no fix yet" in t.out and "fixed in 2.36-9+deb12u99" in t.out
    assert "rebuild the image with updated packages: 2 vulnerabilities have a fix" in t.out
    cdx = scan(dockward, "--db-dir", db1, BOOKWORM, "-f", "cyclonedx").json()
    refs = {c["bom-ref"] for c in cdx["components"][0]["components"]}
    assert len(cdx["vulnerabilities"]) == 3 and all(v["affects"][0]["ref"] in refs for v in cdx["vulnerabilities"])
    sarif = scan(dockward, "--db-dir", db1, BOOKWORM, "-f", "sarif").json()
    assert sum(1 for x in sarif["runs"][0]["results"] if x["ruleId"] == "DSA-9999-1") == 2
    # a database update matches again, without reading the image again
    db2 = import_db(tmp_path, "v2", base + [osv("DSA-9999-2", "bash", [{"introduced": "0"}, {"fixed": "9:0"}], "medium")])
    doc, _ = scan_json(dockward, "--db-dir", db2, BOOKWORM, rc=1)
    img = by_tag(doc, BOOKWORM)
    assert img["source"] == "cache"
    assert sorted(v["id"] for v in img["vulnerabilities"]) == ["DEBIAN-TEST-ZLIB", "DSA-9999-1", "DSA-9999-1",
                                                               "DSA-9999-2"]
    # no database: said clearly, risks and inventory still there
    doc, _ = scan_json(dockward, "--db-dir", str(tmp_path / "none"), BOOKWORM, rc=1)
    assert doc["vulnerability_db"]["available"] is False and "db import" in doc["vulnerability_db"]["note"]
    img = by_tag(doc, BOOKWORM)
    assert img["vulnerabilities_checked"] is False and len(img["packages"]) == len(images["bookworm"]) and img["risks"]


def test_user_and_healthcheck_variants(dockward, dockerd, images, busybox_image):
    variants = {
        "dwtest/v-root:1": ("USER root\nHEALTHCHECK NONE\n", {"DW-IMG-ROOT-USER", "DW-IMG-NO-HEALTHCHECK"}),
        "dwtest/v-uid0:1": ("USER 0\nHEALTHCHECK CMD [\"true\"]\n", {"DW-IMG-ROOT-USER"}),
        "dwtest/v-app:1": ("USER app:0\n", {"DW-IMG-NO-HEALTHCHECK"}),
        "dwtest/v-none:1": ("HEALTHCHECK CMD [\"true\"]\nUSER 1000\nHEALTHCHECK NONE\n", {"DW-IMG-NO-HEALTHCHECK"}),
    }
    for ref, (lines, _) in variants.items():
        build(dockerd, ref, "FROM %s\n%s" % (busybox_image, lines))
    doc, _ = scan_json(dockward, *variants, rc=1)
    for ref, (_, want) in variants.items():
        assert {k["id"] for k in by_tag(doc, ref)["risks"]} == want, ref
