"""conftest.py: fixtures shared by the integration tests: a private dockerd, test images, the dockward binary."""
import json
import os
import shutil
import subprocess
import tempfile

import pytest

from dockerd import Dockerd, import_rootfs, make_busybox_rootfs

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.environ.get("DOCKWARD_BIN", os.path.join(ROOT, "build", "dockward"))

# Tests never read the machine's /etc/dockward/dockward.conf nor write its
# /var/lib/dockward: a configuration of their own with a private state dir.
_STATE = tempfile.mkdtemp(prefix="dwstate")
TEST_CONF = os.path.join(_STATE, "dockward.conf")
with open(TEST_CONF, "w") as _f:
    _f.write("[agent]\nstate_dir = %s\n" % _STATE)


@pytest.fixture(scope="session", autouse=True)
def _private_state():
    yield
    shutil.rmtree(_STATE, ignore_errors=True)


@pytest.fixture(scope="session")
def dockerd():
    d = Dockerd()
    try:
        d.start()
        yield d
    finally:
        d.stop()


@pytest.fixture(scope="session")
def busybox_image(dockerd):
    tmp = tempfile.mkdtemp(prefix="dwroot")
    try:
        make_busybox_rootfs(os.path.join(tmp, "root"))
        import_rootfs(dockerd, os.path.join(tmp, "root"), "dwtest/busybox:1", changes=['CMD ["/bin/sh"]'])
    finally:
        shutil.rmtree(tmp)
    return "dwtest/busybox:1"


@pytest.fixture
def clean_daemon(dockerd):
    """Each test that counts containers starts from none."""
    dockerd.remove_all_containers()
    yield dockerd
    dockerd.remove_all_containers()


class Result:
    def __init__(self, proc):
        self.rc = proc.returncode
        self.out = proc.stdout.decode(errors="replace")
        self.err = proc.stderr.decode(errors="replace")

    def json(self):
        return json.loads(self.out)


def run_dockward(*args, env=None, docker_host=None, input=None, timeout=120):
    cmd = [BIN]
    if docker_host:
        cmd += ["--docker-host", docker_host]
    e = dict(os.environ)
    e.pop("DOCKER_HOST", None)
    e["DOCKWARD_CONFIG"] = TEST_CONF
    if env:
        e.update(env)
    p = subprocess.run(cmd + list(args), env=e, capture_output=True, input=input, timeout=timeout)
    return Result(p)


@pytest.fixture
def dockward(dockerd):
    """dockward already pointed at the test engine."""
    def run(*args, **kw):
        kw.setdefault("docker_host", dockerd.host)
        return run_dockward(*args, **kw)
    return run
