"""test_packages.py: the deb and rpm packages: build, install, run as the timer would, upgrade, purge."""
import json
import os
import re
import shlex
import shutil
import stat
import subprocess
import tempfile

import pytest

from conftest import ROOT

B = "build/pkgtest"


def sh(*args, check=True, **kw):
    p = subprocess.run(list(args), capture_output=True, text=True, **kw)
    if check and p.returncode != 0:
        raise AssertionError("%s failed (%d):\n%s\n%s" % (" ".join(args), p.returncode, p.stdout[-3000:], p.stderr[-3000:]))
    return p


def installed():
    p = sh("dpkg-query", "-W", "-f=${Status}", "dockward", check=False)
    return p.returncode == 0 and "installed" in p.stdout and "not-installed" not in p.stdout


pytestmark = pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("dpkg-buildpackage"),
                                reason="needs root and dpkg-buildpackage (CI)")


def build(revision):
    sh("make", "-C", ROOT, "B=" + B, "DEB_REVISION=%d" % revision, "deb", "rpm")
    deb = os.path.join(ROOT, B, "dockward_0.1.0-%d_amd64.deb" % revision)
    rpm = os.path.join(ROOT, B, "dockward-0.1.0-%d.x86_64.rpm" % revision)
    assert os.path.exists(deb) and os.path.exists(rpm)
    return deb, rpm


@pytest.fixture(scope="module")
def packages():
    if installed():
        pytest.skip("a dockward package is already installed on this machine; not touching it")
    shutil.rmtree(os.path.join(ROOT, B), ignore_errors=True)
    first = build(1)
    # a second build with a higher revision, for the upgrade
    keep = tempfile.mkdtemp(prefix="dwpkg")
    deb1 = shutil.copy(first[0], keep)           # same file names: the linters check them
    rpm1 = shutil.copy(first[1], keep)
    second = build(2)
    yield {"deb1": deb1, "rpm1": rpm1, "deb2": second[0], "rpm2": second[1]}
    if installed():
        sh("dpkg", "--purge", "dockward", check=False)
    shutil.rmtree(keep)


def exec_starts(unit):
    text = open(os.path.join(ROOT, "packaging", "systemd", unit)).read()
    return [shlex.split(m) for m in re.findall(r"^ExecStart=(.*)$", text, re.M)]


def run_as_timer(env):
    """Every ExecStart line of the one-shot unit, in order, as systemd runs them."""
    for cmd in exec_starts("dockward-audit.service"):
        assert cmd[0] == "/usr/sbin/dockward"
        p = sh(*cmd, env=env, check=False)
        assert p.returncode in (0, 1), (cmd, p.stderr)    # 1 = findings, as SuccessExitStatus says


def test_lintian_is_clean(packages):
    p = sh("lintian", "--fail-on", "error,warning", "--suppress-tags", "initial-upload-closes-no-bugs",
           packages["deb1"], check=False)
    assert p.returncode == 0, p.stdout + p.stderr


def test_rpmlint_is_clean(packages):
    p = sh("rpmlint", "-r", os.path.join(ROOT, "packaging", "rpm", "dockward.rpmlintrc"), packages["rpm1"],
           check=False)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "0 errors, 0 warnings" in p.stdout


def test_unit_files_verify():
    if not shutil.which("systemd-analyze"):
        pytest.skip("no systemd-analyze")
    units = [os.path.join(ROOT, "packaging", "systemd", u)
             for u in ("dockward.service", "dockward-audit.service", "dockward-audit.timer")]
    # --man=no: the man pages are not installed on the build host
    p = sh("systemd-analyze", "verify", "--man=no", *units, check=False)
    # verify also complains about the binary path not existing on a build host; nothing else may be reported
    problems = [line for line in (p.stdout + p.stderr).splitlines()
                if line.strip() and "/usr/sbin/dockward" not in line and "is not executable" not in line]
    assert problems == [], problems


def test_deb_install_run_upgrade_purge(packages, dockerd, tmp_path):
    sh("dpkg", "-i", packages["deb1"], env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
    # files, owners and modes
    assert os.access("/usr/sbin/dockward", os.X_OK)
    conf = os.stat("/etc/dockward/dockward.conf")
    assert stat.S_IMODE(conf.st_mode) == 0o640
    assert sh("stat", "-c", "%U:%G", "/etc/dockward/dockward.conf").stdout.strip() == "root:dockward"
    assert sh("stat", "-c", "%U:%G %a", "/var/lib/dockward/spool").stdout.strip() == "dockward:dockward 750"
    assert sh("stat", "-c", "%U:%G %a", "/var/lib/dockward").stdout.strip() == "root:dockward 750"
    for f in ("/lib/systemd/system/dockward.service", "/lib/systemd/system/dockward-audit.service",
              "/lib/systemd/system/dockward-audit.timer", "/etc/cron.d/dockward",
              "/usr/share/man/man8/dockward.8.gz", "/usr/share/man/man5/dockward.conf.5.gz"):
        assert os.path.exists(f), f
    conffiles = sh("dpkg-query", "-W", "-f=${Conffiles}", "dockward").stdout
    assert "/etc/dockward/dockward.conf" in conffiles and "/etc/cron.d/dockward" in conffiles
    assert sh("getent", "passwd", "dockward").stdout.split(":")[6].strip() in ("/usr/sbin/nologin", "/bin/false")

    # point the installed agent at the test engine, as an operator would: a local change to the conffile
    with open("/etc/dockward/dockward.conf", "a") as f:
        f.write("\n[docker]\nhost = %s\n" % dockerd.host)
    env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin"}
    run_as_timer(env)
    report = json.load(open("/var/lib/dockward/audit-last.json"))
    assert len(report["rules"]) >= 117                # the installed rules in /usr/share/dockward/rules

    # state left by the run must survive an upgrade
    with open("/var/lib/dockward/spool/marker", "w") as f:
        f.write("kept")
    sh("dpkg", "-i", "--force-confold", packages["deb2"], env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
    assert sh("dpkg-query", "-W", "-f=${Version}", "dockward").stdout == "0.1.0-2"
    assert "host = %s" % dockerd.host in open("/etc/dockward/dockward.conf").read()
    assert open("/var/lib/dockward/spool/marker").read() == "kept"
    run_as_timer(env)

    sh("dpkg", "--purge", "dockward")
    for gone in ("/usr/sbin/dockward", "/etc/dockward", "/var/lib/dockward", "/etc/cron.d/dockward",
                 "/lib/systemd/system/dockward.service"):
        assert not os.path.exists(gone), gone


def test_rpm_metadata_and_scratch_root_install(packages, tmp_path):
    rpm = packages["rpm1"]
    files = sh("rpm", "-qlp", rpm).stdout.split()
    for f in ("/usr/sbin/dockward", "/etc/dockward/dockward.conf", "/etc/cron.d/dockward",
              "/usr/lib/systemd/system/dockward.service", "/usr/lib/systemd/system/dockward-audit.timer",
              "/usr/share/man/man8/dockward.8.gz", "/var/lib/dockward/spool"):
        assert f in files, f
    scripts = sh("rpm", "-qp", "--scripts", rpm).stdout
    assert "useradd -r -g dockward" in scripts
    assert "/run/systemd/system" in scripts          # nothing fails where systemd is not running
    requires = sh("rpm", "-qp", "--requires", rpm).stdout
    assert "libcurl.so.4()(64bit)" in requires and "libyajl.so.2()(64bit)" in requires
    configs = sh("rpm", "-qcp", rpm).stdout.split()
    assert "/etc/dockward/dockward.conf" in configs

    root = tmp_path / "root"
    root.mkdir()
    sh("rpm", "-i", "--root", str(root), "--nodeps", "--noscripts", rpm)
    for f in files:
        assert os.path.lexists(str(root) + f), f
    assert stat.S_IMODE(os.stat(str(root) + "/etc/dockward/dockward.conf").st_mode) == 0o640
