"""Text normalisation shared by parsing, indexing and answering.

``fold`` is for matching only (NFKC, traditional → simplified, lower case, no spaces);
what users see is always the original clause text.

    >>> fold("抓好教育督導體制（２０２５年）")
    '抓好教育督导体制(2025年)'
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from opencc import OpenCC

_TO_SIMPLIFIED = OpenCC("t2s")
_SPACES = re.compile(r"\s+")
# Spaces matter between latin words ("high school") but not next to CJK text ("到 2025 年").
_SPACE_NEXT_TO_CJK = re.compile(r"(?<=[^\x00-\x7f]) | (?=[^\x00-\x7f])")
CHINESE_NUMERALS = "零一二三四五六七八九十"
# A year or a span of years run into a list number (1.2025年秋季学期起…, 1.2019—2021年全市…): item 1,
# then the year, not the decimal 1.2025.
YEAR_AFTER_LIST_NUMBER = r"(?:19|20)\d\d\s*(?:年|[—–\-~至到]\s*(?:19|20)\d\d)"
# After "1." a digit makes a decimal (1.5倍), unless it begins a year.
NOT_DECIMAL = rf"(?:(?!\d)|(?={YEAR_AFTER_LIST_NUMBER}))"
# The number a numbered line opens with (1. / 1、 / １．), itself and the spaces after it.
LIST_NUMBER = re.compile(rf"^\s*\d{{1,3}}\s*[.．、]{NOT_DECIMAL}\s*")


# Control characters (category Cc, but tab and newline, which are spacing) and invisible format marks (Cf).
_INVISIBLE = ("Cc", "Cf")


def has_lone_surrogate(text: str) -> bool:
    """Text decoded from invalid UTF-8 (or a JSON "\\ud800") holds halves of a character that cannot be encoded."""
    return any("\ud800" <= char <= "\udfff" for char in text)


def without_controls(text: str) -> str:
    return "".join(char for char in text if char in "\t\n" or unicodedata.category(char) not in _INVISIBLE)


@lru_cache(maxsize=4096)
def fold(text: str) -> str:
    """Canonical form for matching: NFKC, simplified characters, lower case, spaces only between latin words."""
    text = unicodedata.normalize("NFKC", text)
    text = _TO_SIMPLIFIED.convert(text)
    return _SPACE_NEXT_TO_CJK.sub("", _SPACES.sub(" ", text).strip()).lower()


def to_simplified(text: str) -> str:
    """Traditional → simplified only, keeping punctuation and spacing (for embedding)."""
    return _TO_SIMPLIFIED.convert(text)


def count_text(value: int, before_ge: bool = False) -> str:
    """How an answer writes a count: 零, 一 … 九十九, then digits (a 条例 may have 120 articles);
    2 before the measure word 个 is 两 (两个专栏)."""
    if value == 0:
        return "零"
    if value == 2 and before_ge:
        return "两"
    return chinese_numeral(value) if 0 < value < 100 else str(value)


def chinese_numeral(value: int) -> str:
    """1 → 一, 10 → 十, 15 → 十五, 21 → 二十一 (enough for policy numbering)."""
    if value <= 0 or value >= 100:
        raise ValueError(f"numbering out of range: {value}")
    tens, ones = divmod(value, 10)
    if tens == 0:
        return CHINESE_NUMERALS[ones]
    prefix = "" if tens == 1 else CHINESE_NUMERALS[tens]
    return prefix + "十" + (CHINESE_NUMERALS[ones] if ones else "")


def parse_chinese_numeral(text: str) -> int:
    """一 → 1, 十五 → 15, 二十 → 20; also accepts arabic digits."""
    text = text.strip()
    if text.isdigit():
        return int(text)
    if not text or any(ch not in CHINESE_NUMERALS for ch in text):
        raise ValueError(f"not a chinese numeral: {text!r}")
    if "十" not in text:
        return CHINESE_NUMERALS.index(text)
    tens_part, _, ones_part = text.partition("十")
    tens = CHINESE_NUMERALS.index(tens_part) if tens_part else 1
    ones = CHINESE_NUMERALS.index(ones_part) if ones_part else 0
    return tens * 10 + ones


_FIVE_YEAR = re.compile(r"(?:第)?([一二三四五六七八九十]{1,3})(?:五|个五年)(?=[”\"]|规划|计划|时期|期间|期末|末|发展规划)")
_CHINESE_YEAR_DIGITS = str.maketrans("〇零一二三四五六七八九", "00123456789")


def five_year_plans(text: str) -> list[tuple[str, tuple[int, int]]]:
    """Five-year plans named in simplified text, with their years: 十四五 → 2021—2025 (every plan from
    the third on covers five years from 1966)."""
    found = []
    for match in _FIVE_YEAR.finditer(text):
        try:
            number = parse_chinese_numeral(match.group(1))
        except ValueError:
            continue
        if 3 <= number <= 20:
            first = 1966 + 5 * (number - 3)
            found.append((match.group(0), (first, first + 4)))
    return found


def year_of(date: str) -> int | None:
    """The year of a date as written: 2023年11月23日, 2016-05-19 or 二〇〇五年六月八日."""
    match = re.match(r"\s*(\d{4}|[〇零一二三四五六七八九]{4})", date)
    return int(match.group(1).translate(_CHINESE_YEAR_DIGITS)) if match else None


_QUOTED = re.compile(r"[“\"「『]([^”\"」』]{2,16})[”\"」』]")


def quoted_names(text: str) -> list[str]:
    """Names a text puts in quotation marks ("留守儿童之家", 「三个课堂」), each once."""
    return list(dict.fromkeys(_QUOTED.findall(text)))


def whole_words(words: Iterable[str]) -> tuple[str, ...]:
    """Words not inside another of them, each once: jieba's search mode also yields 职业 and 院校 of
    职业院校, which would count one word three times."""
    words = list(dict.fromkeys(words))
    return tuple(word for word in words if not any(word != other and word in other for other in words))
