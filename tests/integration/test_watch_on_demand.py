"""test_watch_on_demand.py: dockward watch attaches its per-syscall probes only while a container may run, and still sees a container's very first action."""
import os
import time

from conftest import ROOT
from watch_env import Watch, build_image

GRACE = 10      # seconds the probes stay after the runtime created a container that has not started (STARTING_MS)


def test_first_action_of_a_container_is_seen_and_probes_leave_after(dockerd):
    d = dockerd
    d.remove_all_containers()
    img = build_image(d)
    w = Watch(d, os.path.join(ROOT, "rules", "runtime"), extra=("--containers", "od-*"))
    try:
        time.sleep(1)
        # no container: the probes are detached; the container's first process opens /etc/shadow at once
        d.docker("run", "--name", "od-first", img, "cat", "/etc/shadow")
        d.docker("run", "--name", "od-second", img, "sh", "-c", "echo 'x:x:0:0::/:/bin/sh' >> /etc/passwd")
        w.wait_for(lambda a: a["rule"] == "account_file_modified")
        d.remove_all_containers()
        time.sleep(GRACE + 2)   # no container left and the runtime quiet: detached again
    finally:
        alerts, summary = w.stop()
        d.remove_all_containers()
    fired = {(a["rule"], a["container"]["name"] if a["container"] else None) for a in alerts}
    assert ("sensitive_file_read", "od-first") in fired, fired
    assert ("account_file_modified", "od-second") in fired, fired
    sp = summary["syscall_probes"]
    assert sp["attaches"] >= 1 and sp["attach_errors"] == 0
    assert 0 < sp["attach_lag_us_max"] < 1000000
    assert sp["attached"] is False
    assert 0 < sp["attached_ms"] < summary["seconds"] * 1000
    assert summary["dropped"] == 0


def test_probes_stay_while_a_container_runs(dockerd):
    d = dockerd
    d.remove_all_containers()
    img = build_image(d)
    d.docker("run", "-d", "--name", "od-long", img, "sleep", "600")
    w = Watch(d, os.path.join(ROOT, "rules", "runtime"), extra=("--containers", "od-*"))
    try:
        time.sleep(GRACE + 2)
        d.docker("exec", "od-long", "cat", "/etc/shadow")
        w.wait_for(lambda a: a["rule"] == "sensitive_file_read")
    finally:
        alerts, summary = w.stop()
        d.remove_all_containers()
    assert [a for a in alerts if a["rule"] == "sensitive_file_read"]
    # running from the start: attached at load, never detached, never re-attached
    assert summary["syscall_probes"]["attached"] is True and summary["syscall_probes"]["attaches"] == 0
