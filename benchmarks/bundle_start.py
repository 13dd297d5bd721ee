"""``scrutiny-desktop --version``: the packaged bundle against the source.

Times, interleaved, a whole process that prints the version: the bundle's
executable (``make dist`` builds it into ``dist/``) and ``python -m
scrutiny_desktop --version`` from this checkout.  The issue's goal is the
bundle within 1.5x the source: a command-line call must not pay for the GUI.

    .venv/bin/python benchmarks/bundle_start.py [--runs 21] [--bundle PATH]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_BUNDLE = ROOT / "dist" / "scrutiny-desktop" / (
    "scrutiny-desktop.exe" if sys.platform.startswith("win") else "scrutiny-desktop")


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=60)
    elapsed = time.perf_counter() - start
    if done.returncode != 0 or "Scrutiny Desktop" not in done.stdout:
        raise SystemExit(f"{command[0]} --version failed: {done.stderr.strip()[-500:]}")
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--bundle", type=Path, default=DEFAULT_BUNDLE)
    args = parser.parse_args(argv)
    if not args.bundle.is_file():
        print(f"bundle --version: no bundle at {args.bundle} (make dist builds it); not measured")
        return 0
    bundle = [str(args.bundle), "--version"]
    source = [sys.executable, "-m", "scrutiny_desktop", "--version"]
    timed(bundle), timed(source)  # warm the file cache for both
    ours, floor = [], []
    for _ in range(args.runs):
        ours.append(timed(bundle))
        floor.append(timed(source))
    o, f = statistics.median(ours), statistics.median(floor)
    print(f"--version: bundle {o * 1000:.0f} ms, source {f * 1000:.0f} ms, ratio {o / f:.2f}x "
          f"(goal <= 1.5x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
