"""test_watch_benign.py: ordinary container work (a web server under requests, /tmp files, processes, restarts) raises no runtime alert."""
import os
import signal
import urllib.request

from conftest import ROOT, run_dockward
from watch_env import Watch, build_image, container_ip


def test_benign_workload_raises_nothing(dockerd):
    d = dockerd
    d.remove_all_containers()
    img = build_image(d)
    # only this test's containers (b-*): other engines on the machine may run containers too
    w = Watch(d, os.path.join(ROOT, "rules", "runtime"), extra=("--containers", "b-*"))
    try:
        d.docker("run", "-d", "--name", "b-web", img, "httpd", "-f", "-p", "8080", "-h", "/www")
        d.docker("run", "-d", "--name", "b-worker", img, "sh", "-c",
                 "while true; do echo tick >> /var/log/worker.log; sleep 0.2; done")
        ip = container_ip(d, "b-web")
        for _ in range(20):
            with urllib.request.urlopen("http://%s:8080/index.html" % ip, timeout=5) as r:
                assert b"hello" in r.read()
        d.docker("exec", "b-worker", "wget", "-q", "-O", "/tmp/page", "http://%s:8080/" % ip)
        d.docker("exec", "b-worker", "sh", "-c",
                 "i=0; while [ $i -lt 50 ]; do echo $i > /tmp/f$i; cat /tmp/f$i >/dev/null; rm /tmp/f$i; i=$((i+1)); done")
        for cmd in (["ls", "-l", "/"], ["ps"], ["date"], ["id"], ["hostname"], ["uname", "-a"],
                    ["grep", "root", "/etc/passwd"], ["head", "-1", "/etc/passwd"], ["cat", "/etc/hostname"]):
            d.docker("exec", "b-worker", *cmd)
        d.docker("restart", "-t", "1", "b-worker")
        d.docker("stop", "-t", "1", "b-web")
        d.docker("start", "b-web")
        d.docker("exec", "b-worker", "sh", "-c", "echo after restart >> /var/log/worker.log")
    finally:
        alerts, summary = w.stop(signal.SIGTERM)
        d.remove_all_containers()
    assert alerts == []
    assert summary is not None and summary["alerts"] == 0 and summary["dropped"] == 0
    assert summary["docker_events"] > 0
    # the probes were live: the shells above crossed the ring buffer (shells are watched) and matched nothing
    assert summary["events"] > 0
    assert w.rc == 0


def test_duration_ends_with_a_summary(dockward):
    r = dockward("watch", "--rules", os.path.join(ROOT, "rules", "runtime"), "--duration", "1")
    assert r.rc == 0, r.err
    assert "0 alerts" in r.err and "dropped" in r.err
