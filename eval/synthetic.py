"""Policy-shaped libraries of any size, made from real documents, for benchmarks.

Each copy of a real document is moved to another place of the gazetteer (``data/lexicon/places.txt``):
its place names are replaced, so scope by place still picks one document, and its quantities are
shifted, so no two copies state the same facts.

    python -m eval.synthetic OUT_DIR --documents 50
"""

from __future__ import annotations

import argparse
import random
import re
from pathlib import Path

from assistant.parser import document_id_for, parse_policy
from assistant.readers import read_document
from assistant.scope import short_place
from assistant.settings import DATA_DIR, DEFAULT_CORPUS, PROJECT_ROOT

SOURCES = [DEFAULT_CORPUS, PROJECT_ROOT / "eval" / "library" / "dev"]
_QUANTITY = re.compile(r"(?<![\d.])(\d{2,5})(?=\s*(?:所|个|人|名|项|万元|元|套|学时|平方米))")


def source_documents() -> list[tuple[str, str, str]]:
    """(id, text, place) of every real document the copies are made from."""
    documents = []
    for folder in SOURCES:
        for path in sorted(folder.iterdir()):
            text = read_document(path)
            place = parse_policy(text, document_id_for(path)).document.place
            documents.append((document_id_for(path), text, place))
    return documents


def gazetteer() -> list[str]:
    lines = (DATA_DIR / "lexicon" / "places.txt").read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line and not line.startswith("#") and line.endswith(("区", "县"))]


def relocate(text: str, place: str, new_place: str, shift: int) -> str:
    """The text as if another place had published it, with its quantities shifted."""
    if place:
        text = text.replace(place, new_place).replace(short_place(place), short_place(new_place))
    return _QUANTITY.sub(lambda match: str(int(match.group(1)) + shift), text)


def make_library(folder: Path, count: int, seed: int = 7) -> list[Path]:
    """Write ``count`` documents into ``folder`` (the real ones first, then relocated copies)."""
    folder.mkdir(parents=True, exist_ok=True)
    sources = source_documents()
    places = gazetteer()
    chooser = random.Random(seed)
    written = []
    for index in range(count):
        document_id, text, place = sources[index % len(sources)]
        if index >= len(sources):
            new_place = chooser.choice(places)
            text = relocate(text, place, new_place, shift=index)
            document_id = f"{document_id}-{index:04d}"
        path = folder / f"{document_id}.md"
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m eval.synthetic", description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--documents", type=int, default=50)
    args = parser.parse_args()
    paths = make_library(args.folder, args.documents)
    print(f"{len(paths)} documents in {args.folder}")


if __name__ == "__main__":
    main()
