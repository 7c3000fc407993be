"""test_pkgdb_image.py: the package inventory of a real image of the private engine: OS packages, Python, npm, Java and a Go binary built here, across layers with deletions."""
import os
import shutil
import subprocess
import tempfile

import pytest

from conftest import ROOT

TREE = os.path.join(ROOT, "tests", "fixtures", "pkgdb", "tree")
IMAGE = "dwtest/pkgdb:1"


def go_binary(out):
    """example.com/hello, which needs example.com/greet v1.2.3 replaced by a local directory."""
    src = tempfile.mkdtemp(prefix="dwgo")
    try:
        files = {
            "greet/go.mod": "module example.com/greet\n\ngo 1.19\n",
            "greet/greet.go": "package greet\n\nfunc Hello() string { return \"hello\" }\n",
            "hello/go.mod": "module example.com/hello\n\ngo 1.19\n\nrequire example.com/greet v1.2.3\n\n"
                            "replace example.com/greet => ../greet\n",
            "hello/main.go": "package main\n\nimport (\n\t\"fmt\"\n\n\t\"example.com/greet\"\n)\n\n"
                             "func main() { fmt.Println(greet.Hello()) }\n",
        }
        for name, text in files.items():
            os.makedirs(os.path.join(src, os.path.dirname(name)), exist_ok=True)
            with open(os.path.join(src, name), "w") as f:
                f.write(text)
        env = dict(os.environ, GOPROXY="off", GOFLAGS="-mod=mod", GOTOOLCHAIN="local",
                   GOPATH=os.path.join(src, "gopath"), HOME=os.environ.get("HOME", "/tmp"))
        subprocess.run(["go", "build", "-o", out, "."], cwd=os.path.join(src, "hello"), env=env, check=True,
                       capture_output=True)
        out_go = subprocess.run(["go", "env", "GOVERSION"], env=env, check=True, capture_output=True, text=True)
        return "v" + out_go.stdout.strip()[2:]
    finally:
        subprocess.run(["chmod", "-R", "u+w", src], check=False)
        shutil.rmtree(src)


@pytest.fixture(scope="module")
def image(dockerd, busybox_image):
    ctx = tempfile.mkdtemp(prefix="dwctx")
    try:
        shutil.copytree(TREE, os.path.join(ctx, "tree"), symlinks=True)
        shutil.rmtree(os.path.join(ctx, "tree", "proc"))  # the engine mounts its own /proc
        goversion = go_binary(os.path.join(ctx, "tree", "usr", "local", "bin", "hello"))
        with open(os.path.join(ctx, "Dockerfile"), "w") as f:
            f.write("FROM %s\n"
                    "COPY tree/ /\n"
                    # a later layer deletes a nested npm package and a jar, and adds a Python package
                    "RUN rm -r /app/node_modules/express/node_modules/debug /opt/java/log4j-core-2.14.1.jar && "
                    "mkdir -p /usr/local/lib/python3.11/site-packages/six-1.16.0.dist-info && "
                    "printf 'Metadata-Version: 2.1\\nName: six\\nVersion: 1.16.0\\n' "
                    ">/usr/local/lib/python3.11/site-packages/six-1.16.0.dist-info/METADATA\n" % busybox_image)
        e = dockerd.env()
        e["DOCKER_BUILDKIT"] = "0"
        subprocess.run(["docker", "build", "-q", "--network", "none", "-t", IMAGE, ctx], env=e, check=True,
                       capture_output=True)
    finally:
        shutil.rmtree(ctx)
    state = tempfile.mkdtemp(prefix="dwstate")
    conf = os.path.join(state, "dockward.conf")
    with open(conf, "w") as f:
        f.write("[agent]\nstate_dir = %s\n" % state)
    yield {"conf": conf, "goversion": goversion}
    shutil.rmtree(state)


def test_inventory_across_layers(dockward, image):
    r = dockward("-c", image["conf"], "scan", "--no-cache", "-f", "json", IMAGE)
    assert r.rc in (0, 1), r.err
    img = [i for i in r.json()["images"] if IMAGE in i["tags"]][0]
    assert img["status"] == "scanned", img
    assert img["ecosystem"] == "Debian:12"
    assert img["inventory"]["complete"] is True
    got = sorted((p["ecosystem"], p["name"], p["version"], p["origin"]) for p in img["packages"])
    go = image["goversion"]
    assert got == sorted([
        ("Debian:12", "base-files", "12.4+deb12u11", "os"),
        ("Debian:12", "bash", "5.2.15-2+b8", "os"),
        ("Debian:12", "libc6", "2.36-9+deb12u14", "os"),
        ("Debian:12", "python3-yaml", "6.0-3+b2", "os"),
        # PyYAML's dist-info belongs to python3-yaml: not listed as PyPI as well
        ("PyPI", "requests", "2.31.0", "language"),
        ("PyPI", "foo-bar-baz", "0.1.dev0", "language"),
        ("PyPI", "six", "1.16.0", "language"),
        ("npm", "express", "4.18.2", "language"),
        ("npm", "@types/node", "20.10.5", "language"),
        ("Maven", "org.example:demo-app", "1.0.0-SNAPSHOT", "language"),
        ("Maven", "org.apache.commons:commons-lang3", "3.12.0", "language"),
        ("Go", "stdlib", go, "language"),
        ("Go", "example.com/hello", "(devel)", "language"),
        ("Go", "example.com/greet", "v1.2.3", "language"),
    ])
    by_name = {p["name"]: p for p in img["packages"]}
    assert by_name["libc6"]["source_name"] == "glibc"
    assert by_name["libc6"]["purl"] == "pkg:deb/debian/libc6@2.36-9%2Bdeb12u14?arch=amd64&upstream=glibc&distro=debian-12"
    assert by_name["example.com/greet"]["location"] == "/usr/local/bin/hello"
    assert by_name["org.apache.commons:commons-lang3"]["location"] == "/app/app.jar!/BOOT-INF/lib/commons-lang3-3.12.0.jar"
    assert by_name["six"]["purl"] == "pkg:pypi/six@1.16.0"
