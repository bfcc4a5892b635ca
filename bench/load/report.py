"""Print a locust run's figures per request type: throughput, p50/p95/p99, errors (from its --csv files)."""

import csv
import sys
from pathlib import Path


def summary(stats_csv: Path, failures_csv: Path | None = None) -> str:
    with open(stats_csv, encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    if not rows:
        raise SystemExit(f"{stats_csv}: no requests recorded")
    header = (
        f"| {'request':<44} | {'requests':>8} | {'errors':>6} | {'req/s':>6} "
        f"| {'p50 ms':>7} | {'p95 ms':>7} | {'p99 ms':>7} | {'max ms':>7} |"
    )
    lines = [header, "|" + "|".join("-" * (len(c)) for c in header.split("|")[1:-1]) + "|"]
    for row in rows:
        name = row["Name"] if row["Name"] == "Aggregated" else f"{row['Name']}"
        if not name.startswith(("GET", "POST", "PUT", "Aggregated")):
            name = f"{row['Type']} {name}"
        lines.append(
            f"| {name:<44} | {row['Request Count']:>8} | {row['Failure Count']:>6} "
            f"| {float(row['Requests/s']):>6.1f} | {row['50%']:>7} | {row['95%']:>7} "
            f"| {row['99%']:>7} | {float(row['Max Response Time']):>7.0f} |"
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
    print(summary(Path(sys.argv[1]), Path(sys.argv[2]) if len(sys.argv) > 2 else None))
