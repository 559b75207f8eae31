"""Peak memory of a measured process: its own peak RSS (VmHWM), read by the process itself.

`getrusage`'s `ru_maxrss` is not used: after fork and exec it keeps the parent's peak (a benchmark that
generates its input first would report the generator's memory), for RUSAGE_CHILDREN as for wait4.

    python benchmarks/measure.py OUT.json MODULE|SCRIPT.py [ARG...]

runs MODULE as `python -m MODULE ARG...` would (or SCRIPT.py as `python SCRIPT.py ARG...`), in this process,
then writes its exit code and VmHWM to OUT.json; `measured_run` does this in a child process and times it.
"""

from __future__ import annotations

import json
import runpy
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


def own_peak_mb() -> float:
    """Peak RSS of this process's own address space (VmHWM of /proc/self/status), in MB."""
    for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise SystemExit("no VmHWM in /proc/self/status: peak memory is measured on Linux only")


def measured_run(target: str, args: list[str], cwd: Path | None = None) -> dict[str, Any]:
    """`python -m target args` (`python target args` for a .py file) in a child process: {"seconds" (wall,
    interpreter start included), "peak_mb" (the child's own VmHWM), "stdout"}. A failing run raises
    CalledProcessError with its stderr."""
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "measured.json"
        start = time.perf_counter()
        run = subprocess.run(
            [sys.executable, __file__, str(out), target, *args], capture_output=True, text=True, cwd=cwd
        )
        seconds = time.perf_counter() - start
        measured = json.loads(out.read_text(encoding="utf-8")) if out.exists() else {"exit": run.returncode}
    if run.returncode or measured["exit"]:
        raise subprocess.CalledProcessError(run.returncode or measured["exit"], run.args, run.stdout, run.stderr)
    return {"seconds": seconds, "peak_mb": measured["peak_mb"], "stdout": run.stdout}


def _exit_code(error: SystemExit) -> int:
    return error.code if isinstance(error.code, int) else (0 if error.code is None else 1)


def main() -> None:
    out, target, *args = sys.argv[1:]
    sys.argv = [target, *args]
    code = 0
    try:
        if target.endswith(".py"):
            runpy.run_path(target, run_name="__main__")
        else:
            runpy.run_module(target, run_name="__main__", alter_sys=True)
    except SystemExit as error:
        code = _exit_code(error)
    Path(out).write_text(json.dumps({"exit": code, "peak_mb": own_peak_mb()}), encoding="utf-8")


if __name__ == "__main__":
    main()
