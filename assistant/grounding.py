"""Check that every number and unit name in an answer appears in the clauses it cites.

    >>> ungrounded("毛入园率达到93%以上", ["全区学前三年毛入园率达到93%以上"], ["区教育局"])
    []
    >>> ungrounded("由区财政局负责，目标95%", ["（责任单位：区教育局）"], ["区教育局", "区财政局"])
    ['95', '区财政局']
    >>> ungrounded("2025年底前建成", ["2.2025年底前建成"], [])
    []
"""

from __future__ import annotations

import re

from .text import YEAR_AFTER_LIST_NUMBER, fold

# A decimal, but not a list number run into a year (1.2025年底前 is item 1 and the year 2025).
_NUMBER = re.compile(rf"\d+(?:\.(?!{YEAR_AFTER_LIST_NUMBER})\d+)?")


def ungrounded(answer: str, cited_texts: list[str], unit_names: list[str]) -> list[str]:
    """Numbers and unit names of ``answer`` that none of ``cited_texts`` contains."""
    answer_folded = fold(answer)
    source = fold("\n".join(cited_texts))
    source_numbers = set(_NUMBER.findall(source))
    missing = [number for number in dict.fromkeys(_NUMBER.findall(answer_folded)) if number not in source_numbers]
    for unit in sorted(unit_names, key=len, reverse=True):
        name = fold(unit)
        if name in answer_folded:
            if name not in source:
                missing.append(unit)
            answer_folded = answer_folded.replace(name, "")
    return missing
