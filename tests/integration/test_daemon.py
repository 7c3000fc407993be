"""test_daemon.py: `dockward daemon` against the test engine: targeted re-audits on events, raise and resolve, reconnects, reload, status."""
import os
import shutil
import signal
import subprocess
import tempfile
import time

import pytest

from collector import Agent, SocketProxy, ocsf_problems
from conftest import BIN, ROOT


@pytest.fixture
def work():
    d = tempfile.mkdtemp(prefix="dwd", dir="/tmp")
    yield d
    shutil.rmtree(d, ignore_errors=True)


def audit_section(interval="1h"):
    return "[audit]\nrules_dir = %s\ninterval = %s\n" % (os.path.join(ROOT, "rules"), interval)


def wait_for(pred, timeout=30, step=0.1):
    deadline = time.time() + timeout
    while time.time() < deadline:
        v = pred()
        if v:
            return v
        time.sleep(step)
    return pred()


def findings(agent, cid=None, activity=None, rule=None):
    out = []
    for e in agent.local_events():
        if e["class_uid"] != 2003:
            continue
        if cid and e["resources"][0]["uid"] != cid:
            continue
        if activity and e["activity_id"] != activity:
            continue
        if rule and e["compliance"]["control"] != rule:
            continue
        out.append(e)
    return out


def test_container_events_raise_and_resolve(clean_daemon, busybox_image, work):
    d = clean_daemon
    a = Agent(BIN, work, docker_host=d.host, extra="heartbeat_interval = 1h\nflush_interval = 50ms",
              sinks=audit_section()).start()
    try:
        st = wait_for(lambda: (a.status() or {}).get("daemon", {}).get("full_runs", 0) >= 1 and a.status())
        assert st, a.logtext()
        assert st["daemon"]["engines"]["audit"].startswith("available")
        # no vulnerability database here: images are read but not matched, and it says so
        assert st["daemon"]["engines"]["scan"].startswith("available")
        assert st["daemon"]["docker"]["connected"] is True
        first_full = len(findings(a))

        # a container without a memory limit fails 5.11; the start event re-audits it alone
        cid = d.docker("run", "-d", "--name", "dw-nolimit", busybox_image, "sleep", "300")
        raised = wait_for(lambda: findings(a, cid, 1, "5.11"))
        assert raised, a.logtext()
        ev = raised[0]
        assert ocsf_problems(ev) == []
        assert ev["compliance"]["status"] == "Fail" and ev["status"] == "New"
        assert ev["resources"][0]["name"] == "dw-nolimit"
        assert ev["compliance"]["standards"][0].startswith("CIS Docker Benchmark")
        uid = ev["finding_info"]["uid"]
        # status is rewritten at most once a second
        st = wait_for(lambda: a.status()["daemon"]["targeted_runs"] >= 1 and a.status()["daemon"])
        assert st and st["findings"]["compliance"] >= 1
        # no full audit ran for it: only the targeted one
        assert st["full_runs"] == 1

        # fixing it: `docker update` re-audits and the collector sees the remediation verified
        d.docker("update", "--memory", "64m", "--memory-swap", "64m", "dw-nolimit")
        closed = wait_for(lambda: findings(a, cid, 3, "5.11"))
        assert closed, a.logtext()
        assert closed[0]["finding_info"]["uid"] == uid
        assert closed[0]["compliance"]["status"] == "Pass" and closed[0]["status"] == "Resolved"
        assert ocsf_problems(closed[0]) == []

        # destroying the container closes all of its findings
        open_ids = {e["finding_info"]["uid"] for e in findings(a, cid, 1)} - \
            {e["finding_info"]["uid"] for e in findings(a, cid, 3)}
        assert open_ids
        d.docker("rm", "-f", "dw-nolimit")
        assert wait_for(lambda: open_ids <= {e["finding_info"]["uid"] for e in findings(a, cid, 3)})
        gone = [e for e in findings(a, cid, 3) if e["finding_info"]["uid"] in open_ids]
        # "object removed" from the destroy event, or a re-audit queued just before that no longer finds it
        assert all(e["unmapped"]["resolution"] in ("object removed", "no longer reported") for e in gone)

        # an image import is scanned; without a database nothing is claimed about it
        n = a.status()["daemon"]["targeted_runs"]
        d.docker("import", "-", "dwtest/empty:1", input=image_tar({"hello.txt": b"hi\n"}))
        assert wait_for(lambda: a.status()["daemon"]["targeted_runs"] > n)
        assert wait_for(lambda: a.status()["daemon"]["last_scan_ms"] > 0)
        assert "images not matched" in a.status()["daemon"]["engines"]["scan"]
        assert not [e for e in a.local_events() if e["class_uid"] == 2002]
    finally:
        # the engine is shared with the other tests, which count its images
        d.docker("rmi", "dwtest/empty:1", check=False)
        assert a.stop() == 0
    # every event is valid OCSF; every finding id is stable across raise and close
    for e in a.local_events():
        assert ocsf_problems(e) == [], e
    assert first_full >= 0


def image_tar(files):
    import io
    import tarfile
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as t:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))
    return buf.getvalue()


OS_RELEASE = b'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n'
DPKG_STATUS = (b"Package: libssl3\nStatus: install ok installed\nPriority: optional\nSection: libs\n"
               b"Architecture: amd64\nSource: openssl\nVersion: %s\nDescription: SSL shared libraries\n\n")


def test_image_import_is_scanned_and_removal_resolves(clean_daemon, work):
    d = clean_daemon
    db_dir = os.path.join(work, "vulndb")
    r = subprocess.run([BIN, "db", "import", "--db-dir", db_dir, os.path.join(ROOT, "tests", "fixtures", "osv")],
                       capture_output=True, text=True, env=dict(os.environ, DOCKWARD_CONFIG=""))
    assert r.returncode == 0, r.stderr
    a = Agent(BIN, work, docker_host=d.host, extra="heartbeat_interval = 1h\nflush_interval = 50ms",
              sinks=audit_section() + "[scan]\nvulndb_dir = %s\n" % db_dir).start()
    try:
        assert wait_for(lambda: (a.status() or {}).get("daemon", {}).get("full_runs", 0) >= 1)
        files = {"etc/os-release": OS_RELEASE, "var/lib/dpkg/status": DPKG_STATUS % b"3.0.11-1~deb12u1"}
        iid = d.docker("import", "-", "dwtest/oldssl:1", input=image_tar(files))
        vulns = wait_for(lambda: [e for e in a.local_events() if e["class_uid"] == 2002 and e["activity_id"] == 1])
        assert vulns, a.logtext()
        assert {e["vulnerabilities"][0]["cve"]["uid"] for e in vulns} >= {"DWD-DEB12-openssl-CVE-2023-5363"}
        for e in vulns:
            assert ocsf_problems(e) == []
            assert e["resources"][0]["uid"] == iid and e["resources"][0]["type"] == "image"
            pkg = e["vulnerabilities"][0]["affected_packages"][0]
            assert pkg["name"] == "libssl3" and pkg["version"] == "3.0.11-1~deb12u1"
        assert "vulnerability database" in a.status()["daemon"]["engines"]["scan"]
        # the image goes: its findings are closed
        d.docker("rmi", "dwtest/oldssl:1")
        ids = {e["finding_info"]["uid"] for e in vulns}
        assert wait_for(lambda: ids <= {e["finding_info"]["uid"] for e in a.local_events()
                                        if e["class_uid"] == 2002 and e["activity_id"] == 3})
    finally:
        d.docker("rmi", "dwtest/oldssl:1", check=False)
        assert a.stop() == 0


def test_restart_sends_full_report_then_only_changes(clean_daemon, busybox_image, work):
    d = clean_daemon
    d.docker("run", "-d", "--name", "dw-persist", busybox_image, "sleep", "300")
    a = Agent(BIN, work, docker_host=d.host, extra="heartbeat_interval = 1h\nflush_interval = 50ms",
              sinks=audit_section())
    a.start()
    assert wait_for(lambda: (a.status() or {}).get("daemon", {}).get("full_runs", 0) >= 1)
    assert a.stop() == 0
    created = {e["finding_info"]["uid"] for e in findings(a, activity=1)}
    assert created
    n_before = len(a.local_events())
    # the second start re-sends the open findings once (the first full report), as updates
    a.start()
    assert wait_for(lambda: (a.status() or {}).get("daemon", {}).get("full_runs", 0) >= 1 and
                    len(a.local_events()) > n_before)
    time.sleep(0.5)
    assert a.stop() == 0
    later = a.local_events()[n_before:]
    upd = {e["finding_info"]["uid"] for e in later if e["class_uid"] == 2003 and e["activity_id"] == 2}
    assert upd == created
    assert not [e for e in later if e["class_uid"] == 2003 and e["activity_id"] == 1]


def test_reconnects_when_the_engine_comes_and_goes(clean_daemon, busybox_image, work):
    d = clean_daemon
    proxy = SocketProxy(os.path.join(work, "p.sock"), d.sock)
    a = Agent(BIN, work, docker_host="unix://" + proxy.path,
              extra="heartbeat_interval = 1h\nflush_interval = 50ms", sinks=audit_section())
    a.start()
    try:
        # absent at start
        st = wait_for(lambda: a.status())
        assert st["daemon"]["docker"]["connected"] is False and st["daemon"]["docker"]["error"]
        proxy.start()
        assert wait_for(lambda: a.status()["daemon"]["docker"]["connected"], timeout=15)
        # the engine goes away and comes back: events after the gap are still seen
        proxy.stop()
        assert wait_for(lambda: not a.status()["daemon"]["docker"]["connected"], timeout=15)
        proxy.start()
        assert wait_for(lambda: a.status()["daemon"]["docker"]["reconnects"] >= 1, timeout=15)
        cid = d.docker("run", "-d", "--name", "dw-after", busybox_image, "sleep", "300")
        assert wait_for(lambda: findings(a, cid, 1))
        r = a.run("status")
        assert r.returncode == 0 and "connected to" in r.stdout and "sink local (file)" in r.stdout
    finally:
        a.stop()
        proxy.stop()


def test_sighup_reload_keeps_old_config_when_bad(clean_daemon, work):
    d = clean_daemon
    a = Agent(BIN, work, docker_host=d.host, extra="heartbeat_interval = 1h", sinks=audit_section())
    a.start()
    try:
        assert wait_for(lambda: (a.status() or {}).get("daemon", {}).get("full_runs", 0) >= 1)
        good = open(a.conf).read()
        with open(a.conf, "a") as f:
            f.write("[upstream]\nno_such_key = 1\n")
        a.proc.send_signal(signal.SIGHUP)
        assert wait_for(lambda: "reload refused" in a.logtext())
        assert "no_such_key" in a.logtext()
        assert a.proc.poll() is None
        with open(a.conf, "w") as f:
            f.write(good.replace("interval = 1h\n", "interval = 1h\n", 1))
        runs = a.status()["daemon"]["full_runs"]
        a.proc.send_signal(signal.SIGHUP)
        # a good reload re-evaluates with the new rules and restarts the uploader
        assert wait_for(lambda: a.status()["daemon"]["full_runs"] > runs)
        assert wait_for(lambda: "configuration reloaded" in a.logtext())
    finally:
        assert a.stop() == 0
    r = a.run("status")
    assert r.returncode == 3 and "NOT RUNNING" in r.stdout


def test_runtime_alert_raises_detection_and_destroy_resolves(clean_daemon, busybox_image, work):
    d = clean_daemon
    a = Agent(BIN, work, docker_host=d.host, extra="heartbeat_interval = 1h\nflush_interval = 50ms",
              sinks=audit_section() + "[runtime]\nrules_dir = %s\n" % os.path.join(ROOT, "rules", "runtime")).start()
    try:
        st = wait_for(lambda: (a.status() or {}).get("daemon", {}).get("full_runs", 0) >= 1 and a.status())
        assert st["daemon"]["engines"]["runtime"].startswith("available ("), st["daemon"]["engines"]
        cid = d.docker("run", "-d", "--name", "dw-rt", busybox_image, "sleep", "300")
        time.sleep(0.5)
        d.docker("exec", "dw-rt", "cat", "/etc/shadow", check=False)

        def detections(activity):
            return [e for e in a.local_events() if e["class_uid"] == 2004 and e["activity_id"] == activity
                    and e["finding_info"]["analytic"]["uid"] == "sensitive_file_read"]
        raised = wait_for(lambda: detections(1))
        assert raised, a.logtext()
        ev = raised[0]
        assert ocsf_problems(ev) == []
        assert ev["resources"][0]["uid"] == cid and ev["severity_id"] == 4
        assert "cat /etc/shadow" in ev["evidences"][0]["data"]["evidence"]
        assert ev["evidences"][0]["container"]["uid"] == cid
        d.docker("rm", "-f", "dw-rt")
        closed = wait_for(lambda: detections(3))
        assert closed and closed[0]["finding_info"]["uid"] == ev["finding_info"]["uid"]
    finally:
        assert a.stop() == 0
