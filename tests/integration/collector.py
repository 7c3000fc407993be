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
