"""Run one command; write its wall seconds, CPU seconds and peak RSS as JSON.

    python -S bench/measure.py RESULT.json TIMEOUT -- COMMAND ...

Started by `harness.run_measured` so that the command is forked from this small
process: Linux carries the forking process's peak RSS over into the child's
`ru_maxrss` across exec, so a command forked straight from a benchmark process that
holds the developer sets in memory would report that process's size as its own. The
floor is now this launcher's size (about 10 MB). TIMEOUT 0 means none; otherwise the
command's process group gets SIGTERM after TIMEOUT seconds and SIGKILL 3 s later.
stdin, stdout and stderr are passed through.
"""
import json
import os
import signal
import subprocess
import sys
import time


def main() -> None:
    result_path, timeout = sys.argv[1], float(sys.argv[2])
    command = sys.argv[sys.argv.index("--") + 1:]
    start = time.perf_counter()
    process = subprocess.Popen(command, start_new_session=True)
    killed = False
    if not timeout:
        _pid, status, usage = os.wait4(process.pid, 0)
    else:
        signalled = None
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            now = time.perf_counter()
            if signalled is None and now > start + timeout:
                killed, signalled = True, now
                _signal_group(process.pid, signal.SIGTERM)
            elif signalled is not None and now > signalled + 3:
                _signal_group(process.pid, signal.SIGKILL)
                signalled = float("inf")
            time.sleep(0.02)
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    with open(result_path, "w") as out:
        json.dump({"wall": wall, "user": usage.ru_utime, "system": usage.ru_stime,
                   "max_rss_mb": usage.ru_maxrss / 1024, "returncode": process.returncode,
                   "killed": killed}, out)


def _signal_group(pid: int, signum: int) -> None:
    try:
        os.killpg(pid, signum)
    except ProcessLookupError:
        pass


if __name__ == "__main__":
    main()
