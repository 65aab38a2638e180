"""Growth of every row of the performance suite with the size of the province.

Usage:
    .venv/bin/python benchmarks/growth.py [--results benchmarks/results] [10000 100000 1000000]

Reads the JSON files benchmarks/suite.py writes (`<size>.json`, else `<size>-partial.json`) and
prints, as a Markdown table, each row's p95 at each size and the ratio of the largest size to the
smallest (1M / 10k with the defaults). A row is a scenario and who runs it ("leader", "staff"...,
without the username and hit count, which change with the data); rows without a timing (the
HTTP load, throughputs) are left out; the quarter and the number-symbol chosen from the data are
named by their role ("Q (busiest)", "number-symbol (as typed)"), so the rows of different sizes
meet. Needs no database.
"""

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"
DEFAULT_SIZES = (10_000, 100_000, 1_000_000)


def load(folder: Path, size: int) -> dict[str, Any] | None:
    for name in (f"{size}.json", f"{size}-partial.json"):
        path = folder / name
        if path.exists():
            return json.loads(path.read_text())  # type: ignore[no-any-return]
    return None


# Parts of a scenario chosen from the data, which differ between sizes: the busiest quarter and
# the number-symbol a document of the cast bears.
_QUARTER = re.compile(r"Q[1-4]/\d{4}")
_SYMBOL = re.compile(r"^(search number-symbol) “([^”]*)”")


def scenario_key(scenario: str) -> str:
    scenario = _QUARTER.sub("Q (busiest)", scenario)
    found = _SYMBOL.match(scenario)
    if found:
        form = "folded" if found.group(2) == found.group(2).lower() else "as typed"
        scenario = f"{found.group(1)} ({form}){scenario[found.end() :]}"
    return scenario


def row_key(row: dict[str, Any]) -> str:
    who = (row.get("user") or "").split(" (", 1)[0]
    scenario = scenario_key(row["scenario"])
    return f"{scenario} | {who}" if who else scenario


def p95s(data: dict[str, Any]) -> dict[str, float]:
    found: dict[str, float] = {}
    for row in data.get("rows", []):
        ours = row.get("ours")
        if ours and ours.get("p95_ms") is not None:
            found.setdefault(row_key(row), float(ours["p95_ms"]))
    return found


def size_label(size: int) -> str:
    if size >= 1_000_000 and size % 1_000_000 == 0:
        return f"{size // 1_000_000}M"
    if size >= 1_000 and size % 1_000 == 0:
        return f"{size // 1_000}k"
    return str(size)


def ms(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:.1f}" if value < 100 else f"{value:.0f}"


def growth_table(tables: dict[int, dict[str, float]]) -> str:
    """Markdown: one line per row key (in the order of first appearance), p95 at each size and
    largest / smallest."""
    sizes = sorted(tables)
    keys: list[str] = []
    for size in sizes:
        keys += [key for key in tables[size] if key not in keys]
    first, last = sizes[0], sizes[-1]
    head = [size_label(s) for s in sizes]
    ratio = f"{size_label(last)} / {size_label(first)}"
    lines = [
        "| scenario | as | " + " | ".join(f"{h} p95" for h in head) + f" | {ratio} |",
        "| --- | --- |" + " ---: |" * (len(sizes) + 1),
    ]
    for key in keys:
        scenario, _, who = key.partition(" | ")
        values = [tables[s].get(key) for s in sizes]
        low, high = tables[first].get(key), tables[last].get(key)
        growth = f"{high / low:.2f}" if low and high is not None else ""
        lines.append(
            f"| {scenario} | {who} | " + " | ".join(ms(v) for v in values) + f" | {growth} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("sizes", nargs="*", type=int, default=list(DEFAULT_SIZES))
    parser.add_argument("--results", default=str(RESULTS), help="folder of the suite's JSON")
    args = parser.parse_args(argv)
    folder = Path(args.results)
    tables: dict[int, dict[str, float]] = {}
    for size in args.sizes:
        data = load(folder, size)
        if data is None:
            print(f"no results for {size} documents in {folder}", file=sys.stderr)
            continue
        tables[size] = p95s(data)
    if len(tables) < 2:
        print("growth needs the results of two sizes at least", file=sys.stderr)
        return 1
    print(growth_table(tables), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
