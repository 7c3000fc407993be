#!/usr/bin/env python3
"""engine.py: keeps a private dockerd (tests/integration/dockerd.py) up for a benchmark script.

Prints "HOST unix:///...sock" once the engine answers, then waits: end of stdin,
SIGTERM or SIGINT stop the engine and remove its bridge, mounts and files.
With arguments STYLE CONFIG (compare-docker-bench.sh) the engine reads CONFIG as its daemon.json and
listens on TLS as well, its options written --opt=VALUE (STYLE equals) or --opt VALUE (STYLE space)."""
import os
import signal
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
import dockerd  # noqa: E402
from dockerd import Dockerd  # noqa: E402


def start(d, args):
    if not args:
        d.start()
    elif args[0] == "space":
        d.start(extra_args=["--config-file", args[1]])
    else:
        dockerd.make_tls(d.tls_dir)
        t = d.tls_dir
        d.start(extra_args=["--host=tcp://127.0.0.1:%d" % dockerd.free_port(), "--tlsverify",
                            "--tlscacert=" + t + "/ca.pem", "--tlscert=" + t + "/server-cert.pem",
                            "--tlskey=" + t + "/server-key.pem", "--config-file=" + args[1]], tls=False)


def main():
    d = Dockerd()

    def stop(*_):
        d.stop()
        os._exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        start(d, sys.argv[1:])
        print("HOST", d.host, flush=True)
        sys.stdin.read()      # returns when the script closes its end or exits
    finally:
        d.stop()


if __name__ == "__main__":
    main()
