"""test_scan_layers.py: the per-layer scan cache: an image sharing base layers with a cached one reads only its new layers, and the composed inventory equals a full read (--no-cache), deletions and replacements in upper layers included."""
import glob
import json
import os
import shutil
import tempfile

import pytest

from scan_images import bookworm_tarball, import_tarball
from test_scan import build

BASE = "dwlayers/bookworm:12"
MID = "dwlayers/mid:1"        # base + a layer of language packages and a setuid file
A = "dwlayers/a:1"            # mid + a layer that purges a dpkg package
B = "dwlayers/b:1"            # mid + a layer that deletes and replaces language packages
C = "dwlayers/c:1"            # mid + a layer that leaves the OS databases alone
PY = "/usr/local/lib/python3.11/dist-packages"

MID_STEP = (
    "RUN mkdir -p %(py)s/keepme-1.0.dist-info %(py)s/dropme-2.0.dist-info /app/node_modules/left-pad "
    "/app/node_modules/old-pkg /opt/tools"
    " && printf 'Metadata-Version: 2.1\\nName: keepme\\nVersion: 1.0\\n' >%(py)s/keepme-1.0.dist-info/METADATA"
    " && printf 'Metadata-Version: 2.1\\nName: dropme\\nVersion: 2.0\\n' >%(py)s/dropme-2.0.dist-info/METADATA"
    " && printf '{\"name\":\"left-pad\",\"version\":\"1.3.0\"}' >/app/node_modules/left-pad/package.json"
    " && printf '{\"name\":\"old-pkg\",\"version\":\"0.1.0\"}' >/app/node_modules/old-pkg/package.json"
    " && cp /bin/true /opt/tools/elevate && chmod 4755 /opt/tools/elevate\n" % {"py": PY})


def scan(dockward, conf, *args):
    r = dockward("-c", conf, "scan", "-f", "json", *args)
    assert r.rc in (0, 1), r.err
    doc = r.json()
    return {t: img for img in doc["images"] for t in img["tags"]}


def names(img):
    return sorted((p["ecosystem"].split(":")[0], p["name"], p["version"]) for p in img["packages"])


def setuid(img):
    return [k["subject"] for k in img["risks"] if k["id"] == "DW-IMG-SETUID"]


@pytest.fixture(scope="module")
def layered(dockerd):
    import_tarball(dockerd, bookworm_tarball(), BASE)
    build(dockerd, MID, "FROM %s\n%s" % (BASE, MID_STEP))
    build(dockerd, A, "FROM %s\nRUN dpkg --purge --force-depends util-linux-extra\n" % MID)
    build(dockerd, B, "FROM %s\n"
          "RUN rm -rf %s/dropme-2.0.dist-info /app/node_modules && chmod u-s /usr/bin/passwd"
          " && dpkg --purge --force-depends --force-remove-essential hostname"
          " && mkdir -p /app/node_modules/new-pkg"
          " && printf '{\"name\":\"new-pkg\",\"version\":\"2.0.0\"}' >/app/node_modules/new-pkg/package.json\n"
          % (MID, PY))
    build(dockerd, C, "FROM %s\nRUN mkdir -p /srv/node_modules/c-pkg"
          " && printf '{\"name\":\"c-pkg\",\"version\":\"3.1.4\"}' >/srv/node_modules/c-pkg/package.json\n" % MID)
    state = tempfile.mkdtemp(prefix="dwlayers")
    conf = os.path.join(state, "dockward.conf")
    with open(conf, "w") as f:
        f.write("[agent]\nstate_dir = %s\n" % state)
    yield {"state": state, "conf": conf}
    shutil.rmtree(state, ignore_errors=True)
    for ref in (C, B, A, MID, BASE):
        dockerd.docker("rmi", ref, check=False)


def test_shared_base_layers_read_once_and_compose_exactly(dockward, layered):
    conf, cache = layered["conf"], os.path.join(layered["state"], "cache")
    a = scan(dockward, conf, A)[A]
    assert a["source"] == "overlay2"
    assert (a["inventory"]["layers"], a["inventory"]["layers_read"]) == (3, 3)
    # B shares the base and MID layers with A: only its own top layer is read
    b = scan(dockward, conf, B)[B]
    assert b["source"] == "overlay2" and b["from_cache"] is False
    assert (b["inventory"]["layers"], b["inventory"]["layers_read"]) == (3, 1)
    assert len(glob.glob(os.path.join(cache, "layer-*.json"))) == 4

    # the composed inventories equal full reads of the merged filesystem
    full = scan(dockward, conf, "--no-cache", A, B)
    for ref, got in ((A, a), (B, b)):
        want = full[ref]
        assert want["inventory"]["layers_read"] == 3
        assert got["packages"] == want["packages"], ref
        assert got["risks"] == want["risks"], ref
        assert got["os"] == want["os"] and got["ecosystem"] == want["ecosystem"]
        assert got["inventory"]["complete"] and want["inventory"]["complete"]

    # and say what the layers did
    na, nb = names(a), names(b)
    assert ("PyPI", "keepme", "1.0") in na and ("PyPI", "dropme", "2.0") in na
    assert ("npm", "old-pkg", "0.1.0") in na and ("npm", "left-pad", "1.3.0") in na
    assert not any(n == "util-linux-extra" for _, n, _ in na)
    assert any(n == "hostname" for _, n, _ in na)
    assert ("PyPI", "keepme", "1.0") in nb and not any(n == "dropme" for _, n, _ in nb)   # whiteout
    assert ("npm", "new-pkg", "2.0.0") in nb                                                  # opaque dir
    assert not any(n in ("old-pkg", "left-pad") for _, n, _ in nb)
    assert not any(n == "hostname" for _, n, _ in nb)   # dpkg status rewritten above
    assert any(n == "util-linux-extra" for _, n, _ in nb)
    assert "/opt/tools/elevate" in setuid(a) and "/opt/tools/elevate" in setuid(b)
    assert "/usr/bin/passwd" in setuid(a) and "/usr/bin/passwd" not in setuid(b)   # chmod u-s above

    # an unchanged image reads no layer at all
    again = scan(dockward, conf, B)[B]
    assert again["source"] == "cache" and again["inventory"]["layers_read"] == 0
    assert again["packages"] == b["packages"]


def test_damaged_layer_entries_are_rebuilt(dockward, layered):
    conf, cache = layered["conf"], os.path.join(layered["state"], "cache")
    ref = scan(dockward, conf, "--no-cache", B)[B]
    scan(dockward, conf, B)
    for p in glob.glob(os.path.join(cache, "fs-*.json")):
        os.unlink(p)            # force composition from the layers
    layers = sorted(glob.glob(os.path.join(cache, "layer-*.json")))
    assert layers
    for i, p in enumerate(layers):
        with open(p, "w") as f:
            # truncated JSON, or valid JSON that does not hold what its name says
            f.write("{\"format\": 1, \"items\": [" if i % 2 else json.dumps({"format": 1, "items": []}))
    b = scan(dockward, conf, B)[B]
    assert b["inventory"]["layers_read"] == 3
    assert b["packages"] == ref["packages"] and b["risks"] == ref["risks"]
    valid = 0
    for p in layers:
        with open(p) as f:
            try:
                valid += "diff_id" in json.load(f)
            except ValueError:
                pass
    assert valid == 3           # B's three layers rewritten whole (A's own top layer was not read)


def diff_ids(dockerd, ref):
    return json.loads(dockerd.docker("image", "inspect", ref))[0]["RootFS"]["Layers"]


def test_cache_is_bounded_least_recently_used_first(dockward, dockerd, layered, tmp_path):
    cache = os.path.join(layered["state"], "cache")
    shutil.rmtree(cache)
    scan(dockward, layered["conf"], A)
    scan(dockward, layered["conf"], B)
    fs_all = set(glob.glob(os.path.join(cache, "fs-*.json")))
    layer = lambda d: os.path.join(cache, "layer-%s.json" % d.split(":")[1])
    a_ids, b_ids = diff_ids(dockerd, A), diff_ids(dockerd, B)
    assert all(os.path.exists(layer(d)) for d in a_ids + b_ids) and len(fs_all) == 2
    fs_a = [p for p in fs_all if '"util-linux-extra"' not in open(p).read()]     # A purged it
    assert len(fs_a) == 1
    total = sum(os.path.getsize(p) for p in glob.glob(os.path.join(cache, "*.json")))
    # B composed again under a cap that leaves no room for what only A used: that goes, least recently used
    cap = total - os.path.getsize(fs_a[0]) - os.path.getsize(layer(a_ids[-1]))
    for p in fs_all:
        os.unlink(p)
    conf = tmp_path / "small.conf"
    conf.write_text("[agent]\nstate_dir = %s\n[scan]\ncache_max_size = %d\n" % (layered["state"], cap))
    assert scan(dockward, str(conf), B)[B]["inventory"]["layers_read"] == 0
    left = glob.glob(os.path.join(cache, "*.json"))
    assert sum(os.path.getsize(p) for p in left) <= cap
    assert not os.path.exists(layer(a_ids[-1]))                   # used by A only, the oldest
    assert all(os.path.exists(layer(d)) for d in b_ids)           # just used
    assert len(glob.glob(os.path.join(cache, "fs-*.json"))) == 1  # B's, just written


def test_os_databases_reused_below_layers_that_leave_them_alone(dockward, dockerd, layered):
    conf, cache = layered["conf"], os.path.join(layered["state"], "cache")
    shutil.rmtree(cache)
    assert scan(dockward, conf, MID)[MID]["inventory"]["layers_read"] == 2
    # MID's own layer holds no OS database: its OS part is keyed by the base layer alone
    os_entry = os.path.join(cache, "os-%s.json" % diff_ids(dockerd, BASE)[0].split(":")[1])
    assert os.path.exists(os_entry) and len(glob.glob(os.path.join(cache, "os-*.json"))) == 1
    c = scan(dockward, conf, C)[C]
    assert c["inventory"]["layers_read"] == 1
    assert len(glob.glob(os.path.join(cache, "os-*.json"))) == 1      # reused, not read again
    full = scan(dockward, conf, "--no-cache", C)[C]
    assert c["packages"] == full["packages"] and c["risks"] == full["risks"]
    assert ("npm", "c-pkg", "3.1.4") in names(c) and ("PyPI", "keepme", "1.0") in names(c)
    # and it is that entry that C's OS packages come from
    with open(os_entry) as f:
        doc = json.load(f)
    for p in doc["packages"]:
        if p[1] == "libc6":
            p[2] = "9:9.9-marker"
    with open(os_entry, "w") as f:
        json.dump(doc, f)
    for p in glob.glob(os.path.join(cache, "fs-*.json")):
        os.unlink(p)
    c = scan(dockward, conf, C)[C]
    assert [p["version"] for p in c["packages"] if p["name"] == "libc6"] == ["9:9.9-marker"]
