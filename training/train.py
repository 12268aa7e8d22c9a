"""Fine-tune a cross-encoder judge (entail / contradict / neutral) from a float MiniLM.

    python -m training.train --data training/data/mix.jsonl.gz --out training/runs/judge

Reproducible: fixed seeds, deterministic shuffling, length-sorted buckets of `--batch`
pairs (shuffled bucket order). Checkpoints every `--save-every` steps (model + optimizer +
scheduler + step) so a run can be resumed with `--resume` after an interruption. Needs the
`[train]` extra (torch, transformers); never imported at run time.
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import math
import random
import time
from pathlib import Path

import torch
from transformers import AutoModelForSequenceClassification, AutoTokenizer

from training.common import LABELS, base_model_dir

log = logging.getLogger("training.train")


def read_pairs(paths: list[Path]) -> list[dict]:
    rows: list[dict] = []
    for path in paths:
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8") as fh:
            rows.extend(json.loads(line) for line in fh if line.strip())
    return rows


def batches(rows: list[dict], tokenizer, size: int, max_len: int, seed: int) -> list[list[int]]:
    """Indices grouped into buckets of similar length, bucket order shuffled."""
    rng = random.Random(seed)
    order = list(range(len(rows)))
    rng.shuffle(order)
    # approximate length by characters: cheap and monotone enough for bucketing
    lengths = {i: len(rows[i]["premise"]) + len(rows[i]["hypothesis"]) for i in order}
    chunk = size * 50
    out: list[list[int]] = []
    for s in range(0, len(order), chunk):
        block = sorted(order[s : s + chunk], key=lengths.__getitem__)
        out.extend(block[i : i + size] for i in range(0, len(block), size))
    rng.shuffle(out)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, nargs="+", required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--init", type=Path, default=None, help="start from this model dir")
    parser.add_argument("--epochs", type=float, default=1.0)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--lr", type=float, default=4e-5)
    parser.add_argument("--warmup", type=float, default=0.06)
    parser.add_argument("--max-len", type=int, default=160)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--save-every", type=int, default=300)
    parser.add_argument("--bf16", action="store_true", help="bf16 autocast (CPUs with bf16)")
    parser.add_argument("--resume", action="store_true")
    parser.add_argument("--stop-at", type=int, default=None,
                        help="stop after this many steps (the schedule still spans the plan)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")

    torch.manual_seed(args.seed)
    random.seed(args.seed)
    torch.set_num_threads(args.threads)
    init = args.init or base_model_dir()
    tokenizer = AutoTokenizer.from_pretrained(init)
    model = AutoModelForSequenceClassification.from_pretrained(
        init, num_labels=len(LABELS), id2label=dict(enumerate(LABELS)),
        label2id={label: i for i, label in enumerate(LABELS)})
    rows = read_pairs(args.data)
    label_ids = {label: i for i, label in enumerate(LABELS)}
    epochs = math.ceil(args.epochs)
    plan: list[list[int]] = []
    for epoch in range(epochs):
        plan.extend(batches(rows, tokenizer, args.batch, args.max_len, args.seed + epoch))
    total = int(len(plan) * args.epochs / epochs)
    plan = plan[:total]
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
    warm = max(1, int(total * args.warmup))

    def schedule(step: int) -> float:
        if step < warm:
            return step / warm
        return max(0.0, (total - step) / max(1, total - warm))

    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, schedule)
    args.out.mkdir(parents=True, exist_ok=True)
    state_path = args.out / "trainer_state.pt"
    step = 0
    if args.resume and state_path.exists():
        state = torch.load(state_path, weights_only=False)
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        scheduler.load_state_dict(state["scheduler"])
        step = state["step"]
        log.info("resumed at step %d", step)
    log.info("%d pairs, %d steps of %d (%.2f epochs)", len(rows), total, args.batch, args.epochs)
    model.train()
    started = time.time()
    seen = 0
    loss_avg = None
    stop = min(total, args.stop_at or total)
    while step < stop:
        idx = plan[step]
        enc = tokenizer([rows[i]["premise"] for i in idx], [rows[i]["hypothesis"] for i in idx],
                        truncation="only_first", max_length=args.max_len, padding=True,
                        return_tensors="pt")
        labels = torch.tensor([label_ids[rows[i]["label"]] for i in idx])
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=args.bf16):
            out = model(**enc, labels=labels)
        out.loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad(set_to_none=True)
        step += 1
        seen += len(idx)
        loss = float(out.loss)
        loss_avg = loss if loss_avg is None else 0.98 * loss_avg + 0.02 * loss
        if step % 50 == 0:
            rate = seen / (time.time() - started)
            log.info("step %d/%d loss %.4f  %.1f pairs/s", step, total, loss_avg, rate)
        if step % args.save_every == 0 or step == stop:
            save(model, tokenizer, optimizer, scheduler, step, args.out)
    elapsed = time.time() - started
    (args.out / "train_stats.json").write_text(json.dumps({
        "pairs": len(rows), "steps": stop, "planned_steps": total, "batch": args.batch,
        "epochs": args.epochs,
        "seconds": round(elapsed, 1), "pairs_per_s": round(seen / max(elapsed, 1e-9), 1),
        "threads": args.threads, "bf16": args.bf16, "lr": args.lr, "seed": args.seed,
        "max_len": args.max_len}, indent=2))


def save(model, tokenizer, optimizer, scheduler, step: int, out: Path) -> None:
    final = out / "model"
    model.save_pretrained(final)
    tokenizer.save_pretrained(final)
    tmp = out / "trainer_state.pt.tmp"
    torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                "scheduler": scheduler.state_dict(), "step": step}, tmp)
    tmp.replace(out / "trainer_state.pt")
    log.info("saved step %d", step)


if __name__ == "__main__":
    main()
