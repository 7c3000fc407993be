"""test_daemon_once.py: `dockward daemon --once`, the daily timer's run: one full audit reported, then exit."""
import json
import os
import shutil
import tempfile

import pytest

from collector import Agent, ocsf_problems
from conftest import BIN, ROOT


@pytest.fixture
def work():
    d = tempfile.mkdtemp(prefix="dwo", dir="/tmp")
    yield d
    shutil.rmtree(d, ignore_errors=True)


def test_once_reports_one_full_audit_and_exits(clean_daemon, busybox_image, work):
    d = clean_daemon
    cid = d.docker("create", "--name", "dw-once", busybox_image, "sleep", "1")
    a = Agent(BIN, work, docker_host=d.host, sinks="[audit]\nrules_dir = %s\n" % os.path.join(ROOT, "rules"))
    r = a.run("daemon", "--once", timeout=120)
    assert r.returncode == 0, r.stderr
    events = a.local_events()
    compliance = [e for e in events if e["class_uid"] == 2003]
    assert compliance, r.stderr
    assert all(ocsf_problems(e) == [] for e in events)
    # the container created without a memory limit fails 5.11 in that one run
    assert any(e["compliance"]["control"] == "5.11" and e["resources"][0]["uid"] == cid for e in compliance)
    # and the host inventory went with it
    assert any(e["class_uid"] == 5001 for e in events)
    # a second run is a fresh start, so it reports the full posture again: the same
    # findings (same ids), none of them new
    n = len(events)
    r = a.run("daemon", "--once", timeout=120)
    assert r.returncode == 0, r.stderr
    again = [e for e in a.local_events()[n:] if e["class_uid"] == 2003]
    assert again
    first_ids = {e["finding_info"]["uid"] for e in compliance}
    assert {e["finding_info"]["uid"] for e in again} <= first_ids
    assert all(e["activity_id"] != 1 for e in again)


def test_once_audit_uses_the_image_scanner(clean_daemon, work):
    """The daemon's audit collects the scanner's results like `dockward audit` does: an image-scan rule is
    evaluated (an automated setuid rule of a private rule set fails the image that has one), not skipped."""
    d = clean_daemon
    from test_audit_scan import import_image
    import_image(d, "dwtest/suid:1", {"bin/app": (b"#!/bin/sh\n", 0o755), "bin/su": (b"x", 0o4755)})
    cid = d.docker("create", "--name", "dw-once-suid", "dwtest/suid:1")
    rules = os.path.join(work, "rules")
    os.makedirs(rules)
    with open(os.path.join(rules, "00-ruleset.ini"), "w") as f:
        f.write("[ruleset]\nname = scan wiring\nbenchmarks = 1.0\n")
    with open(os.path.join(rules, "t.ini"), "w") as f:
        f.write("[9.1]\ntitle = no setuid files in images\nsection = T\nlevel = 1\nassessment = automated\n"
                "severity = medium\nscope = image\nrationale = r\nremediation = m\ncheck = image_scan\n"
                "check.finding = setuid\ncheck.images = in-use\n")
    a = Agent(BIN, work, docker_host=d.host, sinks="[audit]\nrules_dir = %s\nscan_images = scan\n" % rules)
    r = a.run("daemon", "--once", timeout=120)
    assert r.returncode == 0, r.stderr
    found = [e for e in a.local_events() if e["class_uid"] == 2003 and e["compliance"]["control"] == "9.1"]
    assert found, r.stderr
    img = d.docker("inspect", "-f", "{{.Image}}", cid).strip()
    assert {e["resources"][0]["uid"] for e in found} == {img}
    assert "/bin/su" in json.dumps(found)


def test_once_without_docker_is_exit_3(work):
    a = Agent(BIN, work)
    r = a.run("daemon", "--once", timeout=60)
    assert r.returncode == 3
    assert "cannot connect to the Docker daemon" in r.stderr


def test_once_without_destination_does_nothing(work, tmp_path):
    conf = tmp_path / "plain.conf"
    conf.write_text("[agent]\nstate_dir = %s\n[upstream]\nspool_dir = %s/spool\nuser =\n" % (work, work))
    import subprocess
    e = dict(os.environ)
    e.pop("DOCKER_HOST", None)
    p = subprocess.run([BIN, "-c", str(conf), "-v", "daemon", "--once"], env=e, capture_output=True, text=True,
                       timeout=30)
    assert p.returncode == 0, p.stderr
    assert "nothing to report" in p.stderr
    assert not os.path.exists(os.path.join(work, "spool"))
