"""Cold start: what a fresh process pays before and for its first answer.

Builds (or reuses, `--data-dir`) an index of a corpus (default ../shared/corpus when present,
else the bundled demo corpus), then runs fresh subprocesses and prints, each the median of
`--runs`:

- import time: `import bot.cli` alone, then everything `factbot ask` imports;
- time to a ready FactChecker: from the first line of a fresh interpreter to a checker with
  its index open and its models loaded and warmed;
- cold `factbot ask` wall time: the console script, start to exit, as `/usr/bin/time`
  measures it;
- first answer against warm answers: in a fresh process with a ready checker, the first
  `ask` and then other questions (each asked once, so no answer cache helps); the question
  asked first rotates between runs.

Targets are printed beside the figures. Timings are wall-clock on whatever else the machine
runs: the load average is printed before and after; compare runs on a quiet machine.

Usage: python benchmarks/cold_start.py [--corpus DIR] [--data-dir DIR] [--runs 7]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
FACTBOT = shutil.which("factbot", path=str(Path(PYTHON).parent)) or "factbot"
COLD_ASK_TARGET_S = 1.0
FIRST_WARM_TARGET = 2.0

IMPORTS = """
import time
t0 = time.perf_counter()
import bot.cli
t1 = time.perf_counter()
import bot.answer.core, bot.terminal, index.store, index.embeddings, onnxruntime, tokenizers
t2 = time.perf_counter()
print(t1 - t0, t2 - t0)
"""

READY = """
import sys, time
t0 = time.perf_counter()
from bot.answer.core import FactChecker
from bot.settings import Settings
checker = FactChecker(Settings(data_dir=sys.argv[1]))
checker.reader, checker.judge
print(time.perf_counter() - t0)
"""

FIRST_WARM = """
import json, sys, time
from bot.answer.core import FactChecker
from bot.settings import Settings
questions = json.loads(sys.argv[2])
checker = FactChecker(Settings(data_dir=sys.argv[1]))
checker.reader, checker.judge
times = []
for q in questions:
    t = time.perf_counter()
    checker.ask(q)
    times.append(time.perf_counter() - t)
print(json.dumps(times))
"""


def default_corpus() -> Path:
    """../shared/corpus beside the repository when present, else the demo corpus."""
    shared = ROOT.parent / "shared" / "corpus"
    return shared if shared.is_dir() else ROOT / "index" / "demo_corpus"


def default_questions(corpus: Path) -> list[str]:
    """Questions about the corpus: the seed eval set's for the seed corpus, else the demo's."""
    if corpus.resolve() == (ROOT.parent / "shared" / "corpus").resolve():
        rows = [json.loads(line) for line in
                (ROOT / "evals" / "seed_corpus.jsonl").read_text("utf-8").splitlines() if line]
        return [r["query"] for r in rows if r["mode"] == "question"][:8]
    return json.loads((ROOT / "index" / "demo_queries.json").read_text("utf-8"))["questions"]


def run(args: list[str]) -> str:
    """Run a command; its stdout (raises with its stderr when it fails)."""
    done = subprocess.run(args, capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        raise RuntimeError(f"{args[:3]} failed: {done.stderr.strip()[-2000:]}")
    return done.stdout


def wall(args: list[str]) -> float:
    """Wall seconds of a command, by /usr/bin/time when there is one."""
    if Path("/usr/bin/time").exists():
        done = subprocess.run(["/usr/bin/time", "-f", "%e", *args], capture_output=True,
                              text=True, cwd=ROOT)
        if done.returncode != 0:
            raise RuntimeError(done.stderr[-2000:])
        return float(done.stderr.strip().splitlines()[-1])
    started = time.perf_counter()
    run(args)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=None)
    parser.add_argument("--data-dir", type=Path, default=None,
                        help="reuse the index there (built when it has none)")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    corpus = args.corpus or default_corpus()
    questions = default_questions(corpus)
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="factbot-cold-"))
    if not (data_dir / "docstore.sqlite").exists():
        print(f"building an index of {corpus} in {data_dir} ...")
        run([FACTBOT, "--data-dir", str(data_dir), "index", "build", str(corpus),
             "--no-progress"])
    print(f"corpus {corpus}, data dir {data_dir}, {args.runs} runs, {os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.2f}")
    med = statistics.median
    run([FACTBOT, "--data-dir", str(data_dir), "ask", questions[0]])  # page cache, .pyc files

    imports = [tuple(map(float, run([PYTHON, "-c", IMPORTS]).split()))
               for _ in range(args.runs)]
    ready = [float(run([PYTHON, "-c", READY, str(data_dir)])) for _ in range(args.runs)]
    cold = [wall([FACTBOT, "--data-dir", str(data_dir), "ask", questions[i % len(questions)]])
            for i in range(args.runs)]
    firsts, warms = [], []
    for i in range(args.runs):
        order = questions[i % len(questions):] + questions[: i % len(questions)]
        times = json.loads(run([PYTHON, "-c", FIRST_WARM, str(data_dir), json.dumps(order)]))
        firsts.append(times[0])
        warms.append(med(times[1:]))
    ratio = med(firsts) / med(warms)

    print(f"import bot.cli                     {med(i[0] for i in imports):6.3f} s")
    print(f"imports of `factbot ask`           {med(i[1] for i in imports):6.3f} s")
    print(f"ready FactChecker (open + models)  {med(ready):6.3f} s")
    print(f"cold `factbot ask` wall            {med(cold):6.3f} s   target <= "
          f"{COLD_ASK_TARGET_S:.1f} s  (min {min(cold):.3f}, max {max(cold):.3f})")
    print(f"first answer                       {med(firsts) * 1000:6.0f} ms")
    print(f"warm answer                        {med(warms) * 1000:6.0f} ms")
    print(f"first / warm                       {ratio:6.2f}x   target <= "
          f"{FIRST_WARM_TARGET:.1f}x")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
