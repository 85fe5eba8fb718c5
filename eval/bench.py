"""``python -m eval.bench`` (``make bench``): speed and memory of our pipeline and the naive baseline.

Measured in one run on this machine, from outside where it matters:

- index build: ``python -m assistant index`` into a fresh store (wall time, peak RSS);
- cold start to first answer: ``python -m assistant ask --json …`` with that store, and the naive
  LangChain RAG doing the same (it embeds its chunks at start-up, as such scripts do);
- warm per-question latency, p50/p95, of both, over the gold questions, timed around the call;
- the web app: ``python app.py`` start to a healthy ``/healthz``, ``POST /api/ask`` latency over
  loopback HTTP, and page load to a usable chat in headless Chromium (when ``/usr/bin/chromium`` exists).

How these grow with the library (1, 50 and 500 documents) is :mod:`eval.scale`'s (``make bench-scale``).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .score import load_gold, percentile
from .webapp import CHROMIUM, CHROMIUM_FLAGS, running_app

QUESTION = "谁负责学前教育？"
NAIVE_FIRST_ANSWER = (
    "import sys; from eval.baselines import ChunkBaseline, RetrieverKind; "
    "print(ChunkBaseline.load(RetrieverKind.DENSE).ask(sys.argv[1])['citations'][0]['id'])"
)


def run_measured(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and peak resident memory (MiB) of one child process."""
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        error = process.stderr.read().decode(errors="replace").strip().splitlines()[-1:]
        raise RuntimeError(f"{' '.join(command[:4])} … failed: {error}")
    return elapsed, usage.ru_maxrss / 1024  # ru_maxrss is in KiB on Linux


def _warm(ask, questions, rounds: int) -> list[float]:
    ask(QUESTION, [])  # the first call pays one-off costs
    timings = []
    for _ in range(rounds):
        for question, history in questions:
            started = time.perf_counter()
            ask(question, history)
            timings.append((time.perf_counter() - started) * 1000)
    return timings


def _page_usable_seconds(url: str, repeats: int) -> list[float]:
    """Navigation start to a chat that can take a question, in a fresh browser context each time."""
    from playwright.sync_api import sync_playwright

    timings = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        for _ in range(repeats):
            context = browser.new_context()
            page = context.new_page()
            started = time.perf_counter()
            page.goto(url)
            page.locator("#question textarea").wait_for(state="visible")
            page.locator("#ask").wait_for(state="visible")
            timings.append(time.perf_counter() - started)
            context.close()
        browser.close()
    return timings


def _time_api(url: str, questions) -> dict:
    """``POST /api/ask`` latency over loopback HTTP, p50 and p95 (the first request is not counted)."""
    import httpx

    with httpx.Client(base_url=url, timeout=30) as client:
        timings = []
        for question, history in [(QUESTION, [])] + questions:
            sent = time.perf_counter()
            client.post("/api/ask", json={"question": question, "history": history}).raise_for_status()
            timings.append((time.perf_counter() - sent) * 1000)
    timings = timings[1:]
    return {"api_ask_p50_ms": round(statistics.median(timings), 2),
            "api_ask_p95_ms": round(percentile(timings, 0.95), 2)}


def measure_web(env: dict[str, str], questions, repeats: int) -> dict:
    ready, figures = [], {}
    for attempt in range(repeats):
        with running_app(env) as app:
            ready.append(app.ready_seconds)
            if attempt < repeats - 1:
                continue
            # requests and the page are measured on the last server
            figures.update(_time_api(app.url, questions))
            if Path(CHROMIUM).exists():
                figures["page_usable_s"] = round(statistics.median(_page_usable_seconds(app.url + "/", 3)), 2)
    figures["server_ready_s"] = round(statistics.median(ready), 2)
    return figures


def measure(rounds: int = 3, repeats: int = 3) -> dict:
    from .systems import load_system

    with tempfile.TemporaryDirectory(prefix="assistant-bench-") as store:
        env = {**os.environ, "ASSISTANT_STORE": store, "ASSISTANT_SHOW_PROGRESS": "false",
               "TOKENIZERS_PARALLELISM": "false"}
        index_seconds, index_mib = run_measured([sys.executable, "-m", "assistant", "index"], env)
        ours_cold = [run_measured([sys.executable, "-m", "assistant", "ask", "--json", QUESTION], env)
                     for _ in range(repeats)]
        naive_cold = [run_measured([sys.executable, "-c", NAIVE_FIRST_ANSWER, QUESTION], env) for _ in range(repeats)]
        os.environ["ASSISTANT_STORE"] = store
        questions = [(item.question, list(item.history)) for item in load_gold()]
        ours_warm = _warm(load_system("assistant"), questions, rounds)
        naive_warm = _warm(load_system("naive-langchain-rag"), questions, rounds)
        web = measure_web({**env, "ASSISTANT_FEEDBACK_DB": str(Path(store) / "feedback.sqlite3")}, questions, repeats)
    return {
        "web": web,
        "questions_timed": len(ours_warm),
        "index_build_s": round(index_seconds, 2), "index_build_peak_mib": round(index_mib),
        "assistant": {"warm_p50_ms": round(statistics.median(ours_warm), 2),
                      "warm_p95_ms": round(percentile(ours_warm, 0.95), 2),
                      "cold_start_s": round(statistics.median(t for t, _ in ours_cold), 2),
                      "peak_mib": round(max(m for _, m in ours_cold))},
        "naive-langchain-rag": {"warm_p50_ms": round(statistics.median(naive_warm), 2),
                                "warm_p95_ms": round(percentile(naive_warm, 0.95), 2),
                                "cold_start_s": round(statistics.median(t for t, _ in naive_cold), 2),
                                "peak_mib": round(max(m for _, m in naive_cold))},
    }


def table(figures: dict) -> str:
    ours, naive = figures["assistant"], figures["naive-langchain-rag"]
    rows = [("warm latency p50 (ms)", "warm_p50_ms"), ("warm latency p95 (ms)", "warm_p95_ms"),
            ("cold start → first answer (s)", "cold_start_s"), ("peak memory, ask process (MiB)", "peak_mib")]
    lines = [f"{'':34} {'assistant':>10} {'naive-rag':>10} {'ratio':>7}"]
    for label, key in rows:
        lines.append(f"{label:34} {ours[key]:>10} {naive[key]:>10} {ours[key] / naive[key]:>7.2f}")
    lines.append(f"{'index build (s)':34} {figures['index_build_s']:>10}")
    lines.append(f"{'index build peak memory (MiB)':34} {figures['index_build_peak_mib']:>10}")
    web = figures["web"]
    lines.append(f"{'web: python app.py → /healthz 200 (s)':34} {web['server_ready_s']:>10}")
    lines.append(f"{'web: POST /api/ask p50 / p95 (ms)':34} {web['api_ask_p50_ms']:>10} / {web['api_ask_p95_ms']}")
    lines.append(f"{'web: page load → chat usable (s)':34} {web.get('page_usable_s', 'no chromium'):>10}")
    lines.append(f"(warm: {figures['questions_timed']} timed questions each; cold start and server: median of runs)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="passes over the gold questions for warm latency")
    parser.add_argument("--repeats", type=int, default=3, help="cold starts per system")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args(argv)
    if args.rounds < 1 or args.repeats < 1:
        print("error: --rounds and --repeats must be at least 1", file=sys.stderr)
        return 2
    try:
        figures = measure(args.rounds, args.repeats)
    except RuntimeError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(table(figures))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
