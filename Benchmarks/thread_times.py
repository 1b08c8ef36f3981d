#!/usr/bin/env python3
"""Where an import's threads spend their time: running, waiting for a core, or blocked.

    python3 Benchmarks/thread_times.py .build/release/ctsync ARCHIVE.zip [--db PATH]

Runs `ctsync import ARCHIVE --db PATH --json` (a new database, removed afterwards) and reads each thread's
/proc/PID/task/TID/schedstat every half second (Linux only): time on a core, time runnable but waiting for one
(the run queue), and the rest of its life off a core (blocked on a queue, a lock or the disk). The thread that runs
longest is the writer; the ones that follow are the workers (one per core); the reader is the small one. A pipeline
whose single writer waits in the run queue while the workers block on a full queue is losing a core to scheduling.
"""
import os
import subprocess
import sys
import time


def main():
    args = sys.argv[1:]
    if len(args) < 2 or args[0].startswith("-"):
        sys.exit(__doc__)
    binary, archive = args[0], args[1]
    if "--db" in args and args.index("--db") + 1 >= len(args):
        sys.exit("--db needs a path")
    db = args[args.index("--db") + 1] if "--db" in args else f"/tmp/ctsync-thread-times-{os.getpid()}.sqlite"
    suffixes = ["", "-wal", "-shm", "-journal"]
    if any(os.path.exists(db + s) for s in suffixes):
        sys.exit(f"{db} exists: give a new path with --db")
    ticks = os.sysconf("SC_CLK_TCK")
    started = time.time()
    child = subprocess.Popen([binary, "import", archive, "--db", db, "--json"],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    last = {}
    while child.poll() is None:
        for tid in os.listdir(f"/proc/{child.pid}/task"):
            try:
                with open(f"/proc/{child.pid}/task/{tid}/schedstat") as f:
                    run, wait, _ = map(int, f.read().split())
                with open(f"/proc/{child.pid}/task/{tid}/stat") as f:
                    start = int(f.read().rsplit(")", 1)[1].split()[19]) / ticks
                with open("/proc/uptime") as f:
                    uptime = float(f.read().split()[0])
            except (FileNotFoundError, ProcessLookupError, ValueError):
                continue
            last[tid] = (run / 1e9, wait / 1e9, uptime - start)
        time.sleep(0.5)
    summary = child.stdout.read().decode().strip()
    wall = time.time() - started
    for s in suffixes:
        if os.path.exists(db + s):
            os.remove(db + s)
    if child.returncode != 0:
        sys.exit(f"ctsync import exited with {child.returncode}: {summary}")
    total = sum(run for run, _, _ in last.values())
    print(f"wall {wall:.1f} s, CPU {total:.1f} s ({total / wall:.2f} cores busy)")
    print(summary)
    print("| thread | on a core | waiting for a core | blocked | life |")
    print("|---|---|---|---|---|")
    for tid, (run, wait, life) in sorted(last.items(), key=lambda item: -item[1][0]):
        if run >= 0.5:
            print(f"| {tid} | {run:.1f} s | {wait:.1f} s | {max(0.0, life - run - wait):.1f} s | {life:.1f} s |")


if __name__ == "__main__":
    main()
