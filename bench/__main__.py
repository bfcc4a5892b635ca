"""Run the benchmarks: `python -m bench` (all) or `python -m bench media_pipeline search …`."""

import importlib
import os
import sys
import time

BENCHMARKS = [
    "media_pipeline",
    "worker_faults",
    "search",
    "progress",
    "checkin",
    "exams",
    "exam_calls",
    "exam_instructions",
    "reports",
    "migration",
    "stats",
    "meetings_visible",
]


def main(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.dev")
    names = argv or BENCHMARKS
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}")
        return 2
    failed = []
    for name in names:
        print(f"\n==== bench.{name} ====", flush=True)
        started = time.perf_counter()
        try:
            importlib.import_module(f"bench.{name}").main()
        except Exception as exc:  # noqa: BLE001 — report and go on with the others
            failed.append(name)
            print(f"bench.{name} failed: {exc!r}")
        print(f"(bench.{name}: {time.perf_counter() - started:.1f} s)", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
