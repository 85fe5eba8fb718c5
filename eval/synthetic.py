"""Policy-shaped libraries of any size, made from real documents, for benchmarks.

The real documents come first, unchanged. Each further document is a copy of one of them moved to
another place of the gazetteer (``data/lexicon/places.txt``), one place per copy: its place names are
replaced, so a question naming the place picks that one document, and its quantities are shifted by the
copy's number, so no two copies state the same facts. A copy of a document numbered 一、二、三… is
extended with the parts of other such documents (renumbered to follow its own, moved to the same place)
until it holds about ``clauses_per_document`` clauses: recombined items, as a longer plan would have.

    python -m eval.synthetic OUT_DIR --documents 500
"""

from __future__ import annotations

import argparse
import random
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from assistant.parser import document_id_for, parse_policy
from assistant.readers import read_document
from assistant.scope import short_place
from assistant.settings import DATA_DIR, DEFAULT_CORPUS, PROJECT_ROOT
from assistant.text import chinese_numeral

SOURCES = [DEFAULT_CORPUS, PROJECT_ROOT / "eval" / "library" / "dev"]
# About the size of a district's three-year plan: 500 documents make a library of about 50,000 clauses.
CLAUSES_PER_DOCUMENT = 120
# A copy's quantities are shifted: whole numbers of these units (2万元 and 12.6万人 are left as they are).
QUANTITY_UNITS = "所|个|人|名|项|万元|元|套|学时|平方米"
_QUANTITY = re.compile(rf"(?<![\d.])(\d{{2,5}})(?=\s*(?:{QUANTITY_UNITS}))")
# A part heading (一、总体要求), as a line of its own, in markdown or not.
_PART_HEADING = re.compile(r"^(\s*(?:#+\s*)?)([一二三四五六七八九十]{1,3})、", re.M)
_ANNEX = re.compile(r"^\s*(?:#+\s*)?附件", re.M)
_COPY_ID = re.compile(r".+-copy\d{4}")


@dataclass(frozen=True)
class Source:
    """A real document copies are made from."""

    id: str
    text: str
    place: str
    clauses: int
    # How many parts it numbers 一、二、三… in order, as the parser reads it too (0 when it is laid out
    # otherwise): only such documents are joined, so that the joined parts can be numbered on.
    parts: int

    def body(self) -> str:
        """Its parts: its text from its first part to its 附件 or its end (no title, notice or annex)."""
        text, _ = split_annex(self.text)
        return text[_PART_HEADING.search(text).start():]


def split_annex(text: str) -> tuple[str, str]:
    """The text before its 附件, and the 附件 on ("" when it has none)."""
    match = _ANNEX.search(text)
    return (text, "") if match is None else (text[:match.start()], text[match.start():])


def source_documents() -> list[Source]:
    """Every real document the copies are made from."""
    documents = []
    for folder in SOURCES:
        for path in sorted(folder.iterdir()):
            text = read_document(path)
            tree = parse_policy(text, document_id_for(path))
            documents.append(Source(document_id_for(path), text, tree.document.place, len(tree.clauses),
                                    _numbered_parts(text, [part.numeral for part in tree.parts])))
    return documents


def _numbered_parts(text: str, parsed: list[str]) -> int:
    written = [match.group(2) for match in _PART_HEADING.finditer(split_annex(text)[0])]
    in_order = [chinese_numeral(number) for number in range(1, len(written) + 1)]
    return len(written) if written and written == in_order == parsed[:len(written)] else 0


def gazetteer(taken: set[str] = frozenset()) -> list[str]:
    """The gazetteer's districts and counties whose short name is theirs alone (not two 朝阳区) and not
    in ``taken``."""
    lines = (DATA_DIR / "lexicon" / "places.txt").read_text(encoding="utf-8").splitlines()
    names = [line.split()[-1] for line in lines if line and not line.startswith("#")]
    shorts = Counter(short_place(name) for name in names)
    return [name for name in names if name.endswith(("区", "县")) and shorts[short_place(name)] == 1
            and short_place(name) not in taken]


def relocate(text: str, place: str, new_place: str, shift: int) -> str:
    """The text as if another place had published it, with its quantities shifted."""
    if place:
        text = text.replace(place, new_place).replace(short_place(place), short_place(new_place))
    return _QUANTITY.sub(lambda match: str(int(match.group(1)) + shift), text)


def renumbered(body: str, first: int) -> str:
    """A body's parts numbered from ``first`` on (一、 … become 五、 …)."""
    numbers = iter(range(first, first + 100))
    return _PART_HEADING.sub(lambda match: f"{match.group(1)}{chinese_numeral(next(numbers))}、", body)


def combined(base: Source, donors: list[Source], new_place: str, shift: int) -> str:
    """``base`` moved to ``new_place``, with the parts of each donor numbered on and moved there too,
    before the base's 附件 if it has one."""
    text, annex = split_annex(base.text)
    parts = [relocate(text, base.place, new_place, shift)]
    after = base.parts
    for donor in donors:
        parts.append(relocate(renumbered(donor.body(), after + 1), donor.place, new_place, shift))
        after += donor.parts
    parts.append(relocate(annex, base.place, new_place, shift))
    return "\n\n".join(part.strip("\n") for part in parts if part.strip()) + "\n"


def is_copy(document_id: str) -> bool:
    """Whether a document of a made library is a copy (its place and figures its own), not a real one."""
    return _COPY_ID.fullmatch(document_id) is not None


def make_library(folder: Path, count: int, seed: int = 7,
                 clauses_per_document: int = CLAUSES_PER_DOCUMENT) -> list[Path]:
    """Write ``count`` documents into ``folder``: the real ones first, then copies of those that name a
    place (as many as the gazetteer has places for, about 2,000). The first ``n`` documents of a library
    are the library of ``n`` documents (same seed)."""
    folder.mkdir(parents=True, exist_ok=True)
    sources = source_documents()
    joinable = [source for source in sources if source.parts]
    placed = [source for source in sources if source.place]   # a copy is told apart by its place
    places = gazetteer({short_place(source.place) for source in placed})
    random.Random(seed).shuffle(places)
    written = [_write(folder, source.id, source.text) for source in sources[:count]]
    for index in range(len(sources), count):
        copy = index - len(sources)
        base = placed[copy % len(placed)]
        # Each copy draws its own donors: a smaller library is the start of a larger one.
        donors = _donors(base, joinable, random.Random(seed * 100_003 + index), clauses_per_document)
        text = combined(base, donors, places[copy % len(places)], shift=index)
        written.append(_write(folder, f"{base.id}-copy{index:04d}", text))
    return written


def _donors(base: Source, joinable: list[Source], chooser: random.Random, clauses_per_document: int) -> list[Source]:
    """Documents whose parts are added to ``base`` until it holds about ``clauses_per_document`` clauses."""
    if not base.parts:
        return []
    others = [source for source in joinable if source is not base]
    chooser.shuffle(others)
    donors, clauses, parts = [], base.clauses, base.parts
    for donor in others:
        if clauses >= clauses_per_document or parts + donor.parts > 99:   # parts are numbered up to 九十九
            break
        donors.append(donor)
        clauses, parts = clauses + donor.clauses, parts + donor.parts
    return donors


def _write(folder: Path, document_id: str, text: str) -> Path:
    path = folder / f"{document_id}.md"
    path.write_text(text, encoding="utf-8")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m eval.synthetic", description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--documents", type=int, default=50)
    args = parser.parse_args()
    paths = make_library(args.folder, args.documents)
    print(f"{len(paths)} documents in {args.folder}")


if __name__ == "__main__":
    main()
