"""What loading a library computes from its texts, kept on disk between processes.

Parsing 500 documents and cutting their 50,000 clauses into words takes the better part of a minute,
and both depend only on a document's text, the code that reads it and (for words) the dictionary. So
each result is kept under the store in a file named by a hash of everything it depends on: a changed
text, parser or dictionary gives another name, and a stale result is never read. Results are computed
again when their file is missing or cannot be read, so deleting the folder is always safe.

    >>> cache = DerivedCache(Path("/tmp/store/derived"))            # doctest: +SKIP
    >>> tree = cache.get_or_make("trees", ("plan", text_sha), lambda: parse_policy(text, "plan"))   # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import tempfile
import time
from collections.abc import Callable, Iterable
from importlib import metadata
from pathlib import Path
from typing import TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")
# Results not used by a load, nor written, for this long are deleted by that load's prune.
STALE_SECONDS = 3600.0


def fingerprint(parts: Iterable[str | bytes]) -> str:
    """A hash of ``parts`` in order (each delimited, so ("ab", "c") differs from ("a", "bc"))."""
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()


def code_fingerprint(files: Iterable[Path], packages: Iterable[str] = ()) -> str:
    """A hash of source files and installed package versions: what a derived result was computed with."""
    versions = [f"{package}=={metadata.version(package)}" for package in packages]
    return fingerprint([path.read_bytes() for path in files] + versions)


class DerivedCache:
    """Pickled results in ``folder/<kind>/<key>.pickle``; with no folder, every result is computed."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self._used: set[Path] = set()

    def get_or_make(self, kind: str, key: Iterable[str], make: Callable[[], T]) -> T:
        if self.folder is None:
            return make()
        path = self.folder / kind / f"{fingerprint(key)}.pickle"
        self._used.add(path)
        try:
            with open(path, "rb") as stored:
                return pickle.load(stored)
        except FileNotFoundError:
            pass
        except Exception as error:   # a truncated or foreign file: computed again and replaced
            log.warning("cannot read %s (%s); computing it again", path, error)
        value = make()
        self._write(path, value)
        return value

    def prune(self, kind: str) -> None:
        """Delete the results of ``kind`` this cache did not use, once nothing has written them for a while
        (another process may be loading another library with them)."""
        if self.folder is None or not (self.folder / kind).is_dir():
            return
        cutoff = time.time() - STALE_SECONDS
        for path in (self.folder / kind).iterdir():
            try:
                if path not in self._used and path.stat().st_mtime < cutoff:
                    path.unlink()
            except OSError:
                continue

    def _write(self, path: Path, value: object) -> None:
        """Written whole or not at all; a cache that cannot be written (read-only, full) is only slower."""
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
        except OSError as error:
            log.warning("cannot keep %s (%s)", path, error)
            return
        try:
            with os.fdopen(descriptor, "wb") as output:
                pickle.dump(value, output, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, path)
        except OSError as error:
            log.warning("cannot keep %s (%s)", path, error)
            Path(temporary).unlink(missing_ok=True)
