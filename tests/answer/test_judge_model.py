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

# Floors the shipped model must keep (issue 7's acceptance; measured figures in the README).
DEV_MIN = 0.80
CONTRAST_MIN = 0.90
CONTROL_MIN = 0.90
TOPICAL_NEUTRAL_MIN = 0.85


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
    assert row["contrast"] >= CONTRAST_MIN, (kind, row)
    assert row["control"] >= CONTROL_MIN, (kind, row)


def test_topical_neutrals_are_neutral(report: dict) -> None:
    assert report["topical_neutral"]["neutral"] >= TOPICAL_NEUTRAL_MIN, report["topical_neutral"]


def test_one_batch_of_pairs_gives_probabilities_in_order() -> None:
    judge = shared_judge()
    assert shared_judge() is judge  # loaded once per process
    pairs = [JudgePair("Rovers won the final.", "Rovers beat United 2-1 in the final."),
             JudgePair("United won the final.", "Rovers beat United 2-1 in the final."),
             JudgePair("The final was sold out.", "Rovers beat United 2-1 in the final.")]
    scores = judge.judge(pairs)
    assert [s.label for s in scores] == ["entail", "contradict", "neutral"]
    for s in scores:
        assert abs(s.entail + s.contradict + s.neutral - 1.0) < 1e-5
    # batched and one at a time agree: padding does not change a pair's scores
    alone = judge.judge(pairs[1:2])[0]
    assert abs(alone.contradict - scores[1].contradict) < 1e-3


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
