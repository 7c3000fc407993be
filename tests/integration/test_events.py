"""test_events.py: the streaming /events endpoint through `dockward events`."""
import json
import subprocess
import time

from conftest import BIN


def test_events_between_since_and_until(clean_daemon, busybox_image, dockward):
    d = clean_daemon
    t0 = int(time.time())
    cid = d.docker("create", "--name", "evt", busybox_image, "true")
    d.docker("start", "evt")
    d.docker("wait", "evt")
    d.docker("rm", "evt")
    r = dockward("events", "-f", "json", "--since", str(t0), "--until", str(int(time.time()) + 1),
                 "--filter", json.dumps({"type": ["container"]}))
    assert r.rc == 0, r.err
    evs = [json.loads(line) for line in r.out.splitlines()]
    mine = [e["action"] for e in evs if e["id"] == cid]
    assert mine[0] == "create" and mine[-1] == "destroy"
    assert "start" in mine and "die" in mine
    assert all(e["name"] == "evt" and e["image"] == busybox_image for e in evs if e["id"] == cid)
    assert all(e["type"] == "container" for e in evs)


def test_events_follow_live_stream(clean_daemon, busybox_image, dockerd):
    """Without --until the stream stays open and delivers events as they happen."""
    env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "DOCKWARD_CONFIG": ""}
    p = subprocess.Popen([BIN, "--docker-host", dockerd.host, "events", "-f", "json"], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, env=env)
    try:
        time.sleep(0.5)
        cid = clean_daemon.docker("create", "--name", "live", busybox_image)
        line = p.stdout.readline()
        assert json.loads(line)["id"] == cid
    finally:
        p.terminate()
        p.wait(10)


def test_bad_filter_shows_the_engine_message(dockward):
    r = dockward("events", "--filter", "not json", "--until", "+1")
    assert r.rc == 3
    assert r.err.startswith("dockward: Docker API /events: ")
