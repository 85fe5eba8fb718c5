"""Load on /api/ask: many parents at once. Prints errors, requests/s and latency percentiles per level.

    python -m eval.load                               # starts python app.py; 2,000 requests at 1, 8, 32 and 64 at once
    python -m eval.load --url http://127.0.0.1:7860 --levels 32 --requests 5000 --plot load.png

The questions cycle through the flagship gold set, shuffled with a fixed seed, so every level mixes
all kinds of question (units, targets, topics, items, refusals). Any status other than 200 is an error.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import time
from pathlib import Path

import httpx

from .score import load_gold
from .webapp import running_app

LEVELS = (1, 8, 32, 64)


async def _load(url: str, questions: list[str], requests: int, concurrency: int) -> dict:
    latencies: list[float] = []
    errors: dict[str, int] = {}
    queue = iter(range(requests))

    async def worker(client: httpx.AsyncClient) -> None:
        for index in queue:
            started = time.perf_counter()
            try:
                response = await client.post("/api/ask", json={"question": questions[index % len(questions)]})
                problem = None if response.status_code == 200 else str(response.status_code)
            except httpx.HTTPError as error:
                problem = type(error).__name__
            latencies.append((time.perf_counter() - started) * 1000)
            if problem:
                errors[problem] = errors.get(problem, 0) + 1

    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as client:
        started = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
        seconds = time.perf_counter() - started
    latencies.sort()

    def percentile(share: float) -> float:
        return round(latencies[int(share * (len(latencies) - 1))], 1)

    return {"concurrency": concurrency, "requests": requests, "errors": sum(errors.values()), "by_error": errors,
            "requests_per_second": round(requests / seconds, 1), "p50_ms": round(statistics.median(latencies), 1),
            "p95_ms": percentile(0.95), "p99_ms": percentile(0.99)}


def measure(url: str, levels: tuple[int, ...], requests: int) -> list[dict]:
    questions = [record.question for record in load_gold()]
    random.Random(7).shuffle(questions)
    return [asyncio.run(_load(url, questions, requests, level)) for level in levels]


def plot(figures: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    levels = [row["concurrency"] for row in figures]
    figure, throughput = pyplot.subplots(figsize=(7, 4))
    throughput.plot(levels, [row["requests_per_second"] for row in figures], "o-", color="#b91c1c", label="requests/s")
    throughput.set_xlabel("concurrent clients")
    throughput.set_ylabel("requests/s")
    throughput.set_xscale("log", base=2)
    throughput.set_xticks(levels, [str(level) for level in levels])
    latency = throughput.twinx()
    for key, style in (("p50_ms", "s--"), ("p95_ms", "^--"), ("p99_ms", "v--")):
        latency.plot(levels, [row[key] for row in figures], style, label=key.replace("_ms", " ms"))
    latency.set_ylabel("latency (ms)")
    figure.legend(loc="upper left", bbox_to_anchor=(0.12, 0.88))
    figure.tight_layout()
    figure.savefig(path, dpi=120)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.load", description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a running app (default: start python app.py on the shipped library)")
    parser.add_argument("--requests", type=int, default=2000, help="requests per level")
    parser.add_argument("--levels", default=",".join(map(str, LEVELS)), help="concurrent clients, comma-separated")
    parser.add_argument("--plot", type=Path, help="also draw throughput and latency per level into this PNG")
    args = parser.parse_args(argv)
    levels = tuple(int(level) for level in args.levels.split(","))
    if args.url:
        figures = measure(args.url, levels, args.requests)
    else:
        with running_app({**os.environ, "ASSISTANT_SHOW_PROGRESS": "false"}) as app:
            figures = measure(app.url, levels, args.requests)
    for row in figures:
        print(json.dumps(row, ensure_ascii=False))
    if args.plot:
        plot(figures, args.plot)
    return 1 if any(row["errors"] for row in figures) else 0


if __name__ == "__main__":
    raise SystemExit(main())
