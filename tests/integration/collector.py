"""collector.py: a loopback HTTPS collector for the upstream tests: test CA and certificates, scripted faults, a record of what arrived."""
import gzip
import http.server
import json
import os
import socket
import ssl
import subprocess
import threading
import time


def make_pki(d):
    """A test CA, a server certificate for 127.0.0.1/localhost, a client certificate, and an unrelated CA."""
    def run(*args):
        subprocess.run(["openssl", *args], check=True, capture_output=True, cwd=d)

    for ca in ("ca", "otherca"):
        run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", ca + ".key", "-out", ca + ".pem",
            "-days", "2", "-subj", "/CN=dockward test " + ca)
    ext = os.path.join(d, "san.ext")
    with open(ext, "w") as f:
        f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n")
    with open(os.path.join(d, "client.ext"), "w") as f:
        f.write("extendedKeyUsage=clientAuth\n")
    for name, ca, extfile in (("server", "ca", "san.ext"), ("client", "ca", "client.ext"),
                              ("wrongserver", "otherca", "san.ext")):
        run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", name + ".key", "-out", name + ".csr",
            "-subj", "/CN=" + name)
        run("x509", "-req", "-in", name + ".csr", "-CA", ca + ".pem", "-CAkey", ca + ".key",
            "-CAcreateserial", "-out", name + ".pem", "-days", "2", "-extfile", extfile)
    for f in os.listdir(d):
        if f.endswith(".key"):
            os.chmod(os.path.join(d, f), 0o600)
    return {k: os.path.join(d, k) for k in os.listdir(d)}


class Collector:
    """HTTPS POST endpoint. `script` is a list of actions used one per request, then 200:
    an int status, ("status", {headers}), "reset" (close without answering), ("slow", seconds)."""

    def __init__(self, pki_dir, server_cert="server", require_client_cert=True, token="s3cret-token",
                 max_events=None):
        self.pki = pki_dir
        self.lock = threading.Lock()
        self.requests = []          # every request: dict(path, headers, events|None, status)
        self.accepted = {}          # idempotency key -> events, for 2xx answers
        self.script = []
        self.token = token
        self.max_events = max_events
        self.require_client_cert = require_client_cert
        self.server_cert = server_cert
        self.httpd = None
        self.port = None
        self.thread = None

    def url(self, path="/ingest"):
        return "https://127.0.0.1:%d%s" % (self.port, path)

    def start(self, port=0):
        coll = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def do_POST(self):
                n = int(self.headers.get("Content-Length", "0"))
                raw = self.rfile.read(n)
                if self.path == "/enroll":
                    return coll._enroll(self, raw)
                with coll.lock:
                    action = coll.script.pop(0) if coll.script else 200
                if action == "reset":
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\0\0\0\0\0\0\0")
                    self.connection.close()
                    self.close_connection = True
                    coll._record(self, raw, "reset")
                    return
                headers = {}
                if isinstance(action, tuple) and action[0] == "slow":
                    time.sleep(action[1])
                    action = 200
                if isinstance(action, tuple):
                    action, headers = action
                status = action
                events = coll._decode(self, raw)
                if coll.token and self.headers.get("Authorization") != "Bearer " + coll.token:
                    status = 401
                elif events is None:
                    status = 400
                elif status == 200 and coll.max_events and len(events) > coll.max_events:
                    status = 413
                coll._record(self, raw, status, events)
                body = b'{"ok":true}' if status < 300 else b'{"error":"scripted"}'
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body)

        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(os.path.join(self.pki, self.server_cert + ".pem"),
                            os.path.join(self.pki, self.server_cert + ".key"))
        if self.require_client_cert:
            ctx.verify_mode = ssl.CERT_REQUIRED
            ctx.load_verify_locations(os.path.join(self.pki, "ca.pem"))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.httpd.daemon_threads = True
        self.httpd.socket = ctx.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        return self

    def stop(self):
        if self.httpd:
            self.httpd.shutdown()
            self.httpd.server_close()
            self.httpd = None

    enroll_secret = None
    enrolments = 0

    def _enroll(self, handler, raw):
        """Enrolment: the right secret gets a fresh node key, which is then the only bearer accepted."""
        try:
            doc = json.loads(raw)
        except ValueError:
            doc = {}
        if self.enroll_secret and doc.get("secret") == self.enroll_secret:
            with self.lock:
                self.enrolments += 1
                self.token = "node-%d-%s" % (self.enrolments, os.urandom(6).hex())
            status, body = 200, json.dumps({"node_key": self.token}).encode()
        else:
            status, body = 403, b'{"error":"bad secret"}'
        handler.send_response(status)
        handler.send_header("Content-Length", str(len(body)))
        handler.send_header("Content-Type", "application/json")
        handler.end_headers()
        handler.wfile.write(body)

    def revoke_node_key(self):
        with self.lock:
            self.token = "revoked-" + os.urandom(6).hex()

    def _decode(self, handler, raw):
        try:
            if handler.headers.get("Content-Encoding") == "gzip":
                raw = gzip.decompress(raw)
            doc = json.loads(raw)
        except (OSError, ValueError):
            return None
        return doc if isinstance(doc, list) else None

    def _record(self, handler, raw, status, events=None):
        with self.lock:
            self.requests.append({"path": handler.path, "headers": dict(handler.headers), "events": events,
                                  "status": status, "time": time.time()})
            if isinstance(status, int) and 200 <= status < 300:
                self.accepted.setdefault(handler.headers.get("Idempotency-Key"), events)

    def events(self):
        """Every event accepted, deduplicated by idempotency key (exactly once)."""
        with self.lock:
            return [e for evs in self.accepted.values() for e in evs]

    def all_deliveries(self):
        """Every event in a 2xx answer, duplicates included (at least once)."""
        with self.lock:
            return [e for r in self.requests if isinstance(r["status"], int) and 200 <= r["status"] < 300
                    for e in r["events"]]

    def wait(self, pred, timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if pred(self):
                return True
            time.sleep(0.05)
        return pred(self)


OCSF_REQUIRED = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "fixtures",
                             "ocsf-findings-required.json")
FINDING_CLASSES = {2002: "vulnerability_finding", 2003: "compliance_finding", 2004: "detection_finding"}


def ocsf_problems(event):
    """Every way event misses the required attributes of OCSF 1.3 and 1.8 (an empty list when it has them)."""
    spec = json.load(open(OCSF_REQUIRED))["versions"]
    problems = []
    for ver, s in spec.items():
        def need(obj, name, where):
            if not isinstance(obj, dict):
                problems.append("%s %s: not an object" % (ver, where))
                return
            o = s["objects"].get(name) if name in s["objects"] else s.get(name)
            for k in o["required"]:
                if obj.get(k) in (None, "", [], {}):
                    problems.append("%s %s: %s missing" % (ver, where, k))
            for kind, keys in o.get("constraints", {}).items():
                n = sum(1 for k in keys if obj.get(k) not in (None, ""))
                if (kind == "at_least_one" and n < 1) or (kind == "just_one" and n != 1):
                    problems.append("%s %s: %s of %s (has %d)" % (ver, where, kind, keys, n))
        need(event, "base_event", "event")
        cls = event.get("class_uid")
        if event.get("type_uid") != cls * 100 + event.get("activity_id", -1):
            problems.append("%s type_uid %s != class_uid*100+activity_id" % (ver, event.get("type_uid")))
        if str(event.get("severity_id")) not in s["enums"]["severity_id"]:
            problems.append("%s severity_id %s" % (ver, event.get("severity_id")))
        md = event.get("metadata", {})
        need(md, "metadata", "metadata")
        need(md.get("product"), "product", "metadata.product")
        if "device" in event:
            need(event["device"], "device", "device")
        if cls not in FINDING_CLASSES:
            continue
        if str(event.get("activity_id")) not in s["enums"]["finding.activity_id"]:
            problems.append("%s activity_id %s" % (ver, event.get("activity_id")))
        need(event, "finding", "finding")
        need(event, FINDING_CLASSES[cls], FINDING_CLASSES[cls])
        fi = event.get("finding_info")
        need(fi, "finding_info", "finding_info")
        if isinstance(fi, dict) and "analytic" in fi:
            need(fi["analytic"], "analytic", "finding_info.analytic")
        if "remediation" in event:
            need(event["remediation"], "remediation", "remediation")
        if cls == 2003:
            need(event.get("compliance"), "compliance", "compliance")
            if str(event["compliance"].get("status_id")) not in s["enums"]["compliance.status_id"]:
                problems.append("%s compliance.status_id" % ver)
        for i, v in enumerate(event.get("vulnerabilities", [])):
            need(v, "vulnerability", "vulnerabilities[%d]" % i)
            if "cve" in v:
                need(v["cve"], "cve", "vulnerabilities[%d].cve" % i)
                for c in v["cve"].get("cvss", []):
                    need(c, "cvss", "cvss")
            for p in v.get("affected_packages", []):
                need(p, "affected_package", "affected_packages")
                need(p, "package", "affected_packages")
            if "remediation" in v:
                need(v["remediation"], "remediation", "vulnerabilities[%d].remediation" % i)
        for i, e in enumerate(event.get("evidences", [])):
            need(e, "evidences", "evidences[%d]" % i)
            if "container" in e:
                need(e["container"], "container", "evidences[%d].container" % i)
        for r in event.get("resources", []):
            need(r, "resource_details", "resources")
    return problems


class Agent:
    """`dockward daemon --foreground` with a private state dir, spool and config."""

    def __init__(self, bin_path, workdir, docker_host=None, upstream=None, sinks="", extra=""):
        self.bin = bin_path
        self.dir = workdir
        os.makedirs(workdir, exist_ok=True)
        self.conf = os.path.join(workdir, "dockward.conf")
        self.state = os.path.join(workdir, "state")
        self.spool = os.path.join(self.state, "spool")
        self.ndjson = os.path.join(workdir, "events.ndjson")
        self.log = os.path.join(workdir, "daemon.log")
        self.docker_host = docker_host or "unix://" + os.path.join(workdir, "no-docker.sock")
        self.proc = None
        text = ("[agent]\nstate_dir = %s\nlog_level = info\n[docker]\nhost = %s\n"
                "[upstream]\nspool_dir = %s\nuser =\nretry_min = 100ms\nretry_max = 1s\n"
                "flush_interval = 100ms\nflush_timeout = 3s\ntimeout = 5s\n" % (self.state, self.docker_host, self.spool))
        if upstream:
            text += upstream + "\n"
        text += extra + "\n"
        text += "[sink.local]\ntype = file\npath = %s\n" % self.ndjson
        text += sinks
        with open(self.conf, "w") as f:
            f.write(text)

    def run(self, *args, timeout=30):
        e = dict(os.environ)
        e.pop("DOCKER_HOST", None)
        e["DOCKWARD_CONFIG"] = ""
        return subprocess.run([self.bin, "-c", self.conf, *args], env=e, capture_output=True, text=True,
                              timeout=timeout)

    def start(self):
        e = dict(os.environ)
        e.pop("DOCKER_HOST", None)
        e["DOCKWARD_CONFIG"] = ""
        self.proc = subprocess.Popen([self.bin, "-c", self.conf, "daemon", "--foreground"], env=e,
                                     stdout=subprocess.DEVNULL, stderr=open(self.log, "ab"))
        return self

    def stop(self, sig=15, timeout=20):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            rc = self.proc.wait(timeout)
        else:
            rc = self.proc.returncode if self.proc else None
        # a kill -9 leaves the uploader child: it leaves too once the daemon's end of the socket closes
        return rc

    def status(self):
        r = self.run("status", "--format", "json")
        return json.loads(r.stdout) if r.stdout.strip() else None

    def local_events(self):
        """What the file sink has: the same spool, delivered locally."""
        if not os.path.exists(self.ndjson):
            return []
        return [json.loads(l) for l in open(self.ndjson) if l.strip()]

    def logtext(self):
        return open(self.log, errors="replace").read() if os.path.exists(self.log) else ""


class SocketProxy:
    """A unix socket that forwards to the test engine's socket; stop() is an engine going away."""

    def __init__(self, path, target):
        self.path = path
        self.target = target
        self.srv = None
        self.conns = []
        self.lock = threading.Lock()

    def start(self):
        if os.path.exists(self.path):
            os.unlink(self.path)
        self.srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.srv.bind(self.path)
        self.srv.listen(16)
        threading.Thread(target=self._accept, args=(self.srv,), daemon=True).start()
        return self

    def _accept(self, srv):
        while True:
            try:
                c, _ = srv.accept()
            except OSError:
                return
            u = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                u.connect(self.target)
            except OSError:
                c.close()
                continue
            with self.lock:
                self.conns += [c, u]
            for a, b in ((c, u), (u, c)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(a, b):
        try:
            while True:
                data = a.recv(65536)
                if not data:
                    break
                b.sendall(data)
        except OSError:
            pass
        for s in (a, b):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def stop(self):
        if self.srv:
            self.srv.close()
            self.srv = None
        if os.path.exists(self.path):
            os.unlink(self.path)
        with self.lock:
            for s in self.conns:
                try:
                    s.shutdown(socket.SHUT_RDWR)
                    s.close()
                except OSError:
                    pass
            self.conns = []
