"""scan_images.py: test images for the scanner: a debootstrapped Debian bookworm (cached as a tarball between runs) and hand-made trees."""
import fcntl
import os
import shutil
import subprocess
import tempfile

CACHE = os.environ.get("DOCKWARD_TEST_CACHE", "/var/cache/dockward-test")
BOOKWORM_TAR = os.path.join(CACHE, "bookworm-minbase.tar")
MIRROR = os.environ.get("DEBIAN_MIRROR", "http://deb.debian.org/debian")


def bookworm_tarball():
    """The root filesystem of `debootstrap --variant=minbase bookworm`, made once per machine."""
    os.makedirs(CACHE, exist_ok=True)
    with open(BOOKWORM_TAR + ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if os.path.exists(BOOKWORM_TAR):
            return BOOKWORM_TAR
        tmp = tempfile.mkdtemp(prefix="dwboot", dir=CACHE)
        try:
            root = os.path.join(tmp, "root")
            subprocess.run(["debootstrap", "--variant=minbase", "bookworm", root, MIRROR],
                           check=True, capture_output=True)
            part = BOOKWORM_TAR + ".part"
            subprocess.run(["tar", "-C", root, "--numeric-owner", "-cf", part, "."], check=True)
            os.rename(part, BOOKWORM_TAR)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return BOOKWORM_TAR


def import_tarball(d, tar, ref, changes=()):
    args = ["import"]
    for c in changes:
        args += ["--change", c]
    d.docker(*args, tar, ref)
    return ref
