"""test_audit_host.py: the host rules of `dockward audit` (1.1.x partition, docker group, audit coverage; 3.x file
owners and modes; the daemon's own configuration): on a fabricated host tree through --host-root, each rule failing
with its offenders and then passing, and live against a private dockerd started with flags and a --config-file."""
import json
import os
import shutil

import pytest

from conftest import ROOT, run_dockward
from dockerd import Dockerd

RULES = os.path.join(ROOT, "rules")
FIXTURE = os.path.join(ROOT, "tests", "fixtures", "host")


def audit(d, *args, env=None):
    r = run_dockward("audit", "--rules", RULES, "-f", "json", *args, docker_host=d.host, env=env)
    assert r.rc in (0, 1), r.err
    doc = r.json()
    return {x["id"]: x for x in doc["rules"]}


def offenders(rule):
    return sorted(o["id"] for o in rule.get("offenders", []))


@pytest.fixture
def host(tmp_path, dockerd):
    """The fixture tree with the modes, owners, symlinks and /proc entries git does not keep (the "bad" state)."""
    root = tmp_path / "host"
    shutil.copytree(FIXTURE, root, symlinks=True)
    for dirpath, dirs, files in os.walk(root):
        for n in dirs:
            os.chmod(os.path.join(dirpath, n), 0o755)
        for n in files:
            os.chmod(os.path.join(dirpath, n), 0o644)
        for n in dirs + files:
            os.lchown(os.path.join(dirpath, n), 0, 0)
    p = lambda rel: str(root / rel)
    os.chmod(p("etc/docker/daemon.json"), 0o664)           # group-writable: 664 < 644 is false, bit-wise it fails
    os.chown(p("etc/docker/daemon.json"), 1000, 0)          # alice
    os.chmod(p("etc/docker/certs.d/registry.example:5000/ca.crt"), 0o444)
    os.chmod(p("etc/docker/tls/ca.pem"), 0o444)
    os.chmod(p("etc/docker/tls/cert.pem"), 0o444)
    os.chmod(p("etc/docker/tls/key.pem"), 0o600)
    os.chmod(p("var/run/docker.sock"), 0o660)
    os.chown(p("var/run/docker.sock"), 0, 999)
    os.chmod(p("lib/systemd/system/docker.socket.real"), 0o664)
    os.symlink("/lib/systemd/system/docker.socket.real", p("etc/systemd/system/docker.socket"))
    os.makedirs(p("proc/4242"))
    os.makedirs(p("proc/1"))
    with open(p("proc/4242/comm"), "w") as f:
        f.write("dockerd\n")
    argv = ["/usr/bin/dockerd", "-H", "unix:///var/run/docker.sock", "--data-root", dockerd.dir + "/data",
            "--tlsverify", "--tlscacert", "/etc/docker/tls/ca.pem", "--tlscert=/etc/docker/tls/cert.pem",
            "--tlskey", "/etc/docker/tls/key.pem", "--icc=false"]
    with open(p("proc/4242/cmdline"), "wb") as f:
        f.write(b"\0".join(a.encode() for a in argv) + b"\0")
    os.symlink("/usr/bin/dockerd", p("proc/4242/exe"))
    # started by systemd: the unit, its drop-ins and DOCKER_OPTS configure it
    with open(p("proc/4242/cgroup"), "w") as f:
        f.write("12:pids:/system.slice/docker.service\n1:name=systemd:/system.slice/docker.service\n")
    data = dockerd.dir + "/data"
    mountinfo = "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n" \
                "40 22 8:1 /srv/docker %s rw,relatime shared:2 - ext4 /dev/sda1 rw\n" % data
    with open(p("proc/1/mountinfo"), "w") as f:
        f.write(mountinfo)
    return root


def test_host_tree_failing(dockerd, host):
    rules = audit(dockerd, "--host-root", str(host), "-c", "1.1,2.2,2.3,2.5,2.6,2.9,2.10,2.18,3")
    v = {k: r["verdict"] for k, r in rules.items()}
    # daemon options: the command line beats daemon.json (icc), daemon.json beats systemd and DOCKER_OPTS
    assert v["2.2"] == "pass"
    assert v["2.3"] == "fail" and "debug" in rules["2.3"]["offenders"][0]["detail"]
    assert "daemon.json" in rules["2.3"]["offenders"][0]["detail"]
    assert v["2.5"] == "fail" and "registry.example:5000" in rules["2.5"]["offenders"][0]["detail"]
    assert v["2.9"] == "pass"                       # userns-remap from the systemd drop-in
    # drop-ins in name order across unit directories, /etc hiding /lib's file of the same name
    assert v["2.6"] == "pass" and v["2.18"] == "pass", (rules["2.6"], rules["2.18"])
    assert v["2.10"] == "fail" and "/fixture.slice" in rules["2.10"]["offenders"][0]["detail"]
    # 1.1.1: a bind mount is not a partition
    assert v["1.1.1"] == "fail" and "bind mount" in rules["1.1.1"]["offenders"][0]["detail"]
    # 1.1.2: the default allow-list is root: listed members and a primary-group member fail
    assert v["1.1.2"] == "fail" and offenders(rules["1.1.2"]) == ["alice", "bob", "carol"]
    # audit coverage: wrong paths and prefixes do not count; ancestors and audit.rules do
    assert v["1.1.3"] == "fail" and offenders(rules["1.1.3"]) == ["/usr/bin/dockerd"]
    assert "running process 4242" in rules["1.1.3"]["offenders"][0]["detail"]
    assert v["1.1.6"] == "fail" and offenders(rules["1.1.6"]) == ["/etc/docker"]
    assert v["1.1.10"] == "fail"                    # a "never" rule watches nothing
    assert v["1.1.14"] == "fail" and "not running: found in /usr/bin" in rules["1.1.14"]["offenders"][0]["detail"]
    assert v["1.1.17"] == "not-applicable"          # no shim v2 on this host
    assert v["1.1.18"] == "not-applicable"          # no runc anywhere
    assert v["1.1.13"] == "not-applicable"          # no /etc/sysconfig/docker
    # files: owners by the host's names, modes bit by bit, symlink targets
    assert v["3.1"] == "pass" and v["3.2"] == "pass", (rules["3.1"], rules["3.2"])
    assert v["3.4"] == "fail" and "symlink to /lib/systemd/system/docker.socket.real" in \
        rules["3.4"]["offenders"][0]["detail"]
    assert v["3.8"] == "fail" and offenders(rules["3.8"]) == ["/etc/docker/certs.d/registry.example:5000/client.key"]
    assert v["3.7"] == "pass"
    assert v["3.10"] == "pass" and v["3.12"] == "pass"
    assert v["3.14"] == "fail" and "owner write" in rules["3.14"]["offenders"][0]["detail"]
    assert v["3.15"] == "pass" and v["3.16"] == "pass"
    assert v["3.17"] == "fail" and "owned by alice:root" in rules["3.17"]["offenders"][0]["detail"]
    assert v["3.18"] == "fail" and "group write" in rules["3.18"]["offenders"][0]["detail"]
    assert v["3.19"] == "pass" and v["3.20"] == "pass"
    assert v["3.21"] == "not-applicable" and v["3.22"] == "not-applicable"
    assert v["3.23"] == "pass"
    assert v["3.24"] == "fail" and "other read" in rules["3.24"]["offenders"][0]["detail"]


def test_host_tree_fixed(dockerd, host, tmp_path):
    p = lambda rel: str(host / rel)
    os.chmod(p("etc/docker/daemon.json"), 0o640)
    os.chown(p("etc/docker/daemon.json"), 0, 0)
    os.chmod(p("etc/docker/certs.d/registry.example:5000/client.key"), 0o400)
    os.chmod(p("etc/docker/tls/key.pem"), 0o400)
    os.chmod(p("lib/systemd/system/docker.socket.real"), 0o644)
    os.chmod(p("run/containerd/containerd.sock"), 0o600)
    data = dockerd.dir + "/data"
    with open(p("proc/1/mountinfo"), "w") as f:
        f.write("22 1 8:1 / / rw - ext4 /dev/sda1 rw\n40 22 253:3 / %s rw - xfs /dev/mapper/vg-docker rw\n" % data)
    with open(p("etc/audit/rules.d/docker.rules"), "a") as f:
        f.write("-w /usr/bin/dockerd -p rwxa -k docker\n-w /etc/docker -p wa -k docker\n"
                "-a always,exit -F path=/usr/bin/containerd -F perm=x -k docker\n-w /etc/default/ -p wa\n")
    conf = tmp_path / "dockward.conf"
    conf.write_text("[audit]\ntrusted_users = alice, bob, carol\n")
    rules = audit(dockerd, "--host-root", str(host), "-c", "1.1,3", env={"DOCKWARD_CONFIG": str(conf)})
    v = {k: r["verdict"] for k, r in rules.items()}
    assert v["1.1.1"] == "pass"
    assert v["1.1.2"] == "pass"
    for rid in ("1.1.3", "1.1.6", "1.1.10", "1.1.11", "1.1.14"):
        assert v[rid] == "pass", (rid, rules[rid])
    assert "/etc/audit/rules.d/docker.rules" in rules["1.1.3"]["reason"]
    for rid in ("3.4", "3.8", "3.14", "3.17", "3.18", "3.24"):
        assert v[rid] == "pass", (rid, rules[rid])


def test_live_daemon_flags(tmp_path):
    cfg = tmp_path / "daemon.json"
    cfg.write_text(json.dumps({"log-level": "warn", "default-ulimits": {"nofile": {"Name": "nofile", "Soft": 1024,
                                                                                 "Hard": 2048}}}))
    d = Dockerd()
    # dockerd.py already runs it with --iptables=false (so --icc=false is refused)
    d.start(extra_args=("--live-restore", "--no-new-privileges", "--userland-proxy=false",
                        "--config-file", str(cfg)), tls=False)
    try:
        rules = audit(d, "-c", "2.3,2.4,2.8,2.14,2.15,2.16,3.16,3.24")
        v = {k: r["verdict"] for k, r in rules.items()}
        assert v["2.4"] == "fail" and "dockerd command line (pid %d)" % d.proc.pid in \
            rules["2.4"]["offenders"][0]["detail"]
        assert "command line" in rules["2.16"]["evidence"][0]["detail"]
        assert v["2.14"] == "pass" and v["2.15"] == "pass" and v["2.16"] == "pass"
        assert v["2.3"] == "fail" and str(cfg) in rules["2.3"]["offenders"][0]["detail"]
        assert "nofile=1024:2048" in rules["2.8"]["evidence"][0]["detail"]
        # the daemon's own socket, found from its -H
        ids = [o["id"] for o in rules["3.16"].get("offenders", []) + rules["3.16"].get("evidence", [])]
        assert d.sock in ids
        # started by hand, not by systemd: the machine's docker.service does not configure it, and the
        # containerd it started under its exec root is the one checked
        socks = [o["id"] for o in rules["3.24"].get("offenders", []) + rules["3.24"].get("evidence", [])]
        assert socks == [os.path.join(d.dir, "exec", "containerd", "containerd.sock")]
    finally:
        d.stop()


PROCESS_RULES = """[ruleset]
name = process test
benchmarks = 1.6.0

[9.1]
title = no sleep in containers
section = 9 Test
level = 1
assessment = automated
severity = low
scope = container
check = container_process
check.names = sleep
"""


def test_container_processes_from_cgroup(dockerd, busybox_image, tmp_path):
    """container_process reads the processes of each running container's cgroup from /proc (no exec)."""
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "t.ini").write_text(PROCESS_RULES)
    dockerd.docker("run", "-d", "--name", "dwhost-sleeper", busybox_image, "sh", "-c", "sleep 300 & wait")
    dockerd.docker("run", "-d", "--name", "dwhost-waiter", busybox_image, "nc", "-l", "-p", "9999")
    try:
        r = run_dockward("audit", "--rules", str(tmp_path / "rules"), "-f", "json", "--containers", "dwhost-*",
                         docker_host=dockerd.host)
        rule = r.json()["rules"][0]
        assert rule["verdict"] == "fail", rule
        assert [o["name"] for o in rule["offenders"]] == ["dwhost-sleeper"]
        detail = rule["offenders"][0]["detail"]
        assert detail.startswith("runs sleep (pid ") and "from cgroup /sys/fs/cgroup/" in detail
    finally:
        dockerd.docker("rm", "-f", "dwhost-sleeper", "dwhost-waiter", check=False)


def _audit_rule(op, path, key):
    """Adds (op 1011) or deletes (1012) the kernel audit rule -w PATH -p a -k KEY over NETLINK_AUDIT."""
    import socket
    import struct
    watch, perm, filterkey, equal = 105, 106, 210, 0x40000000
    fields = [watch, perm, filterkey] + [0] * 61
    values = [len(path), 8, len(key)] + [0] * 61                # 8: AUDIT_PERM_ATTR
    flags = [equal] * 3 + [0] * 61
    buf = path.encode() + key.encode()
    body = struct.pack("=3I", 4, 2, 3) + struct.pack("=64I", *([0xffffffff] * 64)) + \
        struct.pack("=64I", *fields) + struct.pack("=64I", *values) + struct.pack("=64I", *flags) + \
        struct.pack("=I", len(buf)) + buf
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 9)
    try:
        s.settimeout(2)
        s.sendto(struct.pack("=IHHII", 16 + len(body), op, 1 | 4, 1, 0) + body, (0, 0))
        reply = s.recv(65536)
        err = struct.unpack("=i", reply[16:20])[0]
        return err
    finally:
        s.close()


def test_kernel_audit_rules(dockerd, host):
    """With auditd running, the kernel's loaded rules (AUDIT_LIST_RULES) are the source, not the files."""
    os.makedirs(str(host / "proc" / "777"))
    (host / "proc" / "777" / "comm").write_text("auditd\n")
    os.makedirs(str(host) + dockerd.dir + "/data")          # the data root, as the tree's host has it
    key = "dwtest%d" % os.getpid()
    if _audit_rule(1011, dockerd.dir, key) != 0:
        pytest.skip("cannot load a kernel audit rule here")
    try:
        rules = audit(dockerd, "--host-root", str(host), "-c", "1.1.3,1.1.5")
    finally:
        assert _audit_rule(1012, dockerd.dir, key) == 0
    assert rules["1.1.5"]["verdict"] == "pass", rules["1.1.5"]
    assert "kernel audit rules" in rules["1.1.5"]["reason"]
    assert "-k %s (kernel)" % key in rules["1.1.5"]["evidence"][0]["detail"]
    # the rules files of the tree no longer count: -w /usr/bin/dockerd-ce never did, and nothing else is loaded
    assert rules["1.1.3"]["verdict"] == "fail"
