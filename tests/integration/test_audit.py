"""test_audit.py: `dockward audit` and `dockward rules` against a real dockerd: each container, image and daemon rule
shown failing (with its offenders) and passing, the report formats, waivers, filters and exit statuses."""
import json
import os
import shutil
import subprocess
import tempfile
import xml.etree.ElementTree as ET

import pytest

from conftest import ROOT, run_dockward
from dockerd import Dockerd

RULES = os.path.join(ROOT, "rules")

# name -> docker create/run arguments (image appended by the fixture where it says IMG)
RISKY = {
    "hostns": ["create", "--network", "host", "--pid", "host", "--ipc", "host", "--uts", "host", "--userns", "host"],
    "caps": ["create", "--cap-add", "NET_ADMIN", "--cap-add", "NET_BIND_SERVICE"],
    # the remediation of 5.4 (drop all, add back what is needed) and a default one added again: not 5.4 offenders
    "capback": ["create", "--cap-drop", "ALL", "--cap-add", "NET_BIND_SERVICE", "--cap-add", "chown"],
    "etcsub": ["create", "-v", "/etc/ssl:/ssl:ro"],
    "sock": ["create", "-v", "/var/run/docker.sock:/var/run/docker.sock"],
    "lib64": ["create", "-v", "/lib64:/l:ro"],
    "shared": ["create", "--mount", "type=bind,source=/tmp,target=/t,bind-propagation=rshared"],
    "ports": ["create", "-p", "80:80", "-p", "[::]:8443:443", "-p", "127.0.0.1:18081:81"],
    "always": ["create", "--restart", "always"],
    "retry10": ["create", "--restart", "on-failure:10"],
    "root00": ["create", "--user", "0:0"],
    "nnpfalse": ["create", "--security-opt", "no-new-privileges=false"],
    "unconfined": ["create", "--security-opt", "seccomp=unconfined"],
    "priv": ["create", "--privileged"],
    "devices": ["create", "--device", "/dev/null:/dev/xnull"],
    "cgparent": ["create", "--cgroup-parent", "/dwtest"],
}
# passes every container rule it can
GOOD = ["run", "-d", "--read-only", "--memory", "64m", "--cpu-shares", "512", "--pids-limit", "64",
        "--security-opt", "no-new-privileges", "--cap-drop", "ALL", "--restart", "on-failure:3",
        "-p", "127.0.0.1:18080:8080", "--health-cmd", "true", "--health-interval", "1s"]


def build(d, tag, dockerfile, files=None):
    ctx = tempfile.mkdtemp(prefix="dwbuild")
    try:
        with open(os.path.join(ctx, "Dockerfile"), "w") as f:
            f.write(dockerfile)
        for name, text in (files or {}).items():
            with open(os.path.join(ctx, name), "w") as f:
                f.write(text)
        env = d.env()
        env["DOCKER_BUILDKIT"] = "0"
        subprocess.run(["docker", "build", "-q", "-t", tag, ctx], env=env, check=True, capture_output=True)
    finally:
        shutil.rmtree(ctx)


@pytest.fixture(scope="module")
def scenario(dockerd, busybox_image):
    d = dockerd
    d.remove_all_containers()
    build(d, "dwaudit/user:1", "FROM %s\nUSER 1000\nHEALTHCHECK CMD true\n" % busybox_image)
    build(d, "dwaudit/hcnone:1", "FROM %s\nHEALTHCHECK NONE\nUSER nobody\n" % busybox_image)
    build(d, "dwaudit/history:1", "FROM %s\nADD f.txt /f.txt\nRUN echo apt-get update\nENV DB_PASSWORD=hunter2x\n"
          % busybox_image,
          {"f.txt": "x\n"})
    ids = {}
    for name, args in RISKY.items():
        image = "dwaudit/user:1" if name == "root00" else busybox_image
        ids[name] = d.docker(*args, "--name", name, image, "sleep", "1000")
    ids["good"] = d.docker(*GOOD, "--name", "good", "--user", "1000", "dwaudit/user:1", "sleep", "1000")
    ids["stopped"] = d.docker("run", "--name", "stopped", "dwaudit/user:1", "true")
    yield d, ids
    d.remove_all_containers()
    for tag in ("dwaudit/user:1", "dwaudit/hcnone:1", "dwaudit/history:1"):
        d.docker("rmi", "-f", tag, check=False)


def audit(dockward, *args):
    r = dockward("audit", "--rules", RULES, "-f", "json", *args)
    assert r.rc in (0, 1), r.err
    doc = r.json()
    return r, doc, {rule["id"]: rule for rule in doc["rules"]}


def offenders(rule, kind="container"):
    return sorted(o["name"] for o in rule["offenders"] if o["kind"] == kind)


def test_container_rules_fail_with_their_offenders(scenario, dockward):
    d, ids = scenario
    r, doc, rules = audit(dockward)
    assert r.rc == 1
    assert doc["scope"]["containers"] == len(ids)
    expect = {
        "5.4": ["caps", "priv"],
        "5.5": ["priv"],                        # created and never started, still reported
        "5.6": ["etcsub"],                      # a sub-path of /etc, read-only: reported
        "5.8": ["ports"],
        "5.10": ["hostns"],
        "5.14": ["ports", "ports"],             # 0.0.0.0:80 and [::]:8443, not 127.0.0.1
        "5.15": ["always", "retry10"],
        "5.16": ["hostns"],
        "5.17": ["hostns"],
        "5.20": ["shared"],
        "5.21": ["hostns"],
        "5.22": ["priv", "unconfined"],         # privileged runs without seccomp too
        "5.25": ["cgparent"],
        "5.31": ["hostns"],
        "5.32": ["shared", "sock"],             # "shared" mounts /tmp, above the test engine's own socket
    }
    for rid, names in expect.items():
        assert rules[rid]["verdict"] == "fail", (rid, rules[rid])
        assert offenders(rules[rid]) == names, rid
    # every container but "good" lacks limits and a read-only root
    for rid in ("5.11", "5.12", "5.13", "5.29"):
        assert offenders(rules[rid]) == sorted(set(ids) - {"good"}), rid
    # no-new-privileges=false is an offender whatever the daemon's default; unset ones are not
    assert "nnpfalse" in offenders(rules["5.26"]) and "good" not in offenders(rules["5.26"])
    ports = [o["detail"] for o in rules["5.14"]["offenders"]]
    assert "publishes *:80->80/tcp" in ports and "publishes [::]:8443->443/tcp" in ports
    # --user 0:0 against an image with USER 1000
    assert "root00" in offenders(rules["4.1"])
    assert rules["5.6"]["offenders"][0]["detail"] == "mounts /etc/ssl at /ssl (read-only)"
    assert rules["5.6"]["offenders"][0]["id"] == ids["etcsub"]
    # 5.27: the one running container has a health check
    assert rules["5.27"]["verdict"] == "pass"
    # manual rules carry their evidence
    assert rules["5.9"]["verdict"] == "manual"
    assert any(e["name"] == "ports" and "127.0.0.1:18081->81/tcp" in e["detail"] for e in rules["5.9"]["evidence"])
    assert [e["name"] for e in rules["5.18"]["evidence"]] == ["devices"]
    assert rules["5.18"]["verdict"] == "manual"
    # the device itself, not "[]"
    assert "PathOnHost=/dev/null" in rules["5.18"]["evidence"][0]["detail"]
    assert "PathInContainer=/dev/xnull" in rules["5.18"]["evidence"][0]["detail"]


def test_benchmark_180_adds_lib64(scenario, dockward):
    _, _, v16 = audit(dockward, "-c", "5.6")
    _, doc, v18 = audit(dockward, "-c", "5.6", "--benchmark", "1.8.0")
    assert offenders(v16["5.6"]) == ["etcsub"]
    assert doc["benchmark"]["version"] == "1.8.0"
    assert v18["5.6"]["verdict"] == "manual"        # 1.8.0 makes 5.6 manual: the evidence stays
    assert sorted(e["name"] for e in v18["5.6"]["evidence"]) == ["etcsub", "lib64"]


def test_image_rules(scenario, dockward):
    _, _, rules = audit(dockward, "-c", "4")
    users = offenders(rules["4.1"], "image")
    assert "dwtest/busybox:1" in users and "dwaudit/user:1" not in users and "dwaudit/hcnone:1" not in users
    hc = {o["name"]: o["detail"] for o in rules["4.6"]["offenders"]}
    assert hc.get("dwaudit/hcnone:1") == "HEALTHCHECK NONE"
    assert hc.get("dwtest/busybox:1") == "no HEALTHCHECK"
    assert "dwaudit/user:1" not in hc
    # manual rules: history findings are evidence
    add = {e["name"]: e["detail"] for e in rules["4.9"]["evidence"]}
    assert add.get("dwaudit/history:1", "").startswith("ADD file:")
    assert "dwtest/busybox:1" not in add                 # the base root file system is not an ADD risk
    upd = {e["name"] for e in rules["4.7"]["evidence"]}
    assert upd == {"dwaudit/history:1"}
    secrets = {e["name"]: e["detail"] for e in rules["4.10"]["evidence"]}
    assert secrets == {"dwaudit/history:1": "ENV DB_PASSWORD holds a secret-looking value (not shown)"}
    assert "hunter2x" not in json.dumps(rules)
    # the image scanner's results (test_audit_scan.py has the failing cases)
    assert rules["4.3"]["verdict"] == "manual"
    assert {"dwaudit/user:1", "dwtest/busybox:1"} <= {e["name"] for e in rules["4.3"]["evidence"]}
    assert rules["4.8"]["verdict"] == "manual" and not rules["4.8"]["offenders"]
    if not os.path.exists("/var/lib/dockward/vulndb"):
        assert rules["4.4"]["verdict"] == "not-evaluated"
        assert "no vulnerability database" in rules["4.4"]["reason"]


def test_rules_pass_for_a_clean_container(scenario, dockward):
    r, doc, rules = audit(dockward, "--containers", "good", "-c", "5")
    assert doc["scope"]["containers"] == 1
    for rid in ("5.4", "5.5", "5.6", "5.8", "5.10", "5.11", "5.12", "5.13", "5.14", "5.15", "5.16", "5.17",
                "5.20", "5.21", "5.22", "5.25", "5.26", "5.27", "5.29", "5.31", "5.32", "5.1"):
        assert rules[rid]["verdict"] == "pass", (rid, rules[rid])
    assert rules["5.2"]["verdict"] == "not-applicable"       # no AppArmor on this kernel
    assert r.rc == 0


def test_swarm_inactive_and_daemon_rules(scenario, dockward):
    _, _, rules = audit(dockward, "-c", "2,5.1,6,7")
    for rid in ("7.%d" % i for i in range(1, 10)):
        assert rules[rid]["verdict"] == "not-applicable" and "swarm" in rules[rid]["reason"]
    assert rules["5.1"]["verdict"] == "pass"
    # the test engine runs with Docker's icc and live-restore defaults, as /info and the bridge show
    assert rules["2.2"]["verdict"] == "fail"
    assert rules["2.2"]["offenders"][0]["detail"] == "icc = true (default bridge network)"
    assert rules["2.15"]["verdict"] == "fail"
    # the engine's own command line is read from /proc: --iptables=false (dockerd.py) comes from it, and
    # userland-proxy keeps Docker's default, which is now evidence
    assert rules["2.4"]["verdict"] == "fail" and "dockerd command line" in rules["2.4"]["offenders"][0]["detail"]
    assert rules["2.16"]["verdict"] == "fail"
    assert rules["6.2"]["verdict"] == "manual" and "created and never started" in rules["6.2"]["reason"]


def test_daemon_options_from_the_command_line(tmp_path):
    """Options on dockerd's command line that the engine's API shows reach the verdicts both ways."""
    d = Dockerd()
    try:
        d.start(extra_args=["--live-restore", "--experimental", "--insecure-registry", "10.1.2.3:5000"])
        r = run_dockward("audit", "--rules", RULES, "-f", "json", "-c", "2.5,2.15,2.18", docker_host=d.host)
        assert r.rc == 1, r.out + r.err
        rules = {x["id"]: x for x in r.json()["rules"]}
        assert rules["2.15"]["verdict"] == "pass"
        assert rules["2.18"]["verdict"] == "fail"
        assert rules["2.5"]["verdict"] == "fail"
        assert rules["2.5"]["offenders"][0]["detail"].startswith(
            "insecure-registries = 10.1.2.3:5000 (dockerd command line (pid ")
    finally:
        d.stop()


def test_waivers_and_fail_on(scenario, dockward, tmp_path):
    w = tmp_path / "waivers.ini"
    w.write_text("[lab-priv]\nrule = 5.5\ncontainer = pri*\nreason = lab host\nexpires = 2099-01-01\n"
                 "[caps]\nrule = 5.4\ncontainer = caps\nreason = needs the network\n"
                 "[old]\nrule = 5.15\nreason = was fine\nexpires = 2020-01-01\n")
    r, doc, rules = audit(dockward, "-c", "5.4,5.5,5.15", "--waivers", str(w))
    assert rules["5.5"]["verdict"] == "waived" and rules["5.5"]["waived"][0]["name"] == "priv"
    assert rules["5.5"]["waived"][0]["waiver"] == "lab-priv" and rules["5.5"]["waived"][0]["waiver_expires"] == "2099-01-01"
    assert rules["5.4"]["verdict"] == "fail" and offenders(rules["5.4"]) == ["priv"]
    assert rules["5.15"]["verdict"] == "fail"
    assert [x["name"] for x in doc["expired_waivers"]] == ["old"]
    assert "waiver [old] for rule 5.15 expired" in r.err
    # 5.4 is high, 5.15 low: --fail-on critical passes, high fails
    assert dockward("audit", "--rules", RULES, "-c", "5.4,5.5,5.15", "--waivers", str(w), "-q",
                    "--fail-on", "critical").rc == 0
    assert dockward("audit", "--rules", RULES, "-c", "5.4,5.5,5.15", "--waivers", str(w), "-q",
                    "--fail-on", "high").rc == 1
    bad = tmp_path / "bad.ini"
    bad.write_text("[x]\nrule = 5.5\n")
    r = dockward("audit", "--rules", RULES, "--waivers", str(bad))
    assert r.rc == 2 and "has no reason" in r.err


def test_formats_and_stable_finding_ids(scenario, dockward, tmp_path):
    _, doc1, rules1 = audit(dockward, "-c", "5")
    _, doc2, rules2 = audit(dockward, "-c", "5")
    ids1 = [o["finding_id"] for r in doc1["rules"] for o in r["offenders"]]
    assert ids1 and ids1 == [o["finding_id"] for r in doc2["rules"] for o in r["offenders"]]
    assert doc1["schema_version"] == 1 and doc1["summary"]["rules"] == len(doc1["rules"])
    r = dockward("audit", "--rules", RULES, "-c", "5.5,5.8", "-f", "junit", "-o", str(tmp_path / "j.xml"))
    assert r.rc == 1 and r.out == ""
    suite = ET.parse(str(tmp_path / "j.xml")).getroot().find("testsuite")
    cases = suite.findall("testcase")
    failed = [tc.get("name") for tc in cases if tc.find("failure") is not None]
    assert sorted(failed) == ["5.5 Containers do not run in privileged mode [container priv]",
                              "5.8 Containers do not publish ports below 1024 on the host [container ports]"]
    assert int(suite.get("failures")) == 2
    # one testcase per rule and container in scope
    assert int(suite.get("tests")) == len(cases) == 2 * doc1["scope"]["containers"]
    assert any(tc.get("name").endswith("[container good]") and tc.find("failure") is None for tc in cases)
    r = dockward("audit", "--rules", RULES, "-c", "5.5", "-f", "sarif")
    sarif = json.loads(r.out)
    assert sarif["version"] == "2.1.0"
    res = sarif["runs"][0]["results"]
    assert [x["ruleId"] for x in res] == ["5.5"] and res[0]["level"] == "error"
    assert res[0]["partialFingerprints"]["dockwardFindingId/v1"] == rules1["5.5"]["offenders"][0]["finding_id"]
    r = dockward("audit", "--rules", RULES, "--remediation", "--no-color", "-c", "5.5")
    assert "[FAIL    ] 5.5" in r.out and "container priv (" in r.out and "fix: " in r.out and "\033[" not in r.out
    assert "Summary: 1 rules: 0 pass, 1 fail" in r.out


def test_rules_command_and_usage_errors(dockward):
    r = run_dockward("rules", "--rules", RULES, "-f", "json")
    assert r.rc == 0, r.err
    doc = r.json()
    assert len(doc["rules"]) == 117 and doc["benchmark"] == "1.6.0"
    r18 = run_dockward("rules", "--rules", RULES, "--benchmark", "1.8.0", "-f", "json").json()
    assert {x["id"] for x in r18["rules"]} >= {"2.19"}      # 1.8.0 renumbers section 2 from 2.7 on
    assert len(r18["rules"]) == 118                          # and adds its own 2.7 (devicemapper)
    assert run_dockward("rules", "--rules", RULES, "--benchmark", "2.0").rc == 2
    assert dockward("audit", "--rules", "/nonexistent").rc == 2
    assert dockward("audit", "--rules", RULES, "--level", "3").rc == 2
    assert dockward("audit", "--rules", RULES, "-f", "xml").rc == 2
    r = dockward("audit", "--rules", RULES, "--host-root", "/nonexistent")
    assert r.rc == 2 and "host root /nonexistent" in r.err
    r = run_dockward("audit", "--rules", RULES, docker_host="unix:///nonexistent.sock")
    assert r.rc == 3
