"""Which documents of the library a question is about: the places, periods, years and titles it names.

Everything it knows comes from the documents' own records (place, period, date, title), so a
new document is in scope as soon as it is in the library.

    >>> reader = ScopeReader(library, lexicon)                  # doctest: +SKIP
    >>> reader.read(fold("黄南州学前三年毛入园率是多少")).documents  # doctest: +SKIP
    ('huangnan-education-14th-fyp',)
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable
from dataclasses import dataclass

from .lexicon import Lexicon
from .parser import NATIONAL_PLACE
from .records import Clause, Document, Library, PolicyTree
from .text import five_year_plans, fold, year_of

_YEAR_SPAN = re.compile(r"(?<!\d)((?:19|20)\d\d)(?:\s*年)?(?:\s*[—–\-－~～至到]+\s*((?:19|20)\d\d))?(?:\s*年|(?!\d))")
_PLACE_SUFFIX = re.compile(r"(?:特别行政区|维吾尔自治区|壮族自治区|回族自治区|藏族自治州|自治区|自治州|自治县|省|市|州|县|区|旗|盟)$")


@dataclass(frozen=True)
class Scope:
    documents: tuple[str, ...]       # the documents to answer from; every document when none is named
    named: bool = False              # the question (or the caller) named them: each answers ("A和B分别…")
    refusal: str | None = None       # other_place / other_year / injection
    within: tuple[str, ...] = ()     # documents its places and exact titles cover (四川省: 四川省's and 绵阳市's)


def short_place(place: str) -> str:
    """西青区 → 西青, 黄南藏族自治州 → 黄南 (two characters at least are kept)."""
    short = _PLACE_SUFFIX.sub("", place)
    for ethnic in ("藏族", "蒙古族", "回族", "彝族", "苗族", "壮族", "土家族", "朝鲜族", "哈尼族", "傣族"):
        short = short.replace(ethnic, "")
    return short if len(short) >= 2 else place


class Gazetteer:
    """China's administrative divisions: a place's name, the names it goes by, and what encloses it.

    An administrative code's first two digits name the province and its first four the prefecture,
    so 安吉县 (330523…) lies in 湖州市 (3305…) and 浙江省 (33…)."""

    def __init__(self, entries: tuple[tuple[str, str], ...], short_names: tuple[str, ...]) -> None:
        self.codes: dict[str, list[str]] = {}
        for code, name in entries:
            self.codes.setdefault(fold(name), []).append(code)
        self.name_of = {code: fold(name) for code, name in entries}
        # 四川 → 四川省, 北京 → 北京市: the short names people use for provinces and big cities.
        self.full_name: dict[str, str] = {}
        for short in short_names:
            full = next((name for name in self.codes if name.startswith(short)
                         and any(code.endswith("00000000") for code in self.codes[name])), None)
            if full:
                self.full_name[short] = full
        words = sorted([*self.codes, *self.full_name], key=len, reverse=True)
        self.pattern = re.compile("|".join(map(re.escape, words))) if words else None

    def names(self) -> set[str]:
        return set(self.codes) | set(self.full_name)

    def find(self, folded: str) -> list[str]:
        """The places named in the text, by their full names."""
        found = self.pattern.findall(folded) if self.pattern else []
        return [self.full_name.get(name, name) for name in found]

    def is_county(self, name: str) -> bool:
        """A district, county or county-level city (its code's fifth and sixth digits are not 00)."""
        return any(code[4:6] != "00" for code in self.codes.get(name, ()))

    def enclosing(self, name: str) -> set[str]:
        """The place itself and the prefecture and province around it, by name."""
        names = {name}
        for code in self.codes.get(name, ()):
            for prefix in (code[:2] + "0" * 10, code[:4] + "0" * 8):
                if prefix in self.name_of:
                    names.add(self.name_of[prefix])
        return names


class ScopeReader:
    def __init__(self, library: Library, lexicon: Lexicon) -> None:
        self.library = library
        self.lexicon = lexicon
        self.documents = library.documents
        self.gazetteer = Gazetteer(lexicon.places, lexicon.known_places)
        self.places = {document.id: self._place_names(document) for document in self.documents}
        self.all_places = {name for names in self.places.values() for name in names}
        # The provinces and prefectures each document's place lies in (浙江省 for 安吉县).
        self.regions = {document_id: set().union(*(self.gazetteer.enclosing(name) for name in names))
                        for document_id, names in self.places.items()}
        # …and the places its own title or issuer puts around it (东临市明湖区教育局: 东临市), for
        # places the gazetteer does not know.
        self.around = {document.id: _named_around(document) for document in self.documents}
        # A county's document often names its city only in its opening (根据鹤汀市教育局……的部署): a
        # city of the library's documents named there is around it too.
        cities = {place for place in self.all_places if place.endswith(("市", "州", "盟"))}
        for tree in library.trees:
            if tree.document.place.endswith(COUNTY_SUFFIXES):
                opening = _opening(tree, OPENING_CHARS)
                self.around[tree.document.id] |= {name for city in cities - self.places[tree.document.id]
                                                  if city in opening for name in (city, fold(short_place(city)))}
        self.titles = {document.id: fold(document.title) for document in self.documents}
        # A title without its place, its bracketed period and its years: the words that name the document.
        self.title_cores = {document_id: self._title_core(document_id, title) for document_id, title in self.titles.items()}
        self.title_pieces = {document_id: {core[i:i + MIN_PIECE] for i in range(len(core) - MIN_PIECE + 1)}
                             for document_id, core in self.title_cores.items()}
        # Short names a document gives its subject (县域普通高中（以下简称“县中”）), with its kind:
        # "县中行动计划" names that document.
        self.short_titles = {tree.document.id: self._short_titles(tree) for tree in library.trees}
        self._texts: dict[str, str] = {}
        self.units = sorted({fold(unit) for tree in library.trees for unit in tree.responsible_units}, key=len,
                            reverse=True)

    @staticmethod
    def _place_names(document: Document) -> set[str]:
        if not document.place or document.place == NATIONAL_PLACE:
            return set()
        place = fold(document.place)
        return {place, fold(short_place(document.place))}

    def scope_words(self) -> set[str]:
        """Words that name a place: they scope a question but are not its topic."""
        return self.all_places | self.gazetteer.names()

    def read(self, folded: str) -> Scope:
        if any(pattern.search(folded) for pattern in self.lexicon.injection):
            return Scope((), refusal="injection")
        by_place = [document.id for document in self.documents if self._names_place(document, folded)]
        by_title = self._named_by_title(folded)
        by_id = [document.id for document in self.documents if document.id.lower() in folded]
        exact = list(dict.fromkeys(by_place + by_title + by_id))
        named = self._by_title_within_places(exact, folded) or self._quoted_in_pieces(folded)
        asked = self._places_asked(folded)
        # A province or prefecture around some documents' places (四川 for 绵阳市) limits the
        # question to them; it does not name one of them.
        region = [document.id for document in self.documents
                  if any(place in self.regions[document.id] for place in asked)
                  or any(name in folded for name in self.around[document.id])]
        foreign = [place for place in asked
                   if not any(place in self.regions[document.id] for document in self.documents)]
        # A place outside the library is refused even when the question shares words with a title
        # (上海市…学前教育三年行动计划 is not 株洲市学前教育发展提升行动计划).
        if foreign and not exact and not region:
            return Scope((), refusal="other_place")
        # A district or county outside the library is another place even inside a city the library
        # holds documents of (天津市和平区 is not 天津市西青区), unless a document is about the city
        # or province around it (株洲市's plan answers for 攸县).
        if not exact and any(self.gazetteer.is_county(place) and not any(
                self.gazetteer.enclosing(place) & self.places[document.id] for document in self.documents)
                for place in foreign):
            return Scope((), refusal="other_place")
        # What a listing of the library is limited to: words that name documents for sure, not a
        # title quoted in pieces ("哪些重点工作任务分解表" quotes many titles).
        within = tuple(dict.fromkeys(exact + region))
        candidates = named or region or [document.id for document in self.documents]
        years, spoken = self._years(folded)
        if years and named:
            # Years choose among the editions of each named policy (西青区 2023—2025 or 2026—2028);
            # they do not drop another place or another policy the question names.
            editions = _grouped(named, lambda document_id: (self._place(document_id), self.title_cores[document_id]))
            named = [document_id for group in editions for document_id in (self._best_covering(group, years) or group)]
            candidates = named
            # A named document may speak of a year outside its period (a baseline: 2020年的89.6%).
            if not any(self._overlap(document_id, years) for document_id in named) and \
                    not any(word in self._text(document_id) for word in spoken for document_id in named):
                return Scope((), refusal="other_year")
        elif years:
            covering = self._best_covering(candidates, years)
            # A document without a period (a 规定) may set targets for the year asked (到2027年底).
            mentioning = [document_id for document_id in candidates if document_id not in covering
                          and self.library.tree(document_id).document.period is None
                          and any(word in self._text(document_id) for word in spoken)]
            if not covering and not mentioning:
                return Scope((), refusal="other_year")
            candidates = covering + mentioning
            # Years alone name documents only when each names its own (2005年的意见 and 2010年的意见);
            # a year many documents cover (2025年) narrows the search, and retrieval ranks within it.
            named = covering if len(covering) <= len(years) and not mentioning else []
        # Several different policies of the one place a question names, none of them by title, are
        # its candidates: the best of them answers, as for a question that names nothing. (Editions
        # of one policy are named together: the years or the comparison asked choose among them.)
        one_place = len(named) > 1 and not by_title and not by_id \
            and len({self._place(document_id) for document_id in named}) == 1 \
            and len({self.title_cores[document_id] for document_id in named}) == len(named)
        return Scope(tuple(candidates), named=bool(named) and not one_place, within=within)

    def clause_naming_around(self, document_id: str, folded: str) -> Clause | None:
        """The first clause of a document that names a place the question names around the document's
        own (根据鹤汀市教育局…, for a question about 鹤汀市 and the counties under it), or None."""
        names = [name for name in self.around[document_id] if name in folded]
        if not names:
            return None
        return next((clause for clause in self.library.tree(document_id).clauses
                     if any(name in fold(clause.text) for name in names)), None)

    def _place(self, document_id: str) -> str:
        return self.library.tree(document_id).document.place

    def _names_place(self, document: Document, folded: str) -> bool:
        return any(name in folded for name in self.places[document.id])

    def _by_title_within_places(self, document_ids: list[str], folded: str) -> list[str]:
        """Among several documents of one place the question names, those whose titles it quotes
        most of (琅川市…实验教学实施方案, not 琅川市's other documents); all of them when it quotes none."""
        kept: list[str] = []
        for group in _grouped(document_ids, self._place):
            quoted = {document_id: _quoted_chars(folded, self.title_cores[document_id]) for document_id in group}
            best = max(quoted.values())
            kept += [document_id for document_id in group
                     if len(group) == 1 or best < MIN_TITLE_QUOTE or quoted[document_id] == best]
        return kept

    def _named_by_title(self, folded: str) -> list[str]:
        """Documents whose title's distinctive part (not its place or period) the question quotes."""
        return [document_id for document_id, core in self.title_cores.items() if len(core) >= 6 and core in folded
                or any(short in folded for short in self.short_titles[document_id])]

    def _quoted_in_pieces(self, folded: str) -> list[str]:
        """The documents whose titles the question quotes most of, in pieces ("县域普通高中行动计划"
        for “十四五”县域普通高中发展提升行动计划), when it names no document otherwise."""
        # Most titles share no three characters with the question: only the others are measured.
        pieces = {folded[i:i + MIN_PIECE] for i in range(len(folded) - MIN_PIECE + 1)}
        quoted = {document_id: _quoted_chars(folded, core) for document_id, core in self.title_cores.items()
                  if len(pieces & self.title_pieces[document_id]) >= 2}
        quoted = {document_id: share for document_id, share in quoted.items()
                  if share >= MIN_QUOTED_CHARS and share >= MIN_QUOTED_SHARE * len(self.title_cores[document_id])}
        return [document_id for document_id, share in quoted.items() if share == max(quoted.values())]

    def _short_titles(self, tree) -> set[str]:
        title = re.sub(r"[（(][^）)]*[)）]$", "", fold(tree.document.title))   # without its （2025—2027年）
        kinds = [genre for genre in self.lexicon.genres if title.endswith(genre)]   # 行动计划 and 计划
        opening = fold("".join(clause.text for clause in tree.clauses[:SHORT_NAME_CLAUSES]))
        return {name + kind for name in _SHORT_NAME.findall(opening) for kind in kinds}

    def _title_core(self, document_id: str, title: str) -> str:
        core = title_without_period(title)
        for name in self.places[document_id]:
            core = core.replace(name, "")
        return core

    def _places_asked(self, folded: str) -> list[str]:
        """Places the question names (unit names are not places: 市规划资源局西青分局)."""
        for unit in self.units:
            folded = folded.replace(unit, "，")
        return list(dict.fromkeys(self.gazetteer.find(folded)))

    @staticmethod
    def _years(folded: str) -> tuple[list[tuple[int, int]], list[str]]:
        """The spans of years the question names (2023—2025年 is one span; 十四五 is 2021—2025),
        and how it wrote them (to look for in a document's text)."""
        spans: list[tuple[int, int]] = []
        spoken: list[str] = []
        for match in _YEAR_SPAN.finditer(folded):
            first, last = int(match.group(1)), int(match.group(2) or match.group(1))
            spans.append((min(first, last), max(first, last)))
            spoken.append(f"{first}年")
        for name, span in five_year_plans(folded):
            spans.append(span)
            spoken.append(name)
        return spans, spoken

    def _best_covering(self, document_ids: list[str], years: list[tuple[int, int]]) -> list[str]:
        """The documents whose period (or, without one, the year they were issued) overlaps the
        asked years the most."""
        overlap = {document_id: self._overlap(document_id, years) for document_id in document_ids}
        best = max(overlap.values(), default=0)
        return [document_id for document_id in document_ids if best and overlap[document_id] == best]

    def _overlap(self, document_id: str, years: list[tuple[int, int]]) -> int:
        document = self.library.tree(document_id).document
        issued = year_of(document.date)
        span = document.period or ((issued, issued) if issued else None)
        if span is None:
            return 0
        return sum(max(0, min(span[1], last) - max(span[0], first) + 1) for first, last in years)

    def _text(self, document_id: str) -> str:
        if document_id not in self._texts:
            self._texts[document_id] = fold("\n".join(clause.text for clause in self.library.tree(document_id).clauses))
        return self._texts[document_id]


# A question quotes a title in pieces when pieces of at least MIN_PIECE characters cover this many of
# its characters, and this share of the title.
MIN_PIECE = 3
# 以下简称“县中” in the first clauses of a document.
_SHORT_NAME = re.compile(r"以下简称\s*[“\"「]?([^”\"」）),，。]{2,8})[”\"」]?")
SHORT_NAME_CLAUSES = 12
_YEARS_IN_TITLE = re.compile(r"\d{4}\s*[—–-]*\s*(?:\d{4})?\s*年?")


def title_without_period(title: str) -> str:
    """A title without its bracketed parts and its years: （2023—2025年）, （初稿）, 2025年."""
    return _YEARS_IN_TITLE.sub("", re.sub(r"[（(][^）)]*[)）]", "", title))
MIN_QUOTED_CHARS = 8
MIN_QUOTED_SHARE = 0.5
# Characters of a title a question must quote to choose it among documents of the same place.
MIN_TITLE_QUOTE = 4


def _grouped(document_ids: list[str], key: Callable[[str], Hashable]) -> list[list[str]]:
    """The documents in groups of equal ``key`` (their place, their policy), in order."""
    groups: dict[Hashable, list[str]] = {}
    for document_id in document_ids:
        groups.setdefault(key(document_id), []).append(document_id)
    return list(groups.values())


def _opening(tree: PolicyTree, chars: int) -> str:
    """The first ``chars`` characters of a document's text, folded, reading no further clauses."""
    text = ""
    for clause in tree.clauses:
        if len(text) >= chars:
            break
        text += fold(clause.text)
    return text[:chars]


def _quoted_chars(folded: str, title: str) -> int:
    """Characters of ``folded`` in pieces of ``title`` at least MIN_PIECE long (longest piece first)."""
    covered, position = 0, 0
    while position < len(folded):
        length = MIN_PIECE
        while position + length <= len(folded) and folded[position:position + length] in title:
            length += 1
        if length > MIN_PIECE:
            covered += length - 1
            position += length - 1
        else:
            position += 1
    return covered


# How far into a document its opening reaches, and the places that are counties or districts.
OPENING_CHARS = 800
COUNTY_SUFFIXES = ("县", "区", "旗")
_AROUND = r"([\u4e00-\u9fff]{2,8}?(?:省|自治区|市|州|盟|地区))\s*"


def _named_around(document: Document) -> set[str]:
    """Places written just before the document's own place in its title or issuer (东临市 in
    东临市明湖区教育局), with their short forms."""
    if not document.place or document.place == NATIONAL_PLACE:
        return set()
    pattern = re.compile("^" + _AROUND + re.escape(fold(document.place)))
    found = [match.group(1) for text in (document.title, document.issuer) if (match := pattern.match(fold(text)))]
    return {name for place in found for name in (place, fold(short_place(place)))}
