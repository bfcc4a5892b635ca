"""Print a locust run's figures per request type: throughput, p50/p95/p99, errors (from its --csv
files), and, given the JSON the locustfile writes (LOAD_SERVER_TIMING), the server's own wall and
CPU time per request type (p50/p95) from the Server-Timing header of bench/load/wsgi.py."""

import csv
import json
import sys
from pathlib import Path


def _pct(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def summary(
    stats_csv: Path, failures_csv: Path | None = None, server_json: Path | None = None
) -> str:
    with open(stats_csv, encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    if not rows:
        raise SystemExit(f"{stats_csv}: no requests recorded")
    server = {}
    if server_json and server_json.exists():
        server = json.loads(server_json.read_text(encoding="utf-8"))
    header = (
        f"| {'request':<44} | {'requests':>8} | {'errors':>6} | {'req/s':>6} "
        f"| {'p50 ms':>7} | {'p95 ms':>7} | {'p99 ms':>7} | {'max ms':>7} "
        f"| {'server p50/p95 ms':>17} | {'CPU p50/p95 ms':>14} |"
    )
    lines = [header, "|" + "|".join("-" * (len(c)) for c in header.split("|")[1:-1]) + "|"]
    for row in rows:
        name = row["Name"] if row["Name"] == "Aggregated" else f"{row['Name']}"
        if not name.startswith(("GET", "POST", "PUT", "Aggregated")):
            name = f"{row['Type']} {name}"
        timings = server.get(row["Name"], [])
        walls = [t[0] for t in timings]
        cpus = [t[1] for t in timings]
        wall = f"{_pct(walls, 0.5):.1f} / {_pct(walls, 0.95):.1f}" if walls else "—"
        cpu = f"{_pct(cpus, 0.5):.1f} / {_pct(cpus, 0.95):.1f}" if cpus else "—"
        lines.append(
            f"| {name:<44} | {row['Request Count']:>8} | {row['Failure Count']:>6} "
            f"| {float(row['Requests/s']):>6.1f} | {row['50%']:>7} | {row['95%']:>7} "
            f"| {row['99%']:>7} | {float(row['Max Response Time']):>7.0f} "
            f"| {wall:>17} | {cpu:>14} |"
        )
    if failures_csv and failures_csv.exists():
        with open(failures_csv, encoding="utf-8") as file:
            failures = list(csv.DictReader(file))
        for failure in failures:
            lines.append(
                f"error: {failure['Method']} {failure['Name']}: {failure['Error']} "
                f"× {failure['Occurrences']}"
            )
    return "\n".join(lines)


if __name__ == "__main__":
    paths = [Path(arg) for arg in sys.argv[1:4]]
    print(summary(*paths))
