"""test_audit_execs.py: rules 5.23 (docker exec --privileged) and 5.24 (docker exec as root) from the exec instances running now and the docker CLI's exec commands in the host's audit log (a fabricated host tree)."""
import json
import os

import pytest

from conftest import ROOT

RULES = os.path.join(ROOT, "rules")
PRIV = ('type=EXECVE msg=audit(1733190000.123:77): argc=6 a0="docker" a1="exec" a2="--privileged" a3="-it" '
        'a4="dwexec-busy" a5="sh"\n')
GONE = ('type=EXECVE msg=audit(1733190100.000:78): argc=5 a0="/usr/bin/docker" a1="container" a2="exec" '
        'a3="--privileged" a4="old-one" a5=7368202D63206964\n')
PLAIN = 'type=EXECVE msg=audit(1733100000.000:70): argc=4 a0="docker" a1="exec" a2="dwexec-quiet" a3="true"\n'
NOISE = ('type=SYSCALL msg=audit(1733190000.123:77): arch=c000003e syscall=59 success=yes exit=0 comm="docker"\n'
         'type=EXECVE msg=audit(1733190000.200:79): argc=3 a0="ls" a1="exec" a2="x"\n')


@pytest.fixture
def execd(clean_daemon, busybox_image):
    d = clean_daemon
    cid = d.docker("run", "-d", "--name", "dwexec-busy", busybox_image, "sleep", "1000").strip()
    d.docker("run", "-d", "--name", "dwexec-quiet", busybox_image, "sleep", "1000")
    d.docker("exec", "-d", "-u", "0", "dwexec-busy", "sleep", "60")
    d.docker("exec", "-d", "dwexec-quiet", "sleep", "60")
    return cid


def host(tmp_path, log=None, rules=None, cli=True, conf=None):
    root = tmp_path / "host"
    root.mkdir()
    if cli:
        (root / "usr" / "bin").mkdir(parents=True)
        (root / "usr" / "bin" / "docker").write_bytes(b"\x7fELF")
    if rules is not None:
        (root / "etc" / "audit" / "rules.d").mkdir(parents=True)
        (root / "etc" / "audit" / "rules.d" / "docker.rules").write_text(rules)
    if conf is not None:
        (root / "etc" / "audit").mkdir(parents=True, exist_ok=True)
        (root / "etc" / "audit" / "auditd.conf").write_text(conf)
    for path, text in (log or {}).items():
        p = root / path.lstrip("/")
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    return root


def audit(dockward, root, *args):
    r = dockward("audit", "--rules", RULES, "--host-root", str(root), "-c", "5.23,5.24", "--containers", "dwexec-*",
                 "-f", "json", *args)
    assert r.rc in (0, 1), r.err
    rules = {x["id"]: x for x in r.json()["rules"]}
    return rules["5.23"], rules["5.24"]


def items(rule, key):
    return sorted((e["kind"], e["name"], e["detail"]) for e in rule[key])


def test_running_exec_as_root_and_no_record_of_past_execs(dockward, execd, dockerd, tmp_path):
    ids = json.loads(dockerd.docker("inspect", "dwexec-busy"))[0]["ExecIDs"]
    assert len(ids) == 1
    priv, root = audit(dockward, host(tmp_path, cli=False))
    # nothing privileged runs now, and past execs are unknown: not a pass
    assert priv["verdict"] == "not-evaluated" and priv["assessment"] == "automated"
    assert priv["reason"] == ("none of the 2 running exec instances uses --privileged, but past execs are not on "
                              "record: no docker CLI was found on the host (/usr/bin, /usr/local/bin, /bin, /snap/bin)")
    # 5.24 is manual in 1.6.0: the running `exec -u 0` is for review
    assert root["verdict"] == "manual" and root["reason"].startswith("for review: 1 docker exec used --user root")
    assert ("container", "dwexec-busy", "running exec %s (sleep) runs as 0" % ids[0][:12]) in items(root, "evidence")


def test_audit_log_records_privileged_execs(dockward, execd, tmp_path):
    rules = "-w /usr/bin/docker -p x -k docker\n"
    root = host(tmp_path, rules=rules, conf="log_file = /var/log/audit/a.log\nnum_logs = 5\n",
                log={"/var/log/audit/a.log": NOISE + PRIV, "/var/log/audit/a.log.1": PLAIN + GONE,
                     "/var/log/audit/audit.log": PRIV})
    priv, _ = audit(dockward, root)
    assert priv["verdict"] == "fail"
    assert priv["reason"] == "2 docker execs used --privileged (0 running now, 2 in the host audit log)"
    assert items(priv, "offenders") == [
        ("container", "dwexec-busy", "docker exec --privileged -it dwexec-busy sh (host audit log, "
         "2024-12-03T01:40:00Z)"),
        ("exec", "old-one", "/usr/bin/docker container exec --privileged old-one sh -c id (host audit log, "
         "2024-12-03T01:41:40Z; the container is gone)")]
    assert ("file", "/var/log/audit/a.log", "3 docker exec commands since 2024-12-02T00:40:00Z in 2 files") in \
        items(priv, "evidence")
    # a container filter keeps another container's records, and a gone one's, out: the log covers the CLI
    priv, _ = audit(dockward, root, "--containers", "dwexec-quiet")
    assert priv["verdict"] == "pass" and not priv["offenders"]
    assert priv["reason"].startswith("no docker exec used --privileged: 1 running exec instance, 3 docker exec "
                                     "commands in the host audit log since 2024-12-02T00:40:00Z;")


def test_log_without_a_rule_on_the_cli_is_not_evaluated(dockward, execd, tmp_path):
    # a watch on writes only does not record runs; an execve syscall rule does
    root = host(tmp_path, rules="-w /usr/bin/docker -p wa -k docker\n", log={"/var/log/audit/audit.log": PLAIN})
    priv, _ = audit(dockward, root)
    assert priv["verdict"] == "not-evaluated"
    assert priv["reason"].endswith("no audit rule records the docker CLI's runs (/usr/bin/docker is not watched "
                                   "for execution and no rule audits execve)")
    (root / "etc" / "audit" / "rules.d" / "docker.rules").write_text(
        "-a always,exit -F arch=b64 -S execve -k exec\n")
    priv, _ = audit(dockward, root)
    assert priv["verdict"] == "pass"
    # no log at all
    os.unlink(root / "var" / "log" / "audit" / "audit.log")
    priv, _ = audit(dockward, root)
    assert priv["verdict"] == "not-evaluated" and priv["reason"].endswith(
        "there is no host audit log at /var/log/audit/audit.log")
