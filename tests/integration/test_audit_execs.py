"""test_audit_execs.py: rule 5.23 gathers the exec instances the engine still knows for each container (manual, never a pass)."""
import json
import os

import pytest

from conftest import ROOT

RULES = os.path.join(ROOT, "rules")


@pytest.fixture
def execd(clean_daemon, busybox_image):
    d = clean_daemon
    cid = d.docker("run", "-d", "--name", "dwexec-busy", busybox_image, "sleep", "1000").strip()
    d.docker("run", "-d", "--name", "dwexec-quiet", busybox_image, "sleep", "1000")
    d.docker("exec", "-d", "dwexec-busy", "sleep", "30")
    return cid


def test_exec_instances_are_evidence(dockward, execd, dockerd):
    ids = json.loads(dockerd.docker("inspect", "dwexec-busy"))[0]["ExecIDs"]
    assert len(ids) == 1
    r = dockward("audit", "--rules", RULES, "-c", "5.23", "--containers", "dwexec-*", "-f", "json")
    assert r.rc == 0, r.err
    rule = r.json()["rules"][0]
    assert rule["verdict"] == "manual" and rule["assessment"] == "automated"
    assert rule["reason"].startswith("1 of 2 containers have exec instances the engine still knows")
    assert "--privileged" in rule["reason"]
    assert [(e["name"], e["detail"]) for e in rule["evidence"]] == [
        ("dwexec-busy", "1 exec instance known to the engine: %s" % ids[0][:12])]
    assert not rule["offenders"]
    # none known now is still no pass: past execs are not visible to a one-shot audit
    r = dockward("audit", "--rules", RULES, "-c", "5.23", "--containers", "dwexec-quiet", "-f", "json")
    rule = r.json()["rules"][0]
    assert rule["verdict"] == "manual" and rule["reason"].startswith("0 of 1 containers") and not rule["evidence"]
