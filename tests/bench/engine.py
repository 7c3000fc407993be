#!/usr/bin/env python3
"""engine.py: keeps a private dockerd (tests/integration/dockerd.py) up for a benchmark script.

Prints "HOST unix:///...sock" once the engine answers, then waits: end of stdin,
SIGTERM or SIGINT stop the engine and remove its bridge, mounts and files."""
import os
import signal
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from dockerd import Dockerd  # noqa: E402


def main():
    d = Dockerd()

    def stop(*_):
        d.stop()
        os._exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        d.start()
        print("HOST", d.host, flush=True)
        sys.stdin.read()      # returns when the script closes its end or exits
    finally:
        d.stop()


if __name__ == "__main__":
    main()
