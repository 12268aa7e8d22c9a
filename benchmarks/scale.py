"""Scale: a newsroom archive of up to a million chunks on one machine (issue 10).

Works on a data dir written by `benchmarks/scale_write.py` (real-length invented chunks,
reused noisy real vectors, Chroma holding vectors and four metadata keys, no documents).

Subcommands:

- `lexical`: produce the build's local files (chunk table + BM25, `data_dir/builds/<id>/`)
  with the build's own code path (`index.buildfiles.make_build_files` + `save_build_files`,
  texts streamed from the docstore), time tokenise / index / save, and compare with the
  encoder's time for the same number of chunks (the encoder's chunks/s measured by
  `scale_write.py` on the first real chunks, or `--encoder-rate`; extrapolated, not run).
- `measure`: open-to-ready in FRESH processes, the path `benchmarks/cold_start.py` and the
  bot take (import; `FactChecker(settings)`, which starts loading the models in a thread;
  `checker.reader`: `open_reader` and the embedding model warmed; `checker.judge`; the first
  vector search, where Chroma loads its HNSW index; the first answer), median of runs; then in one
  of them RSS after open and after `--queries` warm queries (VmRSS / VmHWM, anon and file-backed
  parts from /proc/self/status), warm p50/p95 of ask/check (judge included) and of the plain
  similarity search baseline (embed the query + `collection.query`), with their ratio. With
  `--server` the vectors are served by a local `chroma run` process (CHROMA_HOST=127.0.0.1)
  and its RSS is reported separately.

Page cache: the files are read through a warm OS page cache (they were just written or read);
a cold start after a reboot reads them from disk first. Machine load (1-minute load average)
is printed beside every figure: other work shares the 2 cores.

Run:
  python benchmarks/scale.py lexical --data-dir /work/bench/1m
  python benchmarks/scale.py measure --data-dir /work/bench/1m [--server] [--queries 40]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

log = logging.getLogger("scale")

HERE = Path(__file__).resolve().parent
GIB = 1024**3


def _load() -> float:
    return round(os.getloadavg()[0], 2)


def proc_memory(pid: int | str = "self") -> dict[str, float]:
    """VmRSS, VmHWM, RssAnon and RssFile of a process, in MiB (from /proc/<pid>/status)."""
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM", "RssAnon", "RssFile", "RssShmem"):
            out[key] = round(int(value.split()[0]) / 1024, 1)
    return out


def _tree_memory(pid: int) -> dict[str, float]:
    """`proc_memory` summed over a process and its descendants (VmHWM summed too: an upper
    bound of the tree's peak)."""
    pids = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        pids += [int(c) for c in children]
    except OSError:
        pass
    total: dict[str, float] = {}
    for p in pids:
        try:
            for key, value in proc_memory(p).items():
                total[key] = round(total.get(key, 0.0) + value, 1)
        except OSError:
            continue
    return total


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    lo, hi = int(pos), min(int(pos) + 1, len(ordered) - 1)
    return (ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)) * 1000


# --- lexical ---------------------------------------------------------------------------------
def lexical(args: argparse.Namespace) -> None:
    """Time the build's lexical step (chunk table + BM25, tokenise/index/save) at this size."""
    from bot.settings import Settings
    from index.buildfiles import make_build_files, save_build_files
    from index.store import docstore

    settings = Settings(data_dir=args.data_dir)
    store = docstore(settings)
    build = store.active_build()
    if build is None:
        raise SystemExit(f"no active build in {args.data_dir}")
    state = json.loads((args.data_dir / "bench_state.json").read_text())
    encoder = state.get("encoder") or {}
    if args.encoder_chunks:
        encoder = measure_encoder(settings, store, build.id, args.encoder_chunks)
    rate = args.encoder_rate or encoder.get("chunks_per_s")
    if rate is None:
        raise SystemExit("no encoder rate: pass --encoder-rate (chunks/s)")

    load0 = _load()
    t0 = time.perf_counter()
    rows = store.chunk_rows(build.id)
    t_rows = time.perf_counter() - t0
    # the texts cost of the docstore alone, so the build's own share can be told apart
    t0 = time.perf_counter()
    n_articles = sum(1 for _ in store.iter_articles(build.id))
    t_read = time.perf_counter() - t0

    t0 = time.perf_counter()
    files = make_build_files(build.id, rows,
                             ((a.id, a.text) for a in store.iter_articles(build.id)))
    t_make = time.perf_counter() - t0
    mem_after_make = proc_memory()
    folder = save_build_files(args.data_dir, files)
    seconds = dict(files.seconds or {})
    n = files.n_chunks
    size = sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())

    tokenise_own = max(seconds.get("tokenise", 0.0) - t_read, 0.0)
    build_cost = tokenise_own + seconds.get("index", 0.0) + seconds.get("save", 0.0)
    encoder_s = n / rate
    print(f"lexical step at {n:,} chunks ({n_articles:,} articles), build {build.id}, "
          f"load {load0} -> {_load()}")
    print(f"  chunk rows from the docstore:      {t_rows:7.1f} s")
    print(f"  article texts streamed (docstore):  {t_read:7.1f} s  (inside 'tokenise' below; "
          "a build already holds its texts)")
    print(f"  tokenise (incl. streaming):         {seconds.get('tokenise', 0):7.1f} s")
    print(f"  BM25 index (bm25s):                 {seconds.get('index', 0):7.1f} s")
    print(f"  save (chunk table + BM25 + terms):  {seconds.get('save', 0):7.1f} s  "
          f"({size / 1e6:.0f} MB in {folder})")
    print(f"  make_build_files wall:              {t_make:7.1f} s; peak RSS "
          f"{proc_memory()['VmHWM'] / 1024:.2f} GiB (after make: "
          f"{mem_after_make['VmRSS'] / 1024:.2f} GiB)")
    print(f"  build-time cost (tokenise without the docstore read + index + save): "
          f"{build_cost:.1f} s")
    print(f"  encoder at {rate:.1f} chunks/s (measured on {encoder.get('chunks', '?')} real "
          f"chunks, load {encoder.get('load', '?')}; extrapolated): {encoder_s:,.0f} s "
          f"for {n:,} chunks")
    print(f"  BM25 persistence / encoder time: {build_cost / encoder_s:.2%} "
          f"(with the docstore read: {(build_cost + t_read) / encoder_s:.2%})")


def measure_encoder(settings: object, store: object, build_id: str, n: int) -> dict:
    """The configured encoder's chunks/s on the first `n` chunks of the build (model warm)."""
    from index.embeddings import get_embeddings, model_id

    texts: list[str] = []
    rows = sorted(store.chunk_rows(build_id))  # type: ignore[attr-defined]
    wanted = {r[0] for r in rows[:n]}
    arts = store.get_articles(build_id, wanted)  # type: ignore[attr-defined]
    texts = [arts[aid].text[start:end] for aid, _i, start, end in rows[:n]]
    embeddings = get_embeddings(settings)  # type: ignore[arg-type]
    embeddings.embed_documents(texts[:8])  # load and warm
    load = _load()
    t0 = time.perf_counter()
    embeddings.embed_documents(texts)
    seconds = time.perf_counter() - t0
    return {"chunks": len(texts), "seconds": seconds, "chunks_per_s": len(texts) / seconds,
            "load": f"{load} -> {_load()}", "model": model_id(settings)}  # type: ignore[arg-type]


# --- measure: the child ----------------------------------------------------------------------
def child(args: argparse.Namespace) -> None:
    """One fresh process: open to ready (timed in parts), then optionally warm queries."""
    t_start = time.perf_counter()
    import _corpus  # noqa: F401 - the benchmark's own vocabulary for queries

    from bot.answer.core import FactChecker
    from bot.settings import Settings
    from index.embeddings import get_embeddings

    t_import = time.perf_counter()
    settings = Settings(data_dir=args.data_dir)
    mode, text = _corpus.queries(1, seed=99)[0]
    if args.serial:
        # the parts one after another (no preload thread), to see what each costs
        from bot.answer.warmup import warm_embeddings
        from index.store import open_reader

        reader = open_reader(settings)
        t1 = time.perf_counter()
        warm_embeddings(get_embeddings(settings))
        t2 = time.perf_counter()
        reader.collection.query(query_embeddings=[get_embeddings(settings).embed_query(text)],
                                n_results=settings.retrieval_k)  # the vector index loads here
        t3 = time.perf_counter()
        checker = FactChecker(settings, reader=reader)
        _ = checker.judge
        t4 = time.perf_counter()
        checker.check(text) if mode == "claim" else checker.ask(text)
        t_first = time.perf_counter()
        parts = {"import": t_import - t_start, "open_reader": t1 - t_import,
                 "embedding_model": t2 - t1, "vectors_first": t3 - t2,
                 "checker_and_judge": t4 - t3, "first_answer": t_first - t4}
    else:
        # the bot's own path: the checker opens the index and loads the models in a thread
        checker = FactChecker(settings)
        t1 = time.perf_counter()
        reader = checker.reader
        _ = checker.judge
        t2 = time.perf_counter()
        checker.check(text) if mode == "claim" else checker.ask(text)
        t_first = time.perf_counter()
        parts = {"import": t_import - t_start, "checker_init": t1 - t_import,
                 "reader_and_judge": t2 - t1, "first_answer": t_first - t2}
    parts.update(total=t_first - t_start, ready_after_import=t_first - t_import)
    result: dict = {"open": parts, "mem_open": proc_memory(), "chunks": len(reader.chunks),
                    "load": _load()}
    if args.queries:
        raw = get_embeddings(settings)  # not the checker's memo: the baseline embeds each time
        collection = reader.collection
        k = settings.retrieval_k
        qs = _corpus.queries(args.queries + 5)
        for mode, text in qs[:5]:  # warm-up
            checker.check(text) if mode == "claim" else checker.ask(text)
            collection.query(query_embeddings=[raw.embed_query(text)], n_results=k)
        ours, base, verdicts = [], [], {}
        stages = _instrument(checker, reader)
        per_query: dict[str, list[float]] = {name: [] for name in stages}
        for mode, text in qs[5:]:
            for name in stages:
                stages[name] = 0.0
            t = time.perf_counter()
            reply = checker.check(text) if mode == "claim" else checker.ask(text)
            ours.append(time.perf_counter() - t)
            for name, spent in stages.items():
                per_query[name].append(spent)
            status = str(getattr(reply, "status", getattr(reply, "verdict", "?")))
            verdicts[status] = verdicts.get(status, 0) + 1
            t = time.perf_counter()
            collection.query(query_embeddings=[raw.embed_query(text)], n_results=k)
            base.append(time.perf_counter() - t)
        result.update(ours=ours, base=base, verdicts=verdicts, mem_warm=proc_memory(),
                      stages=per_query,
                      load_after=_load())
    print("RESULT " + json.dumps(result), flush=True)


def _instrument(checker: object, reader: object) -> dict[str, float]:
    """Wrap a few instance methods to add their time per query into the returned dict.

    dense: `reader.dense_search` (query embedding, Chroma, article fetch); lexical:
    `reader.lexical.top` (BM25) and `reader.chunks_at` (chunk texts); judge: the judge's
    `judge` calls; embed_documents: sentence embeddings for evidence scoring.
    """
    spent: dict[str, float] = {}
    targets = [("dense", reader, "dense_search"), ("lexical", reader.lexical, "top"),
               ("chunk_texts", reader, "chunks_at"),
               ("judge", checker.judge, "judge"),  # type: ignore[attr-defined]
               ("embed_documents", reader.embeddings, "embed_documents")]
    for name, obj, attr in targets:
        original = getattr(obj, attr, None)
        if original is None:
            continue

        def timed(*a: object, _f=original, _n=name, **kw: object) -> object:  # noqa: ANN001
            t = time.perf_counter()
            try:
                return _f(*a, **kw)
            finally:
                spent[_n] += time.perf_counter() - t

        try:
            setattr(obj, attr, timed)
        except (AttributeError, TypeError, ValueError):
            continue
        spent[name] = 0.0
    return spent


# --- measure: the parent ---------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start_server(data_dir: Path) -> tuple[subprocess.Popen, int]:
    chroma = shutil.which("chroma", path=str(Path(sys.executable).parent)) or "chroma"
    port = _free_port()
    logf = (data_dir.parent / f"chroma_server_{data_dir.name}.log").open("w")
    proc = subprocess.Popen(
        [chroma, "run", "--path", str(data_dir / "chroma"), "--host", "127.0.0.1",
         "--port", str(port)], stdout=logf, stderr=subprocess.STDOUT,
    )
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return proc, port
        except OSError:
            time.sleep(0.5)
    proc.kill()
    raise SystemExit("the chroma server did not start")


def _run_child(data_dir: Path, queries: int, env: dict[str, str], serial: bool = False
               ) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), "_child", "--data-dir", str(data_dir),
           "--queries", str(queries)] + (["--serial"] if serial else [])
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    for line in done.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT "):])
    raise SystemExit(f"child failed ({done.returncode}):\n{done.stderr[-3000:]}")


def measure(args: argparse.Namespace) -> None:
    """Open-to-ready (median of fresh processes), RSS, warm latency and the baseline."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(HERE.parent), str(HERE)]
                                        + [env.get("PYTHONPATH", "")])
    server = None
    if args.server:
        server, port = _start_server(args.data_dir)
        env.update(CHROMA_HOST="127.0.0.1", CHROMA_PORT=str(port))
    try:
        first = _run_child(args.data_dir, 0, env)  # after a server start: its cold load
        opens = [_run_child(args.data_dir, 0, env) for _ in range(args.opens)]
        serial = _run_child(args.data_dir, 0, env, serial=True)
        full = _run_child(args.data_dir, args.queries, env)
        server_mem = _tree_memory(server.pid) if server else None
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)

    where = "chroma server (CHROMA_HOST=127.0.0.1)" if args.server else "embedded Chroma"
    print(f"scale benchmark: {full['chunks']:,} chunks, {where}, data dir {args.data_dir}")
    runs = opens + [full]
    print(f"\nopen to ready in a fresh process, the bot's path (median of {len(runs)}; first "
          f"run {first['open']['total']:.2f} s, not in the median" + (
              " (the server loads the vectors then)" if args.server else "") + "; load "
          + ", ".join(str(r["load"]) for r in [first, *runs]) + "):")
    for part in ("import", "checker_init", "reader_and_judge", "first_answer",
                 "ready_after_import", "total"):
        values = [r["open"][part] for r in runs]
        print(f"  {part:18s} {statistics.median(values):6.2f} s   (runs: "
              + ", ".join(f"{v:.2f}" for v in values) + ")")
    print(f"the parts one after another (one run, no preload thread; load {serial['load']}):")
    for part, value in serial["open"].items():
        print(f"  {part:18s} {value:6.2f} s")
    mem = full["mem_open"]
    warm = full["mem_warm"]
    print("\nbot process memory (MiB; RssFile is mostly memory-mapped index pages):")
    print(f"  after open:  VmRSS {mem['VmRSS']:.0f} (anon {mem.get('RssAnon', 0):.0f}, file "
          f"{mem.get('RssFile', 0):.0f}), peak VmHWM {mem['VmHWM']:.0f}")
    print(f"  after {len(full['ours'])} warm queries: VmRSS {warm['VmRSS']:.0f} (anon "
          f"{warm.get('RssAnon', 0):.0f}, file {warm.get('RssFile', 0):.0f}), peak VmHWM "
          f"{warm['VmHWM']:.0f} = {warm['VmHWM'] / 1024:.2f} GiB")
    if server_mem:
        print(f"  chroma server process: VmRSS {server_mem['VmRSS']:.0f} (anon "
              f"{server_mem.get('RssAnon', 0):.0f}, file {server_mem.get('RssFile', 0):.0f}), "
              f"peak VmHWM {server_mem['VmHWM']:.0f}")
    ours, base = full["ours"], full["base"]
    print(f"\nwarm latency, {len(ours)} queries (half ask, half check; judge included; load "
          f"{full['load']} -> {full['load_after']}); replies: {full['verdicts']}")
    print("| path | p50 ms | p95 ms | mean ms |")
    print("|---|---|---|---|")
    print(f"| FactChecker ask/check (warm, judge included) | {_pct(ours, 50):.1f} | "
          f"{_pct(ours, 95):.1f} | {statistics.mean(ours) * 1000:.1f} |")
    print(f"| similarity search (embed query + collection.query, k=8) | {_pct(base, 50):.1f} | "
          f"{_pct(base, 95):.1f} | {statistics.mean(base) * 1000:.1f} |")
    print(f"| ratio (ours / baseline) | {_pct(ours, 50) / _pct(base, 50):.1f}x | "
          f"{_pct(ours, 95) / _pct(base, 95):.1f}x | |")
    print("\nwhere a warm query's time goes (ms per query, p50 / p95 / mean):")
    for name, values in full.get("stages", {}).items():
        print(f"  {name:16s} {_pct(values, 50):7.1f} / {_pct(values, 95):7.1f} / "
              f"{statistics.mean(values) * 1000:7.1f}")
    rest = [o - sum(v[i] for v in full.get("stages", {}).values()) for i, o in enumerate(ours)]
    print(f"  {'other':16s} {_pct(rest, 50):7.1f} / {_pct(rest, 95):7.1f} / "
          f"{statistics.mean(rest) * 1000:7.1f}  (evidence selection, sentences, verdict, "
          "reply, verification)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p_lex = sub.add_parser("lexical", help="time the build's lexical step")
    p_lex.add_argument("--data-dir", type=Path, required=True)
    p_lex.add_argument("--encoder-rate", type=float, default=None, help="chunks/s")
    p_lex.add_argument("--encoder-chunks", type=int, default=0,
                       help="measure the encoder on this many of the build's chunks first")
    p_measure = sub.add_parser("measure", help="open, memory, latency")
    p_measure.add_argument("--data-dir", type=Path, required=True)
    p_measure.add_argument("--queries", type=int, default=40)
    p_measure.add_argument("--opens", type=int, default=2, help="extra fresh opens")
    p_measure.add_argument("--server", action="store_true", help="vectors in `chroma run`")
    p_child = sub.add_parser("_child")
    p_child.add_argument("--data-dir", type=Path, required=True)
    p_child.add_argument("--queries", type=int, default=0)
    p_child.add_argument("--serial", action="store_true")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    {"lexical": lexical, "measure": measure, "_child": child}[args.command](args)


if __name__ == "__main__":
    main()
