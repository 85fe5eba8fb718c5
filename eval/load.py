"""Load on /api/ask: many parents at once. Prints errors, requests/s and latency percentiles.

    python -m eval.load                      # starts python app.py on the shipped library, 2,000 requests, 32 at once
    python -m eval.load --url http://127.0.0.1:7860 --requests 5000 --concurrency 64

The questions cycle through the flagship gold set. Any status other than 200 counts as an error.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import time

import httpx

from .score import load_gold
from .webapp import running_app


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
    return {"requests": requests, "concurrency": concurrency, "errors": sum(errors.values()), "by_error": errors,
            "requests_per_second": round(requests / seconds, 1),
            "p50_ms": round(statistics.median(latencies), 1),
            "p95_ms": round(latencies[int(0.95 * (len(latencies) - 1))], 1),
            "max_ms": round(latencies[-1], 1)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.load", description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a running app (default: start python app.py on the shipped library)")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=32)
    args = parser.parse_args(argv)
    questions = [record.question for record in load_gold()]
    if args.url:
        figures = asyncio.run(_load(args.url, questions, args.requests, args.concurrency))
    else:
        with running_app({**os.environ, "ASSISTANT_SHOW_PROGRESS": "false"}) as app:
            figures = asyncio.run(_load(app.url, questions, args.requests, args.concurrency))
    print(json.dumps(figures, ensure_ascii=False))
    return 1 if figures["errors"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
