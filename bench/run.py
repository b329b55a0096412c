"""Measure feedkit against the machine's floors (and against another feedkit) and write
bench/RESULTS.md.

    python bench/run.py [--sizes 1000,10000] [--big] [--repeat 3]
                        [--feedkit after=.venv/bin/python --feedkit before=/path/to/python]

Every measurement is a whole process (interpreter start and imports included), run --repeat
times on the same corpus; the best time is kept, with that run's peak memory (from wait4).
Each --feedkit LABEL=PYTHON names an interpreter with feedkit installed; every measure runs
with each, alternately, so their ratio is taken within one run on one machine (the default is
this interpreter, labelled "feedkit"). Corpora are made by bench/make_corpus.py into
bench/corpus-N/ (all articles with a description) and bench/corpus-N-nodesc/ (15% with one,
as real archives), which git ignores and runs reuse.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from make_corpus import make_corpus  # noqa: E402 - after the path is set

NO_DESCRIPTION_SHARE = 0.15  # the share of articles with a description in a "nodesc" corpus


@dataclass
class Measure:
    seconds: float
    peak_mb: float


@dataclass
class Row:
    size: int
    corpus: str
    name: str
    floor: str | None  # which floor the ratio is to: "stat", "yaml" or None
    results: dict[str, Measure]  # label -> best measure


def run_once(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> Measure:
    """Seconds and peak RSS (MB) of one run of ``cmd``; fails loudly on a non-zero exit."""
    start = time.perf_counter()
    process = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, env={**os.environ, **(env or {})})
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    stderr = process.stderr.read().decode() if process.stderr else ""
    if process.returncode not in (0, 3):
        raise SystemExit(f"{' '.join(cmd)} exited {process.returncode}:\n{stderr}")
    return Measure(elapsed, usage.ru_maxrss / 1024)


def corpus(size: int, *, descriptions: float = 1.0) -> Path:
    suffix = "" if descriptions == 1.0 else "-nodesc"
    dest = BENCH / f"corpus-{size}{suffix}"
    if not (dest / "feedkit.toml").exists():
        shutil.rmtree(dest, ignore_errors=True)
        print(f"making a corpus of {size} articles in {dest} ...", flush=True)
        make_corpus(size, dest, descriptions=descriptions)
    return dest


class Bench:
    def __init__(self, pythons: dict[str, str], repeat: int, scratch: Path) -> None:
        self.pythons = pythons
        self.repeat = repeat
        self.scratch = scratch
        self.rows: list[Row] = []

    def state(self, site: Path, label: str) -> Path:
        """Where this feedkit keeps its cache for ``site``: its own, so that two versions never
        empty each other's (an older feedkit keeps it beside the digest state file)."""
        return self.scratch / f"state-{site.name}-{label}"

    def env(self, site: Path, label: str) -> dict[str, str]:
        folder = self.state(site, label)
        return {"FEEDKIT_BUILD_CACHE": str(folder / "cache.db"),
                "FEEDKIT_DIGEST_STATE": str(folder / "state.db")}

    def floor(self, size: int, name: str, content: Path) -> Measure:
        runs = [run_once([sys.executable, str(BENCH / "floors.py"), name, str(content)],
                         content.parent) for _ in range(self.repeat)]
        best = min(runs, key=lambda m: m.seconds)
        self.rows.append(Row(size, content.parent.name, f"floor: {name}", None,
                             {"floor": best}))
        print(f"  {'floor: ' + name:<34} {best.seconds:8.3f} s {best.peak_mb:7.0f} MB",
              flush=True)
        return best

    def measure(self, size: int, site: Path, name: str, args: Callable[[str], list[str]],
                *, floor: str | None, before: Callable[[str], None] | None = None,
                repeat: int | None = None) -> None:
        """Each feedkit, alternately, ``repeat`` times; ``args(label)`` gives the command's
        arguments after ``python -m feedkit -q``, ``before(label)`` runs before each run."""
        runs: dict[str, list[Measure]] = {label: [] for label in self.pythons}
        for _ in range(repeat or self.repeat):
            for label, python in self.pythons.items():
                if before is not None:
                    before(label)
                runs[label].append(run_once([python, "-m", "feedkit", "-q", *args(label)],
                                            site, self.env(site, label)))
        best = {label: min(found, key=lambda m: m.seconds) for label, found in runs.items()}
        self.rows.append(Row(size, site.name, name, floor, best))
        shown = "  ".join(f"{label} {m.seconds:7.3f} s {m.peak_mb:5.0f} MB"
                          for label, m in best.items())
        print(f"  {name:<34} {shown}", flush=True)


def measure_site(bench: Bench, size: int, site: Path, *, full: bool) -> None:
    content = site / "content"
    print(f"{size} articles, {site.name}:", flush=True)
    for floor in ("stat", "read", "yaml"):
        bench.floor(size, floor, content)

    def out(label: str) -> Path:
        return bench.scratch / f"public-{site.name}-{label}"

    def fresh(label: str) -> None:  # a cold start: no cache, no earlier output
        shutil.rmtree(bench.state(site, label), ignore_errors=True)
        shutil.rmtree(out(label), ignore_errors=True)

    def build(label: str, *extra: str) -> list[str]:
        return ["build", "--output", str(out(label)), *extra]

    bench.measure(size, site, "build cold, --no-cache", lambda lb: build(lb, "--no-cache"),
                  floor="yaml", before=fresh)
    bench.measure(size, site, "build cold, filling the cache", build, floor="yaml",
                  before=fresh)
    if not full:
        return
    bench.measure(size, site, "build warm (nothing changed)", build, floor="stat")
    victim = next(iter(sorted(content.rglob("*.md"))))
    original = victim.read_text(encoding="utf-8")

    def touch(label: str) -> None:
        victim.write_text(original + f"\nOne more line, {time.perf_counter()}.\n",
                          encoding="utf-8")

    try:
        bench.measure(size, site, "build after touching one", build, floor="stat",
                      before=touch)
    finally:
        victim.write_text(original, encoding="utf-8")
    if size <= 20_000:
        bench.measure(size, site, "check (process pool)", lambda lb: ["check"], floor=None,
                      repeat=1)

    def digest(label: str) -> list[str]:
        return ["digest", "--since", "2020-01-01", "--until", "2026-01-01", "--limit", "50",
                "--output", str(bench.scratch / f"digest-{label}"), "--state",
                str(bench.scratch / f"state-{label}.db")]

    bench.measure(size, site, "digest of 50", digest, floor=None,
                  before=lambda lb: (bench.scratch / f"state-{lb}.db").unlink(missing_ok=True))


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"{platform.system()} {platform.release()}, {cpu}, {os.cpu_count()} cores, "
            f"Python {platform.python_version()}")


def write_results(bench: Bench, command: str) -> Path:
    labels = list(bench.pythons)
    floors = {(row.corpus, row.name.split(": ")[1]): row.results["floor"].seconds
              for row in bench.rows if row.name.startswith("floor")}
    header = "| articles | corpus | measure | " + " | ".join(
        f"{label} s | {label} MB" for label in labels) + " | ratio |"
    lines = [
        "# Benchmark results", "",
        f"Command: `{command}`  ",
        f"Machine: {machine()}  ",
        "Each figure is the best of the runs of a whole process (start-up and imports "
        "included); peak memory is that run's maximum resident set size. Every feedkit ran "
        "each measure in turn, in one run of this script, on the same corpus.", "",
        header, "|" + "---:|" * 2 + "---|" + "---:|---:|" * len(labels) + "---|",
    ]
    for row in bench.rows:
        cells = []
        for label in labels:
            m = row.results.get(label) or row.results.get("floor")
            cells.append(f"{m.seconds:.3f} | {m.peak_mb:.0f}" if m else " | ")
        ratio = ""
        last = row.results.get(labels[-1])
        if row.floor and last:
            ratio = f"{last.seconds / floors[(row.corpus, row.floor)]:.1f}x {row.floor} floor"
        if len(labels) == 2 and all(label in row.results for label in labels):
            first, second = (row.results[label].seconds for label in labels)
            ratio += f"{'; ' if ratio else ''}{labels[1]}/{labels[0]} {second / first:.2f}"
        lines.append(f"| {row.size:,} | {row.corpus} | {row.name} | {' | '.join(cells)} | "
                     f"{ratio} |")
    path = BENCH / "RESULTS.md"
    notes = BENCH / "NOTES.md"
    lines += ["", notes.read_text(encoding="utf-8") if notes.exists() else ""]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--big", action="store_true", help="add 100,000 articles")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--feedkit", action="append", default=[], metavar="LABEL=PYTHON",
                        help="an interpreter with feedkit installed (repeatable)")
    args = parser.parse_args()
    pythons = dict(item.split("=", 1) for item in args.feedkit) or {"feedkit": sys.executable}
    sizes = [int(s) for s in args.sizes.split(",") if s]
    with tempfile.TemporaryDirectory(prefix="feedkit-bench-") as scratch:
        bench = Bench(pythons, args.repeat, Path(scratch))
        for size in sizes:
            measure_site(bench, size, corpus(size), full=True)
            measure_site(bench, size, corpus(size, descriptions=NO_DESCRIPTION_SHARE),
                         full=False)
        if args.big:
            big = Bench(pythons, 1, Path(scratch))
            big.rows = bench.rows
            measure_site(big, 100_000, corpus(100_000), full=False)
    command = "python bench/run.py " + " ".join(sys.argv[1:])
    print(f"wrote {write_results(bench, command.strip())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
