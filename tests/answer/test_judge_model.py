"""The shipped judge model itself: integrity, batching, and the acceptance floors.

These run the real int8 ONNX model (CI never trains; it tests what ships). The suites are
hand-written (`training/suites/`, independent of the training-data generator); the dev split
is the judge data's held-out claims.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.answer.judge import JudgeModelError, JudgePair, OnnxJudge, model_dir, shared_judge
from training.common import JUDGE_DATA
from training.evaluate import OnnxScorer, evaluate

# Floors that guard the shipped model against regressions: its measured figures
# (`training/metrics.json`, README "The judge, measured") less a small margin. They are BELOW
# issue 7's acceptance floors (dev 0.80, each contrast and control 0.90, topical neutral 0.85),
# which this model does not reach; the README says so.
DEV_MIN = 0.76
TOPICAL_NEUTRAL_MIN = 0.69
# (contrast, entail control) per kind, measured less 0.05
KIND_MIN = {"swap_roles": (0.0, 0.85), "entity": (0.76, 0.76), "number": (0.67, 0.4),
            "date": (0.81, 0.54), "negation": (0.72, 0.45), "antonym": (0.54, 0.58),
            "debunk": (0.76, 0.58), "hedge": (0.17, 0.95)}


@pytest.fixture(scope="module")
def report() -> dict:
    if not JUDGE_DATA.exists():
        pytest.skip(f"judge data not found at {JUDGE_DATA} (it sits beside the repo on CI)")
    return evaluate(OnnxScorer(None, threads=None))


def test_dev_split_three_way_accuracy(report: dict) -> None:
    assert report["dev"]["pairs"] > 4000
    assert report["dev"]["accuracy"] >= DEV_MIN, report["dev"]


@pytest.mark.parametrize("kind", ["swap_roles", "entity", "number", "date", "negation",
                                  "antonym", "debunk", "hedge"])
def test_each_contrast_kind_and_its_entail_control(report: dict, kind: str) -> None:
    row = report["contrast"][kind]
    assert row["n_contrast"] >= 20 and row["n_control"] >= 20
    contrast_min, control_min = KIND_MIN[kind]
    assert row["contrast"] >= contrast_min, (kind, row)
    assert row["control"] >= control_min, (kind, row)


def test_topical_neutrals_are_neutral(report: dict) -> None:
    assert report["topical_neutral"]["neutral"] >= TOPICAL_NEUTRAL_MIN, report["topical_neutral"]


def test_one_batch_of_pairs_gives_probabilities_in_order() -> None:
    judge = shared_judge()
    assert shared_judge() is judge  # loaded once per process
    pairs = [JudgePair("Rovers won the final.", "Rovers beat United 2-1 in the final."),
             JudgePair("United won the final.", "Rovers beat United 2-1 in the final."),
             JudgePair("The final was sold out.", "Rovers beat United 2-1 in the final.")]
    scores = judge.judge(pairs)
    assert scores[0].label == "entail" and scores[2].label == "neutral"
    for s in scores:
        assert abs(s.entail + s.contradict + s.neutral - 1.0) < 1e-5
    # batched and one at a time agree up to int8 rounding (dynamic quantisation scales the
    # activations of the whole batch, so a batch's other rows move a score by ~0.02)
    alone = judge.judge(pairs[1:2])[0]
    assert abs(alone.contradict - scores[1].contradict) < 0.05
    assert alone.label == scores[1].label


def test_a_tampered_model_file_is_refused(tmp_path: Path) -> None:
    copy = tmp_path / "judge"
    shutil.copytree(model_dir(), copy)
    data = bytearray((copy / "model.onnx").read_bytes())
    data[len(data) // 2] ^= 0xFF
    (copy / "model.onnx").write_bytes(bytes(data))
    with pytest.raises(JudgeModelError, match="sha256"):
        OnnxJudge(copy)
    (copy / "model.onnx").unlink()
    with pytest.raises(JudgeModelError, match="missing"):
        OnnxJudge(copy)
