"""Write the evaluation report: ``summary.json``, ``report.md`` and charts (matplotlib).

The summary holds one gold set's figures; when both were scored, the library gold's are under
``library`` and get their own part of ``report.md`` and their own chart.
"""

from __future__ import annotations

import json
from pathlib import Path

SPLITS = ("test", "dev", "all")
METRICS = (("overall", "fully correct"), ("facts", "facts"), ("citation", "citation"), ("hit_at_1", "hit@1"),
           ("hit_at_3", "hit@3"), ("refusal_precision", "refusal P"), ("refusal_recall", "refusal R"),
           ("lead_correct", "lead correct"), ("citation_precision", "citation P"))
COUNTS = ("false_refusals", "over_600_chars", "ungrounded_answers")
LIBRARY_METRICS = METRICS + (("facts_share", "facts share"), ("citation_recall", "evidence recall"),
                             ("document_precision", "document P"))
CLAUSE_NOTE = (
    "Metrics: *fully correct* = refusal right and, for an answerable question, every gold fact in the answer and "
    "every gold clause cited; *facts* / *citation* over answerable questions; *hit@k* = a gold clause among the "
    "first k citations; *refusal P/R* = precision/recall of refusing; *ungrounded* = answers naming a unit or "
    "number absent from their citations; *lead correct* = the key (first) gold fact within the first 150 "
    "characters; *citation P* = mean share of citations that carry the answer; *false refusals* = answerable "
    "questions refused. Latency is per question, in process, warm (the baselines never refuse "
    "and answer with one chunk).")
LIBRARY_NOTE = (
    "Metrics: *fully correct* = refusal right and, for an answerable question, every gold fact in the answer, "
    "every evidence string in the text of a citation, every citation from a gold document and the answer "
    "grounded; *citation* = all evidence cited; *hit@k* = an evidence string among the first k citations; "
    "*facts share* / *evidence recall* / *document P* = mean share of gold facts present, of evidence cited, of "
    "citations from the gold documents; *ungrounded* = answers naming a number, or a unit named in a unit note "
    "of the system's citations, absent from their own citations; *lead correct* = the key (first) gold fact "
    "within the first 150 characters (for a detail the policy does not set: saying so); *citation P* = mean "
    "share of citations holding an evidence string or a fact; *false refusals* = answerable questions refused. "
    "A question with a `scope` is asked with that document picked; the chunk baselines have no picker and "
    "cite their chunk.")


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f}"


def of_split(system: dict, split: str) -> dict | None:
    """A system's figures on one split ("all" = every question scored)."""
    return system if split == "all" else system.get("splits", {}).get(split)


def is_ours(name: str) -> bool:
    return name.startswith("assistant")


def is_library(summary: dict) -> bool:
    return summary.get("kind") == "library"


def headline(summary: dict, split: str = "test") -> dict:
    """Our full pipeline against the best baseline that is not ours, on one split."""
    systems = summary["systems"]
    ours = of_split(systems.get("assistant", {}), split)
    baselines = {name: of_split(s, split)["overall"] for name, s in systems.items()
                 if not is_ours(name) and of_split(s, split)}
    if not ours or not baselines:
        return {}
    best = max(baselines, key=baselines.get)
    return {"split": split, "assistant": ours["overall"], "best_baseline": best,
            "best_baseline_overall": baselines[best], "margin_points": round(100 * (ours["overall"] - baselines[best]), 1)}


def _introduction(summary: dict) -> list[str]:
    counts = summary["questions_by_split"]
    gold = summary.get("gold", "eval/gold.jsonl")
    lines = [f"Gold set: `{gold}`, {counts.get('all', 0)} questions: **dev** {counts.get('dev', 0)} (used while "
             f"building the engine) and **test** {counts.get('test', 0)} (held out, only scored)."]
    if summary.get("corpus"):
        lines[0] += " Asked over every document of " + ", ".join(f"`{path}`" for path in summary["corpus"]) + "."
    top = headline(summary)
    if top:
        lines += ["", f"**Test part:** `assistant` {_pct(top['assistant'])} % fully correct vs best baseline "
                      f"`{top['best_baseline']}` {_pct(top['best_baseline_overall'])} % "
                      f"({top['margin_points']:+.1f} points)."]
    return lines


def _split_tables(summary: dict, metrics, heading: str) -> list[str]:
    lines = []
    for split in SPLITS:
        lines += ["", f"{heading} {split} part", "",
                  "| system | " + " | ".join(label for _, label in metrics)
                  + " | false refusals | over 600 chars | ungrounded | p50 ms | p95 ms |",
                  "|---" * (len(metrics) + 6) + "|"]
        for name, system in summary["systems"].items():
            s = of_split(system, split)
            if s:
                cells = [_pct(s[key]) for key, _ in metrics]
                cells += [str(s[key]) for key in (*COUNTS, "p50_ms", "p95_ms")]
                lines.append(f"| `{name}` | " + " | ".join(cells) + " |")
    return lines


def _category_tables(summary: dict, heading: str) -> list[str]:
    systems = summary["systems"]
    lines = []
    for split in ("test", "dev"):
        categories = sorted({c for s in systems.values() for c in (of_split(s, split) or {}).get("by_category", {})})
        lines += ["", f"{heading} Fully correct by category, {split} part", "",
                  "| category | " + " | ".join(f"`{name}`" for name in systems) + " |",
                  "|---" * (len(systems) + 1) + "|"]
        for category in categories:
            cells = [_pct(of_split(s, split)["by_category"].get(category, 0.0)) if of_split(s, split) else "–"
                     for s in systems.values()]
            lines.append(f"| {category} | " + " | ".join(cells) + " |")
    return lines


def _assistant_by_category(summary: dict, metrics, heading: str) -> list[str]:
    ours = of_split(summary["systems"].get("assistant", {}), "test")
    if not ours:
        return []
    lines = ["", f"{heading} `assistant` on the test part, every metric by category", "",
             "| category | questions | " + " | ".join(label for _, label in metrics)
             + " | false refusals | over 600 chars | ungrounded | p50 ms |", "|---" * (len(metrics) + 6) + "|"]
    for category, m in ours["category_metrics"].items():
        lines.append(f"| {category} | {m['questions']} | " + " | ".join(_pct(m[key]) for key, _ in metrics)
                     + " | " + " | ".join(str(m[key]) for key in COUNTS) + f" | {m['p50_ms']} |")
    return lines


def _gold_part(summary: dict, heading: str, chart_file: str) -> list[str]:
    """Every table of one gold set's summary; ``heading`` prefixes each section title."""
    metrics = LIBRARY_METRICS if is_library(summary) else METRICS
    return (_introduction(summary) + _split_tables(summary, metrics, heading) + _category_tables(summary, heading)
            + _assistant_by_category(summary, metrics, heading)
            + ["", f"![fully correct by category, test part]({chart_file})", "",
               LIBRARY_NOTE if is_library(summary) else CLAUSE_NOTE, ""])


def _chart_file(summary: dict) -> str:
    return "library_by_category.png" if is_library(summary) else "by_category.png"


def markdown(summary: dict, descriptions: dict[str, str]) -> str:
    names = dict.fromkeys([*summary["systems"], *summary.get("library", {}).get("systems", {})])
    lines = ["# Evaluation report", "", "Generated by `make eval` (`python -m eval --report eval/report`).", "",
             "## Systems", "", "| system | what it is |", "|---|---|"]
    lines += [f"| `{name}` | {descriptions.get(name, '')} |" for name in names]
    lines += ["", "## Gold set", ""] + _gold_part(summary, "##", _chart_file(summary))
    if "library" in summary:
        lines += ["# Library evaluation", ""] + _gold_part(summary["library"], "## Library:", "library_by_category.png")
    return "\n".join(lines)


def chart(summary: dict, path: Path, split: str = "test") -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    systems = {name: of_split(s, split) for name, s in summary["systems"].items() if of_split(s, split)}
    categories = sorted({c for s in systems.values() for c in s["by_category"]}) + ["OVERALL"]
    width = 0.8 / max(1, len(systems))
    figure, axes = plt.subplots(figsize=(max(10, len(categories) * 0.9), 5))
    for offset, (name, s) in enumerate(systems.items()):
        values = [s["by_category"].get(c, 0.0) for c in categories[:-1]] + [s["overall"]]
        axes.bar([i + offset * width for i in range(len(categories))], [100 * v for v in values], width, label=name)
    axes.set_xticks([i + width * (len(systems) - 1) / 2 for i in range(len(categories))])
    axes.set_xticklabels(categories, rotation=35, ha="right")
    axes.set_ylabel("fully correct (%)")
    axes.set_ylim(0, 105)
    gold = summary.get("gold", "gold set")
    axes.set_title(f"{gold}: fully correct by category, {split} part "
                   f"({summary['questions_by_split'].get(split, 0)} questions)")
    axes.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1, 1))
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def write(summary: dict, descriptions: dict[str, str], directory: Path) -> list[Path]:
    """summary.json, report.md and one chart per gold set, in ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    files = [directory / "summary.json", directory / "report.md"]
    files[0].write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    files[1].write_text(markdown(summary, descriptions), encoding="utf-8")
    for part in [summary, summary.get("library")]:
        if part and "test" in part["questions_by_split"]:
            files.append(directory / _chart_file(part))
            chart(part, files[-1])
    return files
