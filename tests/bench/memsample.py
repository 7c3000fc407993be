#!/usr/bin/env python3
"""memsample.py: runs a command RUNS times and prints the largest private (Pss_Anon) and shared-library (Pss_File) figures (KiB) of /proc/PID/smaps_rollup sampled every millisecond while it ran.

Usage: memsample.py [--ok 0,1] [--runs 3] COMMAND [ARG...]   (stdout and stderr of COMMAND go to /dev/null)
Prints: PSS_ANON_KB PSS_FILE_KB PRIVATE_DIRTY_KB SAMPLES   (the sample with the most Pss_Anon, worst of the runs)
Peak RSS is not measured here (a spawned child's ru_maxrss counts the parent's pages before exec): use
/usr/bin/time -f %M for it.
Pss_Anon is what the process owns (heap, stacks, relocated library data); Pss_File its share of the
file-backed pages (library code and read-only data), which other processes using the same libraries share.
"""
import os
import sys
import time


def rollup(pid):
    try:
        with open("/proc/%d/smaps_rollup" % pid) as f:
            text = f.read()
    except OSError:
        return None
    v = {}
    for line in text.splitlines()[1:]:
        key, _, rest = line.partition(":")
        fields = rest.split()
        if fields and fields[0].isdigit():
            v[key] = int(fields[0])
    return v or None


def once(argv, ok):
    devnull = os.open(os.devnull, os.O_WRONLY)
    # posix_spawn returns once the child has exec'd: every sample is of COMMAND, not of a copy of python
    pid = os.posix_spawnp(argv[0], argv, os.environ,
                          file_actions=[(os.POSIX_SPAWN_DUP2, devnull, 1), (os.POSIX_SPAWN_DUP2, devnull, 2)])
    os.close(devnull)
    best, samples = None, 0
    while True:
        got, status = os.waitpid(pid, os.WNOHANG)
        if got:
            break
        v = rollup(pid)
        if v:
            samples += 1
            if best is None or v.get("Pss_Anon", 0) > best.get("Pss_Anon", 0):
                best = v
        time.sleep(0.001)
    code = os.waitstatus_to_exitcode(status)
    if code not in ok:
        sys.exit("memsample: %s exited with %d" % (" ".join(argv), code))
    best = best or {}
    return best.get("Pss_Anon", 0), best.get("Pss_File", 0), best.get("Private_Dirty", 0), samples


def main():
    args, ok, runs = sys.argv[1:], {0}, 3
    while args and args[0] in ("--ok", "--runs"):
        if args[0] == "--ok":
            ok = {int(x) for x in args[1].split(",")}
        else:
            runs = int(args[1])
        args = args[2:]
    if not args:
        sys.exit(__doc__)
    results = [once(args, ok) for _ in range(runs)]
    # the worst of the runs, column by column (samples: the fewest, to show how thin the sampling was)
    print(*[max(r[i] for r in results) for i in range(3)], min(r[3] for r in results))


if __name__ == "__main__":
    main()
