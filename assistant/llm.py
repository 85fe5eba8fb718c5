"""Optional LLM answers: a model words the answer from the retrieved clauses; nothing it invents reaches a user.

The model (any OpenAI-compatible endpoint, through ``langchain-openai``'s ``ChatOpenAI`` in an LCEL
chain ``prompt | model``) sees only the clauses it is given, numbered [1]…[n], and the question as
data; it must answer as JSON ``{"answer": "…[1]…", "citations": [1]}``. Its reply is read as a
stream and checked in full before anything is shown:

- every citation number refers to a clause it was given, and it cites at least one;
- every unit name (区…局/办/委…, 各街镇 …), number and percentage in the answer is in a cited clause.

A reply that fails a check, is not that JSON, stops before its end, runs past the timeout, or an
endpoint that cannot be reached: the extractive answer is returned instead, with ``mode`` =
``extractive-fallback`` and the reason. Prompts and reasons are data (``prompts/llm.toml``).
"""

from __future__ import annotations

import json
import re
import time
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path

import openai
from langchain_core.prompts import ChatPromptTemplate
from langchain_openai import ChatOpenAI
from pydantic import SecretStr

from .answer import to_citations
from .grounding import ungrounded
from .records import Answer, AnswerMode, Clause
from .settings import Settings

# A local server (vLLM, Ollama, llama.cpp) takes any key; the client insists on one.
NO_KEY = "not-needed"
MAX_CLAUSES = 6
_CITATION_MARK = re.compile(r"\[(\d+)\]")
# Names that read as a unit (区教育局, 市卫生健康委, 各街镇): an answer may only name those its clauses name.
_UNIT_LIKE = re.compile(r"(?:各|区|市|县|省|镇|乡|街道|国家|自治区)[\u4e00-\u9fff]{0,10}?"
                        r"(?:局|办公室|办|委员会|委|厅|院|中心|部|所|站|馆|联|会|队|团|街镇|镇街)")
_FENCE = re.compile(r"^\s*```(?:json)?\s*|\s*```\s*$")


class Fallback(Exception):
    """Why the model's reply is not used; the message is the user-facing reason."""


@dataclass(frozen=True)
class ModelReply:
    answer: str
    citations: tuple[int, ...]


class LLMAnswerer:
    """Words an answer with a language model and verifies it against the clauses it was given."""

    def __init__(self, settings: Settings, unit_names: list[str]) -> None:
        templates = tomllib.loads((Path(settings.prompts_dir) / "llm.toml").read_text(encoding="utf-8"))
        self.templates = templates
        self.reasons: dict[str, str] = templates["fallback"]
        self.unit_names = unit_names
        self.timeout = settings.llm_timeout
        model = ChatOpenAI(model=settings.llm_model, base_url=settings.llm_base_url,
                           api_key=settings.llm_api_key or SecretStr(NO_KEY), timeout=settings.llm_timeout,
                           max_retries=0, streaming=True, temperature=0)
        self.chain = ChatPromptTemplate.from_messages([("system", templates["system"]),
                                                       ("human", templates["answer"])]) | model

    def word(self, extractive: Answer, clauses: list[Clause]) -> Answer:
        """The model's answer to ``extractive.question`` from ``clauses`` when it passes every check,
        else ``extractive`` marked as the fallback, with the reason."""
        clauses = clauses[:MAX_CLAUSES]
        try:
            reply = self._read(self._stream(extractive.question, clauses), len(clauses))
            cited = self._verify(reply, clauses)
        except Fallback as reason:
            return replace(extractive, mode=AnswerMode.FALLBACK, fallback_reason=str(reason))
        # The answer's [n] follow its citations' order, as the citation cards show them.
        order = {number: index for index, number in enumerate(reply.citations, start=1)}
        text = _CITATION_MARK.sub(lambda mark: f"[{order[int(mark.group(1))]}]", reply.answer)
        return replace(extractive, answer=text, citations=to_citations([(clause, 1.0) for clause in cited]),
                       mode=AnswerMode.LLM, fallback_reason=None)

    # ---------------------------------------------------------------- the model
    def _stream(self, question: str, clauses: list[Clause]) -> str:
        """The model's whole reply, read as a stream: a reply cut before the model says it is done,
        or one that runs past the timeout, is not used."""
        inputs = {"count": len(clauses), "refusal": self.templates["refusal"],
                  "question": _as_data(question), "clauses": "\n\n".join(self._numbered(clauses))}
        deadline = time.monotonic() + self.timeout
        pieces, finished = [], False
        try:
            for chunk in self.chain.stream(inputs):
                pieces.append(chunk.content if isinstance(chunk.content, str) else "")
                finished = finished or bool(chunk.response_metadata.get("finish_reason"))
                if time.monotonic() > deadline:
                    raise Fallback(self.reasons["timeout"])
        except openai.APITimeoutError:
            raise Fallback(self.reasons["timeout"]) from None
        except openai.APIConnectionError:
            # Also a stream the server closes halfway: the connection broke after it began.
            raise Fallback(self.reasons["cut" if pieces else "unreachable"]) from None
        except openai.APIError:
            raise Fallback(self.reasons["failed"]) from None
        if not finished:
            raise Fallback(self.reasons["cut"])
        return "".join(pieces)

    def _numbered(self, clauses: list[Clause]) -> list[str]:
        return [self.templates["clause"].format(number=number, title=clause.document.title, clause_id=clause.id,
                                                section=clause.section, text=_as_data(clause.text))
                for number, clause in enumerate(clauses, start=1)]

    # ---------------------------------------------------------------- checks
    def _read(self, raw: str, given: int) -> ModelReply:
        try:
            data = json.loads(_FENCE.sub("", raw))
        except json.JSONDecodeError:
            raise Fallback(self.reasons["malformed"]) from None
        if not (isinstance(data, dict) and isinstance(data.get("answer"), str) and data["answer"].strip()
                and isinstance(data.get("citations", []), list)
                and all(isinstance(number, int) and not isinstance(number, bool) for number in data.get("citations", []))):
            raise Fallback(self.reasons["malformed"])
        answer = data["answer"].strip()
        if self.templates["refusal"].rstrip("。") in answer:
            raise Fallback(self.reasons["declined"])
        numbers = list(dict.fromkeys([*data.get("citations", []), *map(int, _CITATION_MARK.findall(answer))]))
        if any(not 1 <= number <= given for number in numbers):
            raise Fallback(self.reasons["bad_citation"])
        if not numbers:
            raise Fallback(self.reasons["no_citation"])
        return ModelReply(answer, tuple(numbers))

    def _verify(self, reply: ModelReply, clauses: list[Clause]) -> list[Clause]:
        """The cited clauses, when every unit name, number and percentage of the answer is in them."""
        cited = [clauses[number - 1] for number in reply.citations]
        plain = _CITATION_MARK.sub("", reply.answer)
        names = list(dict.fromkeys([*self.unit_names, *_UNIT_LIKE.findall(plain)]))
        missing = ungrounded(plain, [f"{clause.id} {clause.section}\n{clause.text}" for clause in cited], names)
        if missing:
            raise Fallback(self.reasons["ungrounded"].format(items="、".join(missing[:5])))
        return cited


def _as_data(text: str) -> str:
    """User and document text cannot close the prompt's <question>/<clauses> tags."""
    return text.replace("<", "＜").replace(">", "＞")
