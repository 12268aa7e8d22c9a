"""The `factbot` command: a thin launcher over the index builder and the answering core.

Start-up time is part of every command, so this module imports only what parsing needs;
each command imports its own machinery (the core, Chroma, rich, discord.py, feeds) when it
runs. `ask` and `check` start loading the models in a thread before they import the core,
so onnxruntime builds its sessions while the imports run (`benchmarks/cold_start.py`).
"""

from __future__ import annotations

import argparse
import errno
import gc
import json
import logging
import sys
from collections.abc import Callable, Sequence
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from bot import cli_news

if TYPE_CHECKING:  # pydantic is imported once a command runs, not for --help or --version
    from bot.settings import Settings

log = logging.getLogger("factbot")

# What `factbot demo` asks: data beside the demo corpus, not knowledge in code.
_DEMO = json.loads((resources.files("index") / "demo_queries.json").read_text("utf-8"))
DEMO_QUESTIONS: tuple[str, ...] = tuple(_DEMO["questions"])
DEMO_CLAIMS: tuple[str, ...] = tuple(_DEMO["claims"])


def demo_corpus_path() -> Path:
    """The invented demo corpus shipped inside the package."""
    return Path(str(resources.files("index") / "demo_corpus"))


def _common_options(suppress: bool) -> argparse.ArgumentParser:
    """`--data-dir` and `-v`, accepted before or after the subcommand.

    Subcommands use SUPPRESS defaults so they do not overwrite a value given earlier.
    """
    common = argparse.ArgumentParser(add_help=False)
    default = {"default": argparse.SUPPRESS} if suppress else {}
    common.add_argument("--data-dir", type=Path, help="index location (FACTBOT_DATA_DIR)",
                        **default)
    common.add_argument("-v", "--verbose", action="store_true",
                        help="log progress details and show tracebacks", **default)
    common.add_argument("--log-format", choices=("text", "json"),
                        help="log line format (FACTBOT_LOG_FORMAT; default text)", **default)
    common.add_argument("--log-level", choices=("debug", "info", "warning", "error"),
                        help="log level (FACTBOT_LOG_LEVEL; default warning, info for serve)",
                        **default)
    return common


def _parser() -> argparse.ArgumentParser:
    common = _common_options(suppress=True)
    parser = argparse.ArgumentParser(
        prog="factbot", description="Fact-check questions and claims against indexed news.",
        parents=[_common_options(suppress=False)],
    )
    parser.add_argument("--version", action="version", version=f"factbot {_version()}")
    parser.set_defaults(group_help=parser.format_help)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    idx = sub.add_parser("index", help="build or inspect the index", parents=[common],
                         description="Build, inspect and repair the index in the data dir.")
    idx.set_defaults(group_help=idx.format_help)
    idx_sub = idx.add_subparsers(dest="index_command", metavar="COMMAND")
    build = idx_sub.add_parser("build", help="index files and folders", parents=[common])
    build.add_argument("paths", nargs="*", type=Path,
                       help="files/folders (default: rebuild the previous ones)")
    build.add_argument("--no-progress", action="store_true", help="no progress bar")
    status = idx_sub.add_parser("status", help="what the index holds, and whether it can serve",
                                parents=[common])
    status.add_argument("--json", action="store_true", help="print one JSON object")
    status.add_argument("--quiet", "-q", action="store_true",
                        help="print nothing; exit 0 only when the index can serve (healthcheck)")
    doctor = idx_sub.add_parser("doctor", help="check the data dir and repair what is safe",
                                parents=[common])
    doctor.add_argument("--repair", action="store_true",
                        help="repair: move a damaged docstore aside, drop unused collections "
                        "and segment folders")
    doctor.add_argument("--json", action="store_true", help="print one JSON object")
    cli_news.add_index_commands(idx_sub, common)

    for name, text, arg in (
        ("ask", "answer a question from the sources", "question"),
        ("check", "fact-check a claim against the sources", "claim"),
        ("sources", "find passages about a topic", "topic"),
        ("quote", "find who said or published these words", "text"),
    ):
        cmd = sub.add_parser(name, help=text, parents=[common])
        cmd.add_argument(arg)
        cmd.add_argument("--json", action="store_true", help="print one JSON object")
    outlets = sub.add_parser("outlets", help="indexed outlets", parents=[common])
    outlets.add_argument("--json", action="store_true", help="print one JSON object")

    ev = sub.add_parser("eval", help="run an evaluation set", parents=[common])
    ev.add_argument("file", nargs="?", type=Path, help="JSON Lines eval set")
    ev.add_argument("--ramdocs", type=Path, help="RAMDocs_test.jsonl instead")
    ev.add_argument("--held-out", action="store_true",
                    help="RAMDocs: only the half no judge training pair came from")
    ev.add_argument("--limit", type=int, default=None, help="first N RAMDocs questions")
    ev.add_argument("--json", action="store_true")

    serve = sub.add_parser("serve", help="run the Discord bot", parents=[common])
    serve.add_argument("--sync", action="store_true", help="sync slash commands at start")

    demo = sub.add_parser("demo", help="index the bundled demo corpus and answer questions",
                          parents=[common])
    demo.add_argument("questions", nargs="*", help=f"default: {list(DEMO_QUESTIONS)}")
    cli_news.add_commands(sub, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `factbot` console script; returns the exit code.

    Run as the process itself (`argv` None) for a one-query lookup, the cyclic garbage
    collector is off: the process imports ~1,500 modules, answers and exits, and the
    collections during imports and over every object at exit cost ~0.3 s on 2 cores
    (`benchmarks/cold_start.py`). Called with `argv` (tests, scripts) nothing changes.
    """
    args = _parser().parse_args(argv)
    if args.command is None or (args.command == "index" and args.index_command is None):
        sys.stderr.write(args.group_help())  # a group without its command: show its help
        return 2
    one_shot = argv is None and args.command in _ONE_SHOT
    if one_shot:
        gc.disable()
    try:
        return _run(args)
    finally:
        if one_shot:
            gc.freeze()  # interpreter teardown collects even with gc off; frozen objects it skips


def _run(args: argparse.Namespace) -> int:
    from pydantic import ValidationError

    from bot.settings import load_settings

    try:
        settings = load_settings(data_dir=args.data_dir, log_format=args.log_format,
                                 log_level=args.log_level)
    except ValidationError as exc:
        first = exc.errors()[0]
        _fail(f"bad setting {'.'.join(map(str, first['loc']))}: {first['msg']}")
        return 2
    _configure_logging(args, settings)
    handler = _COMMANDS[args.command if args.command != "index" else f"index_{args.index_command}"]
    try:
        return handler(args, settings)
    except KeyboardInterrupt:
        _fail("interrupted")
        return 130
    except Exception as exc:  # one line for the user, the traceback only in verbose logs
        message = _user_message(exc)
        if args.verbose:
            log.error("%s failed", args.command, exc_info=exc)
        if message is None:
            message = f"unexpected error: {type(exc).__name__} (run with -v for details)"
        _fail(message)
        return 2


def _user_message(exc: Exception) -> str | None:
    from index.build import BuildInProgressError
    from index.embeddings import EmbeddingModelError
    from index.store import StoreError

    known: tuple[type[Exception], ...] = (
        StoreError, BuildInProgressError, EmbeddingModelError, ValueError, FileNotFoundError,
    )
    try:
        from bot.answer.errors import UserFacingError

        known += (UserFacingError,)
    except ImportError:  # pragma: no cover - the core is always installed with the CLI
        pass
    if isinstance(exc, known):
        return str(exc)
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return f"no space left on the device ({exc.filename or 'data dir'}); free some space"
    if isinstance(exc, OSError) and exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return f"cannot write {exc.filename or 'to the data dir'} ({exc.strerror})"
    return None


_LOOKUPS = frozenset({"ask", "check", "sources", "quote", "outlets", "eval"})
_ONE_SHOT = frozenset({"ask", "check", "sources", "quote", "outlets"})  # one query, then exit


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("factbot")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "unknown"


def _configure_logging(args: argparse.Namespace, settings: Settings) -> None:
    from bot.logs import configure_logging

    serving = args.command == "serve"
    if serving or args.verbose:
        default = "info"
    elif args.command in _LOOKUPS:  # their problems are in the reply or the one-line error
        default = "error"
    else:
        default = "warning"
    level = (settings.log_level or default).upper()
    configure_logging(level, settings.log_format, tracebacks=args.verbose or serving)


def _fail(message: str) -> None:
    sys.stderr.write(f"factbot: {message}\n")


def _out(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()


# --- index ---------------------------------------------------------------------------------
def _index_build(args: argparse.Namespace, settings: Settings) -> int:
    summary = _run_build(args.paths or None, settings, show_progress=not args.no_progress)
    _print_summary(summary)
    return 1 if summary.failed else 0


def _run_build(paths: list[Path] | None, settings: Settings, show_progress: bool):  # noqa: ANN202
    from index.build import BuildProgress, build_index

    if not show_progress or not sys.stderr.isatty():
        return build_index(paths, settings)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    with Progress(
        "[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
        TimeRemainingColumn(), transient=True,
    ) as bar:
        task = bar.add_task("loading", total=None)

        def report(p: BuildProgress) -> None:
            bar.update(task, description=p.stage, completed=p.done, total=p.total or None)

        return build_index(paths, settings, report)


def _print_summary(summary) -> None:  # noqa: ANN001
    _out(f"{summary.line()}  ({summary.chunks} chunks, {summary.embedded_chunks} embedded, "
         f"{summary.seconds:.1f}s)\n")
    for failure in summary.failed:
        _out(f"  failed: {failure.path}: {failure.reason}\n")


def _index_status(args: argparse.Namespace, settings: Settings) -> int:
    """Counts of the active build and whether it can serve; exit 0 only when it can."""
    from index.build import index_status_counts

    counts = index_status_counts(settings, check_store=True)
    code = 0 if counts["healthy"] else 1
    if args.quiet:
        return code
    if args.json:
        _out(json.dumps(counts, ensure_ascii=False) + "\n")
        return code
    for key in ("articles", "chunks", "outlets", "last_build", "model", "build"):
        _out(f"{key.replace('_', ' ')}: {counts[key] if counts[key] is not None else '-'}\n")
    for problem in counts["problems"]:
        _out(f"problem: {problem}\n")
    return code


def _index_doctor(args: argparse.Namespace, settings: Settings) -> int:
    """Check the data dir; with --repair, fix what is safe. Exit 0 when nothing is left."""
    from index.doctor import diagnose, healthy

    findings = diagnose(settings, repair=args.repair)
    if args.json:
        _out(json.dumps({"data_dir": str(settings.data_dir), "healthy": healthy(findings),
                         "findings": [f.as_dict() for f in findings]}, ensure_ascii=False)
             + "\n")
    else:
        _out("".join(f.line() + "\n" for f in findings))
    return 0 if healthy(findings) else 1


# --- answering -----------------------------------------------------------------------------
def _checker(settings: Settings, *, preload: bool = False, single: bool = True):  # noqa: ANN202
    """The answering core.

    Args:
        settings: the settings.
        preload: load the models (and open the index) in background threads from now on;
            for commands that embed and judge.
        single: one query and exit (the default): no warm-up query, since the query itself
            is the first one (the models are still warmed beside the imports when
            preloading); False for commands that ask many (eval, demo).
    """
    if preload:
        from bot.answer.warmup import preload_models

        preload_models(settings)  # before the core's imports, which it then overlaps
    from bot.answer.core import FactChecker

    return FactChecker(settings, preload=preload, warm_up=not single)


def _print_reply(reply, as_json: bool) -> None:  # noqa: ANN001
    from bot.terminal import render_reply

    if as_json:
        _out(json.dumps(reply.model_dump(mode="json"), ensure_ascii=False) + "\n")
    else:
        _out(render_reply(reply))


def _ask(args: argparse.Namespace, settings: Settings) -> int:
    _print_reply(_checker(settings, preload=True).ask(args.question), args.json)
    return 0


def _check(args: argparse.Namespace, settings: Settings) -> int:
    _print_reply(_checker(settings, preload=True).check(args.claim), args.json)
    return 0


def _sources(args: argparse.Namespace, settings: Settings) -> int:
    from bot.answer.warmup import preload_models
    from bot.terminal import render_passages

    preload_models(settings, judge=False)  # embeds, never judges: the embedding model only
    passages = _checker(settings).sources(args.topic)
    if args.json:
        _out(json.dumps({"query": args.topic,
                         "sources": [p.model_dump(mode="json") for p in passages]},
                        ensure_ascii=False) + "\n")
    else:
        _out(render_passages(passages))
    return 0


def _quote(args: argparse.Namespace, settings: Settings) -> int:
    from bot.terminal import render_provenance

    result = _checker(settings).quote(args.text)
    _out(json.dumps(result.model_dump(mode="json"), ensure_ascii=False) + "\n" if args.json
         else render_provenance(result))
    return 0


def _outlets(args: argparse.Namespace, settings: Settings) -> int:
    from bot.terminal import render_outlets

    outlets = _checker(settings).outlets()
    if args.json:
        _out(json.dumps({"outlets": [o.model_dump(mode="json") for o in outlets]},
                        ensure_ascii=False) + "\n")
    else:
        _out(render_outlets(outlets))
    return 0


def _eval(args: argparse.Namespace, settings: Settings) -> int:
    if args.ramdocs:
        from bot.answer.ramdocs import run_ramdocs

        report = run_ramdocs(settings, args.ramdocs, args.limit,
                             held_out_only=args.held_out)
    elif args.file:
        from bot.answer.eval import run_eval

        report = run_eval(_checker(settings, preload=True, single=False), args.file)
    else:
        raise ValueError("give an eval file or --ramdocs PATH")
    _out(json.dumps(report.as_dict(), ensure_ascii=False) + "\n" if args.json
         else report.table() + "\n")
    return 0


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    from bot.discord.app import run_bot

    return run_bot(settings, sync=args.sync or settings.sync_commands)


def _demo(args: argparse.Namespace, settings: Settings) -> int:
    from bot.terminal import render_reply

    corpus = demo_corpus_path()
    _out(f"Indexing the demo corpus ({corpus}) into {settings.data_dir} ...\n")
    summary = _run_build([corpus], settings, show_progress=True)
    _print_summary(summary)
    checker = _checker(settings, preload=True, single=False)
    for question in args.questions or DEMO_QUESTIONS:
        _out(f"\n$ factbot ask {json.dumps(question, ensure_ascii=False)}\n")
        _out(render_reply(checker.ask(question)))
    for claim in () if args.questions else DEMO_CLAIMS:
        _out(f"\n$ factbot check {json.dumps(claim, ensure_ascii=False)}\n")
        _out(render_reply(checker.check(claim)))
    return 0


_COMMANDS: dict[str, Callable[[argparse.Namespace, Settings], int]] = {
    "index_build": _index_build,
    "index_status": _index_status,
    "index_doctor": _index_doctor,
    "ask": _ask,
    "check": _check,
    "sources": _sources,
    "quote": _quote,
    "outlets": _outlets,
    "eval": _eval,
    "serve": _serve,
    "demo": _demo,
}
_COMMANDS.update(cli_news.COMMANDS)  # index add-url, feeds

if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
