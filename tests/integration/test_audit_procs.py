"""test_audit_procs.py: rule 5.7 (container_process) sees an sshd from the host's cgroup reader and, when the host's
/proc cannot be read (a --host-root without it), from the engine's process lists that the audit then asks for:
the same verdict and offender either way."""
import os
import shutil
import subprocess
import tempfile

import pytest

from conftest import ROOT

RULES = os.path.join(ROOT, "rules")
IMAGE = "dwprocs/sshd:1"


@pytest.fixture(scope="module")
def sshd(dockerd, busybox_image):
    d = dockerd
    ctx = tempfile.mkdtemp(prefix="dwprocs")
    try:
        with open(os.path.join(ctx, "sshd.c"), "w") as f:
            f.write("#include <unistd.h>\nint main(void) { for (;;) pause(); }\n")
        subprocess.run(["gcc", "-static", "-O2", "-o", os.path.join(ctx, "sshd"), os.path.join(ctx, "sshd.c")],
                       check=True, capture_output=True)
        with open(os.path.join(ctx, "Dockerfile"), "w") as f:
            f.write('FROM %s\nCOPY sshd /usr/sbin/sshd\nCMD ["/usr/sbin/sshd"]\n' % busybox_image)
        env = d.env()
        env["DOCKER_BUILDKIT"] = "0"
        subprocess.run(["docker", "build", "-q", "-t", IMAGE, ctx], env=env, check=True, capture_output=True)
    finally:
        shutil.rmtree(ctx)
    d.docker("run", "-d", "--name", "dwprocs-sshd", IMAGE)
    d.docker("run", "-d", "--name", "dwprocs-quiet", busybox_image, "sleep", "1000")
    # outside the audited scope: running, but never asked about
    d.docker("run", "-d", "--name", "other-sshd", IMAGE)
    try:
        yield d
    finally:
        d.docker("rm", "-f", "dwprocs-sshd", "dwprocs-quiet", "other-sshd", check=False)
        d.docker("rmi", IMAGE, check=False)


def rule57(dockward, *extra):
    r = dockward("audit", "--rules", RULES, "-f", "json", "-c", "5.7", "--containers", "dwprocs-*", *extra)
    assert r.rc in (0, 1), r.err
    (rule,) = [x for x in r.json()["rules"] if x["id"] == "5.7"]
    return rule


def test_sshd_from_the_hosts_proc(sshd, dockward):
    rule = rule57(dockward)
    assert rule["verdict"] == "fail"
    assert [o["name"] for o in rule["offenders"]] == ["dwprocs-sshd"]
    # read from the container's cgroup on this host, not from the engine
    assert "from cgroup" in rule["offenders"][0]["detail"]


def test_sshd_from_the_engine_without_the_hosts_proc(sshd, dockward):
    empty = tempfile.mkdtemp(prefix="dwnoproc")
    try:
        rule = rule57(dockward, "--host-root", empty)
    finally:
        shutil.rmtree(empty)
    assert rule["verdict"] == "fail"
    assert [o["name"] for o in rule["offenders"]] == ["dwprocs-sshd"]
    # the engine's process list (/containers/ID/top): its command line, no cgroup
    assert rule["offenders"][0]["detail"] == "runs /usr/sbin/sshd"
