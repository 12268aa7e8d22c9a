"""The bundled embedding models load offline, verify their files and embed sensibly."""

from __future__ import annotations

import numpy as np
import pytest

from bot.settings import Settings
from index.embeddings import (
    MINILM_FILE,
    E5Embeddings,
    EmbeddingModelError,
    MiniLMEmbeddings,
    ModelFile,
    get_embeddings,
    model_id,
    verified_path,
)


@pytest.fixture(scope="module")
def minilm() -> MiniLMEmbeddings:
    return MiniLMEmbeddings()


def test_model_file_hash_is_checked():
    assert verified_path(MINILM_FILE).name == "model.onnx"
    wrong = ModelFile(MINILM_FILE.package, MINILM_FILE.name, "0" * 64)
    with pytest.raises(EmbeddingModelError, match="sha256"):
        verified_path(wrong)
    with pytest.raises(EmbeddingModelError, match="not installed"):
        verified_path(ModelFile("no_such_package_xyz", "m.onnx", "0" * 64))


def test_minilm_vectors_are_normalised_and_ordered(minilm):
    texts = ["short", "a much longer sentence about a dam breach near the river town", "x y"]
    batch = np.array(minilm.embed_documents(texts))
    single = np.array([minilm.embed_query(t) for t in texts])
    assert batch.shape == (3, 384)
    assert np.allclose(np.linalg.norm(batch, axis=1), 1.0, atol=1e-4)
    # batching sorts by length internally; results must come back in input order
    assert np.allclose(batch, single, atol=2e-2)
    assert minilm.embed_documents([]) == []


def test_minilm_ranks_related_text_higher(minilm):
    q = np.array(minilm.embed_query("How many soldiers were captured?"))
    related, unrelated = np.array(
        minilm.embed_documents(
            ["The militia said it captured 25 soldiers.", "Chocolate bars divide British fans."]
        )
    )
    assert q @ related > q @ unrelated + 0.1


def test_e5_is_selectable_and_embeds():
    e5 = E5Embeddings()
    vec = np.array(e5.embed_query("evacuation of the town"))
    docs = np.array(e5.embed_documents(["The town was evacuated.", "A recipe for cake."]))
    assert vec.shape == (384,) and docs.shape == (2, 384)
    assert vec @ docs[0] > vec @ docs[1]


def test_settings_select_model_and_share_instance(tmp_path):
    s = Settings(data_dir=tmp_path)
    assert model_id(s) == MiniLMEmbeddings.name
    assert get_embeddings(s) is get_embeddings(Settings(data_dir=tmp_path / "other"))
    assert model_id(Settings(data_dir=tmp_path, embedding_model="e5")) == E5Embeddings.name
