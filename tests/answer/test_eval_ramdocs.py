"""Point 7: eval item loading and the RAMDocs runner (on a tiny file of the same shape)."""

from __future__ import annotations

import json

import pytest

from bot.answer.eval import load_items
from bot.answer.ramdocs import run_ramdocs
from bot.settings import Settings


def test_load_items_schema(tmp_path) -> None:  # noqa: ANN001
    path = tmp_path / "set.jsonl"
    path.write_text('# comment\n{"query": "q?", "expected_verdict": "answered"}\n\n'
                    '{"query": "c", "mode": "claim", "expected_verdict": ["refuted", "disputed"],'
                    ' "expected_outlets": ["X"], "expected_evidence": ["few words"]}\n')
    items = load_items(path)
    assert [i.mode for i in items] == ["question", "claim"]
    assert items[1].expected_verdicts == ("refuted", "disputed")
    path.write_text('{"expected_verdict": "answered"}\n')
    with pytest.raises(ValueError, match="set.jsonl:1"):
        load_items(path)


def test_ramdocs_runner(tmp_path) -> None:  # noqa: ANN001
    items = [
        {"question": "What is the population of Lakeside?",
         "documents": [
             {"text": "Lakeside is a town in the valley. As of the census of 2010, there were "
                      "4,210 people living in Lakeside.", "type": "correct",
              "answer": "4,210 people"},
             {"text": "Lakeside is a town in the valley. As of the census of 2010, there were "
                      "9,999 people living in Lakeside.", "type": "misinfo",
              "answer": "9,999 people"},
             {"text": "Lakeside Park is a football stadium with a grass pitch.", "type": "noise",
              "answer": "unknown"}],
         "gold_answers": ["4,210 people"], "wrong_answers": ["9,999 people"]},
        {"question": "Which river flows through Oakford?",
         "documents": [{"text": "The river Wend flows through the centre of Oakford town.",
                        "type": "correct", "answer": "Wend"}],
         "gold_answers": ["Wend"], "wrong_answers": []},
    ]
    path = tmp_path / "ramdocs.jsonl"
    path.write_text("\n".join(json.dumps(i) for i in items) + "\n")
    report = run_ramdocs(Settings(data_dir=tmp_path), path, limit=None)
    d = report.as_dict()
    assert d["questions"] == 2
    assert d["any_gold_quoted"] == 1.0
    # the conflicting census figures are shown as disputed, not as a plain answer
    assert d["misinfo_shown_unflagged"] == 0.0
    assert "every gold answer quoted" in report.table()
    assert run_ramdocs(Settings(data_dir=tmp_path), path, limit=1).questions == 1
