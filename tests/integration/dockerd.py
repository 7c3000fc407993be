"""dockerd.py: a private Docker engine for the tests, on its own socket, data root, exec root and bridge."""
import os
import random
import shutil
import signal
import socket
import subprocess
import tempfile
import time


class Dockerd:
    """Starts dockerd without touching an engine already running on the machine."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="dw", dir="/tmp")  # short: unix socket paths are limited
        self.sock = os.path.join(self.dir, "docker.sock")
        self.host = "unix://" + self.sock
        self.bridge = "dwt%04x" % random.randrange(0x10000)
        self.subnet_octet = random.randrange(2, 250)
        self.proc = None
        self.log = os.path.join(self.dir, "dockerd.log")
        self.tls_dir = os.path.join(self.dir, "tls")
        self.tcp_host = None

    def env(self):
        e = dict(os.environ)
        e["DOCKER_HOST"] = self.host
        e.pop("DOCKER_TLS_VERIFY", None)
        e.pop("DOCKER_CERT_PATH", None)
        e.pop("DOCKER_CONTEXT", None)
        return e

    def namespace(self):
        """containerd's namespace for this engine: the temp dir's name may end in '_', which containerd
        refuses (names are alphanumeric runs joined by '.', '_' or '-'), so the name's letters and digits."""
        return "".join(c for c in os.path.basename(self.dir) if c.isalnum())

    def start(self, extra_args=(), tls=True):
        if tls:
            make_tls(self.tls_dir)
            port = free_port()
            self.tcp_host = "tcp://127.0.0.1:%d" % port
            t = self.tls_dir
            extra_args = ("--host", self.tcp_host, "--tlsverify",
                          "--tlscacert", t + "/ca.pem", "--tlscert", t + "/server-cert.pem",
                          "--tlskey", t + "/server-key.pem", *extra_args)
        subprocess.run(["ip", "link", "add", self.bridge, "type", "bridge"], check=True)
        subprocess.run(["ip", "addr", "add", "10.199.%d.1/24" % self.subnet_octet, "dev", self.bridge], check=True)
        subprocess.run(["ip", "link", "set", self.bridge, "up"], check=True)
        args = [
            "dockerd",
            "--host", self.host,
            "--data-root", os.path.join(self.dir, "data"),
            "--exec-root", os.path.join(self.dir, "exec"),
            "--pidfile", os.path.join(self.dir, "docker.pid"),
            "--bridge", self.bridge,
            # the machine's own engine (if any) owns iptables and the default containerd namespace
            "--iptables=false", "--ip6tables=false",
            "--containerd-namespace", self.namespace(),
            "--containerd-plugins-namespace", self.namespace() + "-plugins",
            *extra_args,
        ]
        self.proc = subprocess.Popen(args, stdout=open(self.log, "wb"), stderr=subprocess.STDOUT,
                                     start_new_session=True)
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("dockerd exited: " + open(self.log).read()[-2000:])
            if os.path.exists(self.sock):
                r = subprocess.run(["docker", "version"], env=self.env(), capture_output=True)
                if r.returncode == 0:
                    return self
            time.sleep(0.2)
        raise RuntimeError("dockerd did not come up: " + open(self.log).read()[-2000:])

    def docker(self, *args, check=True, input=None):
        r = subprocess.run(["docker", *args], env=self.env(), capture_output=True, input=input)
        if check and r.returncode != 0:
            raise RuntimeError("docker %s: %s" % (" ".join(args), r.stderr.decode(errors="replace")))
        return r.stdout.decode(errors="replace").strip()

    def remove_all_containers(self):
        ids = self.docker("ps", "-aq").split()
        if ids:
            self.docker("rm", "-f", *ids)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            try:
                self.remove_all_containers()
            except RuntimeError:
                pass
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        subprocess.run(["ip", "link", "del", self.bridge], capture_output=True)
        # overlay and shm mounts left by a killed engine would make rmtree fail
        with open("/proc/self/mounts") as f:
            mounts = [line.split()[1] for line in f if self.dir in line.split()[1]]
        for m in sorted(mounts, key=len, reverse=True):
            subprocess.run(["umount", "-l", m], capture_output=True)
        shutil.rmtree(self.dir, ignore_errors=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_tls(d):
    """A test CA, a server certificate for 127.0.0.1/localhost and a client certificate,
    named as the docker CLI expects them in $DOCKER_CERT_PATH (ca.pem, cert.pem, key.pem)."""
    os.makedirs(d, exist_ok=True)

    def ossl(*args):
        subprocess.run(["openssl", *args], cwd=d, check=True, capture_output=True)

    ossl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca-key.pem", "-out", "ca.pem",
         "-days", "2", "-subj", "/CN=dockward test CA")
    with open(os.path.join(d, "server.ext"), "w") as f:
        f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n")
    with open(os.path.join(d, "client.ext"), "w") as f:
        f.write("extendedKeyUsage=clientAuth\n")
    for name, cn in (("server", "localhost"), ("client", "dockward test client")):
        ossl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", name + "-key.pem", "-out", name + ".csr",
             "-subj", "/CN=" + cn)
        ossl("x509", "-req", "-in", name + ".csr", "-CA", "ca.pem", "-CAkey", "ca-key.pem", "-CAcreateserial",
             "-out", name + "-cert.pem", "-days", "2", "-extfile", name + ".ext")
    shutil.copy(os.path.join(d, "client-cert.pem"), os.path.join(d, "cert.pem"))
    shutil.copy(os.path.join(d, "client-key.pem"), os.path.join(d, "key.pem"))


def make_busybox_rootfs(path, applets=("sh", "ls", "cat", "sleep", "httpd", "nc", "id", "echo", "true")):
    """A minimal root filesystem around Debian's busybox-static."""
    os.makedirs(os.path.join(path, "bin"))
    os.makedirs(os.path.join(path, "etc"))
    os.makedirs(os.path.join(path, "tmp"))
    os.makedirs(os.path.join(path, "www"))
    shutil.copy("/bin/busybox", os.path.join(path, "bin", "busybox"))
    for a in applets:
        os.symlink("busybox", os.path.join(path, "bin", a))
    with open(os.path.join(path, "etc", "passwd"), "w") as f:
        f.write("root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n")
    with open(os.path.join(path, "etc", "group"), "w") as f:
        f.write("root:x:0:\nnogroup:x:65534:\n")


def import_rootfs(d, path, ref, changes=()):
    """docker import of a directory tree: no registry needed."""
    tar = subprocess.run(["tar", "-C", path, "-c", "."], capture_output=True, check=True).stdout
    args = ["import"]
    for c in changes:
        args += ["-c", c]
    return d.docker(*args, "-", ref, input=tar)
