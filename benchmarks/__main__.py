"""Run every benchmark module (or those named on the command line) and print a table.

Results also go to `.bench/results.json` so issue notes can quote exact numbers.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import sys
import time
from pathlib import Path

import benchmarks
from benchmarks.common import Result


def main(argv: list[str]) -> int:
    names = sorted(m.name for m in pkgutil.iter_modules(benchmarks.__path__) if m.name.startswith("bench_"))
    if argv:
        names = [n for n in names if any(a in n for a in argv)]
    results: list[Result] = []
    failed = 0
    for name in names:
        mod = importlib.import_module(f"benchmarks.{name}")
        t0 = time.perf_counter()
        print(f"== {name}", flush=True)
        try:
            for r in mod.run():
                results.append(r)
                print("  " + r.line(), flush=True)
                failed += r.ok is False
        except Exception as e:  # one broken benchmark must not hide the others
            print(f"  ERROR {type(e).__name__}: {e}", flush=True)
            failed += 1
        print(f"  ({time.perf_counter() - t0:.1f} s)", flush=True)
    out = Path(".bench")
    out.mkdir(exist_ok=True)
    (out / "results.json").write_text(json.dumps([r.__dict__ for r in results], indent=2))
    print(f"\n{len(results)} measurements, {failed} below goal. Saved to .bench/results.json")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
