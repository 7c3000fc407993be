"""watch_env.py: what the `dockward watch` tests share: the test image with the behaviour helper, and a watch session."""
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time

from conftest import BIN, ROOT
from dockerd import import_rootfs

IMAGE = "dwtest/watch:1"
APPLETS = ("sh", "ls", "cat", "sleep", "httpd", "nc", "id", "echo", "true", "wget", "mount", "unshare", "nsenter",
           "chmod", "ln", "truncate", "mkdir", "cp", "rm", "rpm", "hostname", "date", "uname", "ps", "grep", "head")


def build_image(d):
    """busybox, the static behaviour helper and a CGI script, imported as one layer (all of it 'part of the image')."""
    tmp = tempfile.mkdtemp(prefix="dwwatch")
    try:
        root = os.path.join(tmp, "root")
        for sub in ("bin", "etc", "tmp", "www/cgi-bin", "usr/bin", "var/log", "mnt", "proc", "sys", "dev"):
            os.makedirs(os.path.join(root, sub))
        shutil.copy("/bin/busybox", os.path.join(root, "bin", "busybox"))
        for a in APPLETS:
            os.symlink("busybox", os.path.join(root, "bin", a))
        os.symlink("/bin/busybox", os.path.join(root, "usr", "bin", "gcc"))
        helper = os.path.join(root, "bin", "watch_helper")
        subprocess.run(["gcc", "-static", "-O2", "-o", helper,
                        os.path.join(ROOT, "tests", "integration", "watch_helper.c")], check=True)
        with open(os.path.join(root, "etc", "passwd"), "w") as f:
            f.write("root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n")
        with open(os.path.join(root, "etc", "shadow"), "w") as f:
            f.write("root:*:19000:0:99999:7:::\n")
        with open(os.path.join(root, "www", "index.html"), "w") as f:
            f.write("<p>hello</p>\n")
        cgi = os.path.join(root, "www", "cgi-bin", "run.cgi")
        with open(cgi, "w") as f:
            f.write("#!/bin/sh\necho 'Content-Type: text/plain'\necho\nid\n")
        os.chmod(cgi, 0o755)
        import_rootfs(d, root, IMAGE, changes=['CMD ["/bin/sh"]'])
    finally:
        shutil.rmtree(tmp)
    return IMAGE


def rules_dir(tmp_path, enable=()):
    """A copy of rules/runtime with the named rules switched on."""
    dst = os.path.join(str(tmp_path), "rules")
    shutil.copytree(os.path.join(ROOT, "rules", "runtime"), dst)
    for name in os.listdir(dst):
        p = os.path.join(dst, name)
        text = open(p).read()
        for rule in enable:
            head = "[%s]\n" % rule
            if head in text:
                start = text.index(head)
                end = text.find("\n[", start + 1)
                end = len(text) if end < 0 else end
                text = text[:start] + text[start:end].replace("enabled = false", "enabled = true") + text[end:]
        open(p, "w").write(text)
    return dst


class Watch:
    """dockward watch -f json in the background; stop() returns (alerts, summary)."""

    def __init__(self, dockerd, rules, extra=()):
        self.dir = tempfile.mkdtemp(prefix="dwwatchout")
        self.out = open(os.path.join(self.dir, "out"), "wb")
        self.err_path = os.path.join(self.dir, "err")
        env = dict(os.environ)
        env.pop("DOCKER_HOST", None)
        env["DOCKWARD_CONFIG"] = ""
        self.proc = subprocess.Popen([BIN, "--docker-host", dockerd.host, "-v", "watch", "-f", "json", "--rules", rules,
                                      *extra], stdout=self.out, stderr=open(self.err_path, "wb"), env=env)
        deadline = time.time() + 30
        while time.time() < deadline:
            if "rules active" in self.err():
                return
            if self.proc.poll() is not None:
                raise RuntimeError("watch exited %d: %s" % (self.proc.returncode, self.err()))
            time.sleep(0.1)
        raise RuntimeError("watch did not start: " + self.err())

    def err(self):
        return open(self.err_path, errors="replace").read()

    def lines(self):
        text = open(os.path.join(self.dir, "out"), errors="replace").read()
        return [json.loads(l) for l in text.splitlines() if l.strip()]

    def wait_for(self, pred, timeout=10):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if any(pred(a) for a in self.lines() if "rule" in a):
                return True
            time.sleep(0.2)
        return False

    def stop(self, sig=signal.SIGINT):
        time.sleep(1.0)     # let the last events cross the ring buffer
        self.proc.send_signal(sig)
        self.rc = self.proc.wait(30)
        self.out.close()
        lines = self.lines()
        shutil.rmtree(self.dir, ignore_errors=True)
        alerts = [l for l in lines if "rule" in l]
        summaries = [l["summary"] for l in lines if "summary" in l]
        return alerts, (summaries[-1] if summaries else None)


def container_ip(d, name):
    return d.docker("inspect", "-f", "{{.NetworkSettings.IPAddress}}", name)


def gateway_ip(d):
    return "10.199.%d.1" % d.subnet_octet
