"""test_upstream.py: delivery to a real loopback HTTPS collector (mTLS, bearer token) under faults, and the secondary sinks."""
import gzip
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

import pytest

from collector import Agent, Collector, make_pki, ocsf_problems
from conftest import BIN

TOKEN = "s3cret-token"


@pytest.fixture(scope="module")
def pki():
    d = tempfile.mkdtemp(prefix="dwpki")
    make_pki(d)
    with open(os.path.join(d, "token"), "w") as f:
        f.write(TOKEN + "\n")
    os.chmod(os.path.join(d, "token"), 0o600)
    yield d
    shutil.rmtree(d)


@pytest.fixture
def work():
    d = tempfile.mkdtemp(prefix="dwup")
    yield d
    shutil.rmtree(d, ignore_errors=True)


def upstream_conf(pki, url, extra=""):
    return ("url = %s\nca_file = %s/ca.pem\nclient_cert = %s/client.pem\nclient_key = %s/client.key\n"
            "token_file = %s/token\n%s" % (url, pki, pki, pki, pki, extra))


def heartbeat_agent(pki, work, coll, extra="", interval="200ms", sinks=""):
    """An agent with no Docker engine: its heartbeats are the event stream."""
    return Agent(BIN, work, upstream=upstream_conf(pki, coll.url(), "heartbeat_interval = %s\n%s" % (interval, extra)),
                 sinks=sinks)


def uids(events):
    return [e["metadata"]["uid"] for e in events]


def assert_all_arrived(agent, coll):
    """Everything the agent spooled (the file sink has it all) reached the collector: at least once,
    exactly once after deduplication by Idempotency-Key, and nothing else arrived."""
    local = uids(agent.local_events())
    assert local, "the agent produced no events"
    assert len(set(local)) == len(local), "metadata.uid is not unique"
    got = uids(coll.events())
    assert sorted(got) == sorted(local), "collector (deduplicated) and spool differ: missing %d, extra %d" % (
        len(set(local) - set(got)), len(set(got) - set(local)))
    assert set(uids(coll.all_deliveries())) == set(local)


def wait_for(pred, timeout=20, step=0.05):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if pred():
            return True
        time.sleep(step)
    return pred()


def test_delivery_shape_auth_and_ocsf(pki, work):
    coll = Collector(pki).start()
    a = heartbeat_agent(pki, work, coll).start()
    try:
        assert coll.wait(lambda c: len(c.events()) >= 3)
    finally:
        assert a.stop() == 0
        coll.stop()
    assert_all_arrived(a, coll)
    for r in coll.requests:
        h = r["headers"]
        assert r["path"] == "/ingest"
        assert h["Content-Encoding"] == "gzip"
        assert h["Content-Type"] == "application/json"
        assert h["Authorization"] == "Bearer " + TOKEN
        assert len(h["Idempotency-Key"]) == 36
    keys = [r["headers"]["Idempotency-Key"] for r in coll.requests]
    assert len(set(keys)) == len(keys), "a batch key was reused for different batches"
    for e in coll.events():
        assert ocsf_problems(e) == []
        # no rules where the defaults point: the engine says why, it is not faked
        assert e["class_uid"] == 5001 and e["unmapped"]["engines"]["audit"].startswith("not available: ")
        assert e["unmapped"]["docker_reachable"] is False
    # SIGTERM flushed: nothing left in the spool, cursors at the end
    assert not [f for f in os.listdir(a.spool) if f.endswith(".batch")]
    st = a.status()
    assert st["running"] is False
    sinks = {s["name"]: s for s in st["uploader"]["sinks"]}
    assert sinks["upstream"]["events_delivered"] == len(a.local_events())


def test_retries_500_429_reset_then_delivers_once(pki, work):
    coll = Collector(pki).start()
    coll.script = [500, (429, {"Retry-After": "1"}), "reset", 503, 502]
    a = heartbeat_agent(pki, work, coll, interval="300ms").start()
    try:
        assert coll.wait(lambda c: len(c.events()) >= 4, timeout=30)
    finally:
        a.stop()
        coll.stop()
    assert_all_arrived(a, coll)
    statuses = [r["status"] for r in coll.requests]
    assert statuses[:5] == [500, 429, "reset", 503, 502]
    # Retry-After: 1 was honoured (backoff alone would be ~100-200 ms)
    t429 = coll.requests[1]["time"]
    assert coll.requests[2]["time"] - t429 >= 0.9
    # the failed batch was sent again under the same key
    assert len({r["headers"].get("Idempotency-Key") for r in coll.requests[:6]}) == 1


def test_collector_down_then_back(pki, work):
    coll = Collector(pki).start()
    port = coll.port
    coll.stop()
    a = heartbeat_agent(pki, work, coll, interval="200ms").start()
    try:
        time.sleep(2.0)
        assert wait_for(lambda: len(a.local_events()) >= 5)
        st = a.status()
        up = {s["name"]: s for s in st["uploader"]["sinks"]}["upstream"]
        assert up["events_delivered"] == 0 and up["consecutive_failures"] > 0 and up["last_error"]
        coll = Collector(pki).start(port=port)
        assert coll.wait(lambda c: len(c.events()) >= len(a.local_events()) - 1, timeout=20)
    finally:
        a.stop()
        coll.stop()
    assert_all_arrived(a, coll)


def test_slow_collector_is_waited_for(pki, work):
    coll = Collector(pki).start()
    coll.script = [("slow", 1.5)]
    a = heartbeat_agent(pki, work, coll, interval="300ms", extra="timeout = 10s").start()
    try:
        assert coll.wait(lambda c: len(c.events()) >= 3, timeout=20)
    finally:
        a.stop()
        coll.stop()
    assert_all_arrived(a, coll)


def test_413_splits_and_400_dead_letters(pki, work):
    coll = Collector(pki, max_events=2).start()
    # 12 heartbeats per batch: 413 until the parts have 2 events or fewer
    a = heartbeat_agent(pki, work, coll, interval="100ms", extra="batch_events = 12\nflush_interval = 5s").start()
    try:
        assert coll.wait(lambda c: len(c.events()) >= 12, timeout=20)
    finally:
        a.stop()
        coll.stop()
    assert_all_arrived(a, coll)
    assert 413 in [r["status"] for r in coll.requests]
    assert all(len(evs) <= 2 for evs in coll.accepted.values())
    # the parts of one batch have keys of their own, derived from the batch key
    assert any(k.count("-") == 6 for k in coll.accepted)

    work2 = os.path.join(work, "second")
    coll = Collector(pki).start()
    coll.script = [400]
    a = heartbeat_agent(pki, work2, coll, interval="200ms").start()
    try:
        assert coll.wait(lambda c: len(c.events()) >= 3, timeout=20)
    finally:
        a.stop()
        coll.stop()
    dead = os.listdir(os.path.join(a.spool, "dead"))
    assert len(dead) == 1 and dead[0].startswith("upstream-")
    with open(os.path.join(a.spool, "dead", dead[0])) as f:
        header = json.loads(f.readline())
        dead_events = [json.loads(l) for l in f if l.strip()]
    assert header["reason"].startswith("HTTP 400")
    # the dead batch did not block the queue; together they are everything
    local = set(uids(a.local_events()))
    assert set(uids(coll.events())) | set(uids(dead_events)) == local
    assert not set(uids(coll.events())) & set(uids(dead_events))


def test_kill9_mid_batch_and_restart(pki, work):
    coll = Collector(pki).start()
    coll.script = [("slow", 2.0)]
    a = heartbeat_agent(pki, work, coll, interval="100ms").start()
    try:
        # the first upload is in flight (slow) when the daemon dies
        assert coll.wait(lambda c: False, timeout=0.8) is False
        a.proc.send_signal(signal.SIGKILL)
        a.proc.wait(10)
        time.sleep(2.5)
        a.start()
        assert coll.wait(lambda c: len(c.events()) >= len(a.local_events()) >= 10, timeout=20)
    finally:
        a.stop()
        coll.stop()
    assert_all_arrived(a, coll)


def test_spool_cap_drops_oldest_and_reports_it(pki, work):
    coll = Collector(pki).start()
    port = coll.port
    coll.stop()
    # a small spool fills while the collector is down; the file sink is not configured so
    # that only the collector's cursor holds the batches
    a = Agent(BIN, work, upstream=upstream_conf(pki, coll.url(), "heartbeat_interval = 100ms\nspool_max_size = 6K\n"))
    os.remove(a.conf)
    with open(a.conf, "w") as f:
        f.write("[agent]\nstate_dir = %s\n[docker]\nhost = %s\n[upstream]\nspool_dir = %s\nuser =\n"
                "retry_min = 100ms\nretry_max = 300ms\nflush_interval = 20ms\n%s" % (
                    a.state, a.docker_host, a.spool,
                    upstream_conf(pki, coll.url(), "heartbeat_interval = 100ms\nspool_max_size = 6K\n")))
    a.start()
    try:
        assert wait_for(lambda: (a.status() or {}).get("daemon", {}).get("spool", {}).get("dropped_events", 0) >= 5)
        st = a.status()["daemon"]["spool"]
        assert st["bytes"] <= 6 * 1024
        coll = Collector(pki).start(port=port)
        assert coll.wait(lambda c: any(e["unmapped"]["dropped_events"] >= 5 for e in c.events()), timeout=20)
    finally:
        a.stop()
        coll.stop()
    # what arrived is the newest part: the drops are reported, not hidden
    assert len(coll.events()) > 0


def test_wrong_server_certificate_is_refused(pki, work):
    coll = Collector(pki, server_cert="wrongserver").start()
    a = heartbeat_agent(pki, work, coll).start()
    try:
        time.sleep(2.0)
        st = a.status()
    finally:
        a.stop(timeout=30)
        coll.stop()
    assert coll.requests == [] and coll.events() == []
    up = {s["name"]: s for s in st["uploader"]["sinks"]}["upstream"]
    assert up["events_delivered"] == 0
    assert "certificate" in up["last_error"].lower() or "ssl" in up["last_error"].lower()
    # kept for later: nothing is lost
    assert [f for f in os.listdir(a.spool) if f.endswith(".batch")]


def test_unsafe_settings_refuse_to_start(pki, work):
    coll = Collector(pki)
    coll.port = 9
    a = heartbeat_agent(pki, work, coll, extra="tls_verify = false")
    r = a.run("daemon", "--foreground")
    assert r.returncode == 2 and "allow_insecure" in r.stderr
    os.chmod(os.path.join(pki, "token"), 0o644)
    try:
        a = heartbeat_agent(pki, os.path.join(work, "b"), coll)
        r = a.run("daemon", "--foreground")
        assert r.returncode == 2 and "readable by group or others" in r.stderr
    finally:
        os.chmod(os.path.join(pki, "token"), 0o600)
    a = Agent(BIN, os.path.join(work, "c"), upstream="url = http://127.0.0.1:9/x")
    r = a.run("daemon", "--foreground")
    assert r.returncode == 2 and "https://" in r.stderr


class SinkCollector(Collector):
    """OTLP/HTTP JSON logs and Splunk HEC bodies, checked against their documented shapes."""

    def __init__(self, pki, kind, token):
        super().__init__(pki, require_client_cert=False, token=None)
        self.kind = kind
        self.auth = token
        self.bodies = []

    def _decode(self, handler, raw):
        if handler.headers.get("Content-Encoding") == "gzip":
            raw = gzip.decompress(raw)
        want = ("Bearer " if self.kind == "otlp" else "Splunk ") + self.auth
        if handler.headers.get("Authorization") != want:
            return None
        if self.kind == "otlp":
            doc = json.loads(raw)
            self.bodies.append(doc)
            return [json.loads(rec["body"]["stringValue"]) for rl in doc["resourceLogs"]
                    for sl in rl["scopeLogs"] for rec in sl["logRecords"]]
        dec = json.JSONDecoder()
        text, i, out = raw.decode(), 0, []
        while i < len(text):
            while i < len(text) and text[i].isspace():
                i += 1
            if i == len(text):
                break
            obj, i = dec.raw_decode(text, i)
            self.bodies.append(obj)
            out.append(obj["event"])
        return out


def check_otlp(doc):
    assert set(doc) == {"resourceLogs"}
    for rl in doc["resourceLogs"]:
        attrs = {a["key"]: a["value"] for a in rl["resource"]["attributes"]}
        assert attrs["service.name"] == {"stringValue": "dockward"}
        assert "host.name" in attrs
        for sl in rl["scopeLogs"]:
            assert sl["scope"]["name"] == "dockward"
            for rec in sl["logRecords"]:
                assert isinstance(rec["timeUnixNano"], str) and rec["timeUnixNano"].isdigit()
                assert isinstance(rec["observedTimeUnixNano"], str)
                assert isinstance(rec["severityNumber"], int) and 1 <= rec["severityNumber"] <= 24
                assert isinstance(rec["severityText"], str)
                assert set(rec["body"]) == {"stringValue"}
                for at in rec["attributes"]:
                    (kind, val), = at["value"].items()
                    assert kind in ("stringValue", "intValue") and isinstance(val, str)


def check_hec(obj):
    assert set(obj) <= {"time", "host", "source", "sourcetype", "index", "event", "fields"}
    assert isinstance(obj["time"], (int, float)) and obj["time"] > 1.6e9
    assert obj["source"] == "dockward" and obj["sourcetype"] == "ocsf:finding"
    assert isinstance(obj["event"], dict) and obj["event"]["class_uid"]


def test_otlp_and_hec_sinks(pki, work):
    for name in ("otlp", "hec"):
        with open(os.path.join(pki, name + ".token"), "w") as f:
            f.write("tok-" + name)
        os.chmod(os.path.join(pki, name + ".token"), 0o600)
    otlp = SinkCollector(pki, "otlp", "tok-otlp").start()
    hec = SinkCollector(pki, "hec", "tok-hec").start()
    sinks = ("[sink.otel]\ntype = otlp\nurl = %s\nca_file = %s/ca.pem\ntoken_file = %s/otlp.token\n"
             "[sink.splunk]\ntype = hec\nurl = %s\nca_file = %s/ca.pem\ntoken_file = %s/hec.token\ngzip = false\n" % (
                 otlp.url("/v1/logs"), pki, pki, hec.url("/services/collector/event"), pki, pki))
    a = Agent(BIN, work, sinks=sinks, extra="heartbeat_interval = 200ms")
    # [upstream] without url: only the secondary sinks
    a.start()
    try:
        assert otlp.wait(lambda c: len(c.events()) >= 3) and hec.wait(lambda c: len(c.events()) >= 3)
    finally:
        a.stop()
        otlp.stop()
        hec.stop()
    for c in (otlp, hec):
        assert_all_arrived(a, c)
    assert all(r["path"] == "/v1/logs" for r in otlp.requests)
    assert all(r["path"] == "/services/collector/event" for r in hec.requests)
    assert all("Content-Encoding" not in r["headers"] for r in hec.requests)
    for doc in otlp.bodies:
        check_otlp(doc)
    for obj in hec.bodies:
        check_hec(obj)
    # golden: the OTLP record of one event, with the volatile values masked
    rec = otlp.bodies[0]["resourceLogs"][0]["scopeLogs"][0]["logRecords"][0]
    assert {k: v for k, v in rec.items() if k not in ("timeUnixNano", "observedTimeUnixNano", "body", "attributes")} \
        == {"severityNumber": 9, "severityText": "Informational"}
    assert [x["key"] for x in rec["attributes"]] == ["ocsf.class_uid", "ocsf.activity_id", "dockward.batch_key"]
    assert rec["attributes"][0]["value"] == {"intValue": "5001"}


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def test_syslog_sink_into_rsyslog(work):
    rsyslogd = shutil.which("rsyslogd") or "/usr/sbin/rsyslogd"
    if not os.path.exists(rsyslogd):
        pytest.fail("rsyslog is not installed (packaging/build-deps.txt lists it)")
    port = free_port()
    out = os.path.join(work, "received.log")
    conf = os.path.join(work, "rsyslog.conf")
    with open(conf, "w") as f:
        f.write('global(workDirectory="%s")\nmodule(load="imtcp")\n'
                'input(type="imtcp" address="127.0.0.1" port="%d" ruleset="dw")\n'
                'template(name="raw" type="string" string="%%PRI%% %%APP-NAME%% %%MSGID%% %%STRUCTURED-DATA%% %%msg%%\\n")\n'
                'ruleset(name="dw") { action(type="omfile" file="%s" template="raw") }\n' % (work, port, out))
    rs = subprocess.Popen([rsyslogd, "-n", "-f", conf, "-i", os.path.join(work, "rsyslog.pid")],
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        a = Agent(BIN, os.path.join(work, "agent"), sinks="[sink.sys]\ntype = syslog\naddress = 127.0.0.1:%d\n" % port,
                  extra="heartbeat_interval = 200ms").start()
        try:
            assert wait_for(lambda: os.path.exists(out) and len(open(out).readlines()) >= 3)
        finally:
            a.stop()
        time.sleep(0.5)
    finally:
        rs.terminate()
        rs.wait(10)
    lines = [l for l in open(out).read().splitlines() if l.strip()]
    local = uids(a.local_events())
    got = []
    for l in lines:
        pri, app, msgid, rest = l.split(" ", 3)
        assert pri == str(16 * 8 + 6) and app == "dockward" and msgid == "ocsf5001"
        assert rest.startswith('[dockward@32473 class_uid="5001" finding_uid="-"]')
        ev = json.loads(rest[rest.index("] ") + 2:])
        assert ocsf_problems(ev) == []
        got.append(ev["metadata"]["uid"])
    assert sorted(got) == sorted(local)


def test_disk_full_spool_keeps_events_until_there_is_room(pki, work):
    coll = Collector(pki).start()
    port = coll.port
    coll.stop()
    a = heartbeat_agent(pki, work, coll, interval="100ms")
    os.makedirs(a.spool)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=48k", "tmpfs", a.spool], check=True)
    try:
        a.start()
        # the spool's file system fills up while the collector is away
        assert wait_for(lambda: ((a.status() or {}).get("daemon", {}).get("spool", {}).get("write_errors", 0)) >= 2)
        assert "No space left on device" in a.logtext()
        coll = Collector(pki).start(port=port)
        # room comes back as batches are delivered; what waited in memory follows
        n = len(a.local_events())
        assert wait_for(lambda: len(coll.events()) >= n + 10, timeout=30)
        a.stop()
    finally:
        a.stop()
        coll.stop()
        subprocess.run(["umount", "-l", a.spool])
    assert_all_arrived(a, coll)
    assert a.status()["daemon"]["spool"]["dropped_events"] == 0


def test_enrolment_node_key_and_reenrolment(pki, work):
    coll = Collector(pki, token="nobody-has-this")
    coll.enroll_secret = "enrol-me"
    coll.start()
    secret = os.path.join(work, "enroll.secret")
    with open(secret, "w") as f:
        f.write("enrol-me\n")
    os.chmod(secret, 0o600)
    key_file = os.path.join(work, "node_key")
    up = ("url = %s\nca_file = %s/ca.pem\nclient_cert = %s/client.pem\nclient_key = %s/client.key\n"
          "enroll_url = %s\nenroll_secret_file = %s\nnode_key_file = %s\nheartbeat_interval = 200ms\n" % (
              coll.url(), pki, pki, pki, coll.url("/enroll"), secret, key_file))
    a = Agent(BIN, work, upstream=up).start()
    try:
        assert coll.wait(lambda c: len(c.events()) >= 2)
        assert coll.enrolments == 1
        assert open(key_file).read() == coll.token and os.stat(key_file).st_mode & 0o777 == 0o600
        # the collector forgets the key: 401, the agent enrols again and goes on
        coll.revoke_node_key()
        n = len(coll.events())
        assert coll.wait(lambda c: len(c.events()) >= n + 3)
        assert coll.enrolments == 2 and 401 in [r["status"] for r in coll.requests]
    finally:
        a.stop()
        coll.stop()
    assert_all_arrived(a, coll)
    # a restart reuses the stored key: no new enrolment
    coll2 = Collector(pki, token=open(key_file).read())
    coll2.enroll_secret = "enrol-me"
    coll2.start(port=coll.port)
    a.start()
    try:
        assert coll2.wait(lambda c: len(c.events()) >= 2)
        assert coll2.enrolments == 0
    finally:
        a.stop()
        coll2.stop()
