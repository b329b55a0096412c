"""Measure feedkit against the machine's floors and write bench/RESULTS.md.

    python bench/run.py [--sizes 1000,10000] [--big] [--repeat 3]

Every measurement is a whole process (interpreter start and imports included), run --repeat
times on the same corpus; the best time is kept, with that run's peak memory (from wait4).
Corpora are made by bench/make_corpus.py into bench/corpus-N/ (git ignores them) and reused.
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
from dataclasses import dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from make_corpus import make_corpus  # noqa: E402 - after the path is set


@dataclass
class Measure:
    name: str
    seconds: float
    peak_mb: float


def run_once(cmd: list[str], cwd: Path) -> tuple[float, float]:
    """Seconds and peak RSS (MB) of one run of ``cmd``; fails loudly on a non-zero exit."""
    start = time.perf_counter()
    process = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    stderr = process.stderr.read().decode() if process.stderr else ""
    if process.returncode not in (0, 3):
        raise SystemExit(f"{' '.join(cmd)} exited {process.returncode}:\n{stderr}")
    return elapsed, usage.ru_maxrss / 1024


def best(name: str, cmd: list[str], cwd: Path, repeat: int, before: object = None) -> Measure:
    runs = []
    for _ in range(repeat):
        if callable(before):
            before()
        runs.append(run_once(cmd, cwd))
    seconds, peak = min(runs)
    print(f"  {name:<28} {seconds:8.3f} s {peak:8.1f} MB", flush=True)
    return Measure(name, seconds, peak)


def corpus(size: int) -> Path:
    dest = BENCH / f"corpus-{size}"
    if not (dest / "feedkit.toml").exists():
        shutil.rmtree(dest, ignore_errors=True)
        print(f"making a corpus of {size} articles in {dest} ...", flush=True)
        make_corpus(size, dest)
    return dest


def measure_size(size: int, repeat: int, scratch: Path) -> dict[str, Measure]:
    site = corpus(size)
    content = site / "content"
    py = sys.executable
    feedkit = [py, "-m", "feedkit", "-q"]
    out = scratch / f"public-{size}"
    state = scratch / f"state-{size}.db"
    cache = site / ".feedkit"
    results: dict[str, Measure] = {}
    print(f"{size} articles:", flush=True)
    for floor in ("stat", "read", "yaml"):
        results[floor] = best(f"floor: {floor}", [py, str(BENCH / "floors.py"), floor,
                                                  str(content)], site, repeat)

    def cold() -> None:
        shutil.rmtree(cache, ignore_errors=True)
        shutil.rmtree(out, ignore_errors=True)

    build = [*feedkit, "build", "--output", str(out)]
    results["build cold"] = best("build cold (no cache)", build, site, repeat, cold)
    subprocess.run(build, cwd=site, check=True, stdout=subprocess.DEVNULL)
    results["build warm"] = best("build warm (nothing changed)", build, site, repeat)
    victim = next(iter(sorted(content.rglob("*.md"))))

    def touch() -> None:
        victim.write_text(victim.read_text(encoding="utf-8") + "\nOne more line.\n",
                          encoding="utf-8")

    results["build touched"] = best("build after touching one", build, site, repeat, touch)
    if size <= 20_000:
        results["markdown"] = best("floor: markdown (1 process)", [
            py, str(BENCH / "floors.py"), "markdown", str(content)], site, 1)
        results["check"] = best("check (process pool)", [*feedkit, "check"], site, 1)

    def fresh_state() -> None:
        state.unlink(missing_ok=True)

    digest = [*feedkit, "digest", "--since", "2020-01-01", "--until", "2026-01-01",
              "--limit", "50", "--output", str(scratch / f"digest-{size}"), "--state",
              str(state)]
    results["digest 50"] = best("digest of 50", digest, site, repeat, fresh_state)
    return results


def render_digest_in_process(size: int) -> tuple[float, float]:
    """Seconds to render a 50-article digest in a warm process: premailer, and css-inline on
    the same HTML (for comparison; feedkit uses premailer)."""
    code = f"""
import time
from datetime import UTC, datetime
from pathlib import Path
from feedkit import settings as config
from feedkit.load.articles import load_articles
from feedkit.selection import Window, in_window
import feedkit.render.email as d
c = config.load(Path({str(corpus(size) / 'feedkit.toml')!r}), env={{}})
w = Window(datetime(2020, 1, 1, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC))
arts = in_window(load_articles(c.content.dir, site=c.site).articles, w, w.until)[:50]
d.render_digest(c.site, arts, window=w, options=d.DigestOptions())
times = []
for _ in range(5):
    t = time.perf_counter(); d.render_digest(c.site, arts, window=w, options=d.DigestOptions())
    times.append(time.perf_counter() - t)
seen = {{}}
real = d.inline_css
d.inline_css = lambda html: seen.setdefault('html', html)
d.render_digest(c.site, arts, window=w, options=d.DigestOptions())
inline = []
try:
    import css_inline
    inliner = css_inline.CSSInliner(keep_style_tags=False, load_remote_stylesheets=False)
    for _ in range(5):
        t = time.perf_counter(); inliner.inline(seen['html'])
        inline.append(time.perf_counter() - t)
except ImportError:
    inline = [float('nan')]
premailer = []
for _ in range(5):
    t = time.perf_counter(); real(seen['html']); premailer.append(time.perf_counter() - t)
print(min(times), min(premailer), min(inline))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    return float(out[0]), float(out[1]), float(out[2])  # type: ignore[return-value]


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


def write_results(all_results: dict[int, dict[str, Measure]], digest_times: tuple,
                  command: str) -> Path:
    lines = [
        "# Benchmark results",
        "",
        f"Command: `{command}`  ",
        f"Machine: {machine()}  ",
        "Each figure is the best of the runs of a whole process (start-up and imports "
        "included); peak memory is that run's maximum resident set size.",
        "",
        "| articles | measure | seconds | ratio | peak MB |",
        "|---:|---|---:|---|---:|",
    ]
    for size, results in all_results.items():
        floor_yaml = results["yaml"].seconds
        floor_stat = results["stat"].seconds
        ratios = {
            "build cold": f"{results['build cold'].seconds / floor_yaml:.1f}x read+yaml floor",
            "build warm": f"{results['build warm'].seconds / floor_stat:.1f}x stat floor",
            "build touched": f"{results['build touched'].seconds / floor_stat:.1f}x stat floor",
        }
        if "check" in results:
            ratios["check"] = (f"{results['check'].seconds / results['markdown'].seconds:.2f}x "
                               "markdown floor")
        for key, measure in results.items():
            lines.append(f"| {size:,} | {measure.name} | {measure.seconds:.3f} | "
                         f"{ratios.get(key, '')} | {measure.peak_mb:.0f} |")
    render, premailer, inline = digest_times
    lines += [
        "",
        f"50-article digest rendered in a warm process: {render * 1000:.0f} ms, of which CSS "
        f"inlining with premailer {premailer * 1000:.0f} ms; css-inline does the same HTML in "
        f"{inline * 1000:.1f} ms.",
        "",
    ]
    path = BENCH / "RESULTS.md"
    notes = BENCH / "NOTES.md"
    if notes.exists():
        lines += ["", notes.read_text(encoding="utf-8")]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--big", action="store_true", help="add 100,000 articles")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    if args.big:
        sizes.append(100_000)
    results = {}
    with tempfile.TemporaryDirectory(prefix="feedkit-bench-") as scratch:
        for size in sizes:
            results[size] = measure_size(size, args.repeat, Path(scratch))
    digest_times = render_digest_in_process(min(sizes))
    command = "python bench/run.py " + " ".join(sys.argv[1:])
    print(f"wrote {write_results(results, digest_times, command.strip())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
