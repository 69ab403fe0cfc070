"""``python -m bench``: one run, every measurement, side by side; prints the table, writes RESULTS.md.

    python -m bench            # full run (about two minutes), writes bench/RESULTS.md
    python -m bench --smoke    # seconds; proves the bench works (CI), writes bench/out/RESULTS-smoke.md

Run from the repository root. Servers listen on 127.0.0.1 only, the signing chain comes from a
throwaway test CA; only the Lambda part needs pip to reach PyPI (or its cache), to install both
functions' dependencies for the Lambda runtime. wrk is used for HTTP load when installed, else a Python
load generator (RESULTS.md says which).
"""

from __future__ import annotations

import argparse
import compileall
import concurrent.futures
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from unittest import mock

from bench.apps import APP_NAMES
from bench.conversation import measure as measure_conversation
from bench.corpus import Signer, record_mix, render
from bench.inprocess import measure as measure_inprocess
from bench.lambda_cold import measure as measure_lambda
from bench.loadgen import LoadResult, run_load, wrk_path
from bench.report import ROOT, Results, markdown
from bench.servers import Server, cold_start, cold_start_phases, server_cold_start
from skill.tools.envelopes import envelope, launch_request


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--smoke", action="store_true", help="a few hundred requests, 2 s of HTTP: proves it works")
    parser.add_argument("--out", type=Path, help="where to write the table (default bench/RESULTS.md, smoke: bench/out/)")
    parser.add_argument("--loadgen", choices=("auto", "wrk", "python"), default="auto")
    parser.add_argument("--duration", type=float, help="seconds of HTTP load per app and round")
    parser.add_argument("--rounds", type=int, help="interleaved HTTP rounds")
    parser.add_argument("--connections", type=int, default=4, help="concurrent HTTP connections")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (as nose-twitch serve)")
    parser.add_argument("--requests", type=int, help="timed in-process calls per contender")
    parser.add_argument("--cold-runs", type=int, help="cold starts per app")
    parser.add_argument("--lambda-runs", type=int, help="Lambda cold starts per function")
    args = parser.parse_args(argv)
    full = not args.smoke
    args.duration = args.duration or (5.0 if full else 2.0)
    args.rounds = args.rounds or (6 if full else 1)
    args.requests = args.requests or (20000 if full else 300)
    args.cold_runs = args.cold_runs or (7 if full else 1)
    args.lambda_runs = args.lambda_runs or (9 if full else 1)
    args.out = args.out or (ROOT / "bench" / ("RESULTS.md" if full else "out/RESULTS-smoke.md"))
    return args


def say(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    began = time.perf_counter()
    tool = ("wrk" if wrk_path() else "python") if args.loadgen == "auto" else args.loadgen
    if tool == "wrk" and not wrk_path():
        raise SystemExit("wrk is not installed (apt-get install wrk), or use --loadgen python")
    # Child processes keep bytecode caches, as any deployment does after its first start.
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    compileall.compile_dir(str(ROOT / "skill"), quiet=1)
    compileall.compile_dir(str(ROOT / "bench"), quiet=1)

    load_before = os.getloadavg()[0]
    # patch.dict: the environment is restored afterwards.
    with tempfile.TemporaryDirectory(prefix="bench-") as scratch, mock.patch.dict(os.environ):
        work = Path(scratch)
        # Every app this run starts keeps its content cache (skill.domain.content_cache) here, in
        # the default place under XDG_CACHE_HOME: filled by the first start, as after any deployment.
        os.environ["XDG_CACHE_HOME"] = str(work / "xdg-cache")
        os.environ.pop("SKILL_CACHE_DIR", None)
        signer = Signer()
        pki_dir = signer.write(work / "pki")
        turns = record_mix()
        settings = {
            "mix": ", ".join(t.name for t in turns),
            "mix size": str(len(turns)),
            "in-process requests": str(args.requests),
            "server": f"gunicorn -c python:skill.web.gunicorn_conf ({args.workers} sync workers, as `nose-twitch serve`)",
            "load generator": "wrk (1 thread)"
            if tool == "wrk"
            else "Python threads with http.client" + ("" if wrk_path() else " (wrk not installed)"),
            "http": f"{args.connections} connections, {args.rounds} interleaved round(s) of {args.duration:g} s per app; "
            "per app the median round",
            "load average (1 min) before the run": f"{load_before:.2f}",
        }
        results = Results(smoke=args.smoke, settings=settings)

        # A smoke run only proves each part works: there the Lambda part (mostly pip and building)
        # runs beside the others, without bytecode. A full run measures it alone, below.
        lambda_event = envelope(launch_request("en-US"), new=True)
        beside = concurrent.futures.ThreadPoolExecutor(max_workers=1)
        smoke_lambda = None
        if args.smoke:
            smoke_lambda = beside.submit(measure_lambda, args.lambda_runs, lambda_event, warm_up=False, compile=False)

        say(f"in-process: {args.requests} calls per contender")
        results.inprocess = measure_inprocess(turns, signer, pki_dir, args.requests, rounds=1 if args.smoke else 5)

        say(f"HTTP: {tool}, {args.rounds} x {args.duration:g} s per app")
        results.http, results.memory = run_http(args, tool, turns, signer, pki_dir, work)

        say(f"cold start: {args.cold_runs} run(s) per app")
        launch = next(t for t in turns if t.name == "launch")
        results.cold = {"hello": [], "skill": []}
        results.server_cold = {"hello": [], "skill": []}
        for name in results.cold:  # warm-up: bytecode and the OS file cache
            cold_start(name, render([launch], signer)[0], pki_dir)
        for _ in range(args.cold_runs):
            for name in results.cold:
                results.cold[name].append(cold_start(name, render([launch], signer)[0], pki_dir))
        # The first start after a content change: an empty cache folder each time, so YAML is parsed.
        results.cold_uncached = [
            cold_start("skill", render([launch], signer)[0], pki_dir, {"XDG_CACHE_HOME": str(work / f"empty-cache-{n}")})
            for n in range(args.cold_runs)
        ]
        phase_runs = [cold_start_phases(render([launch], signer)[0], pki_dir) for _ in range(max(1, args.cold_runs // 2))]
        results.cold_phases = {name: statistics.median(run[name] for run in phase_runs) for name in phase_runs[0]}
        for _ in range(max(1, args.cold_runs // 2)):
            for name in results.server_cold:
                probe = render([launch], signer)[0]
                results.server_cold[name].append(server_cold_start(name, probe, pki_dir, args.workers, work))

        say("Lambda cold start: this skill's zip and the hello skill's, built the same way")
        if smoke_lambda is not None:
            results.lambda_cold = smoke_lambda.result()
        else:
            results.lambda_cold = measure_lambda(args.lambda_runs, lambda_event)
        beside.shutdown()

        say("conversation efficiency")
        results.conversation = measure_conversation()

    table = markdown(results)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(table, encoding="utf-8")
    print(table)
    say(f"wrote {args.out} in {time.perf_counter() - began:.0f} s")
    return 0


def run_http(args, tool, turns, signer, pki_dir, work) -> tuple[dict[str, list[LoadResult]], dict]:
    servers = {}
    results: dict[str, list[LoadResult]] = {name: [] for name in APP_NAMES}
    try:
        for name in APP_NAMES:
            servers[name] = Server.start(name, pki_dir, args.workers, work)
        for name, server in servers.items():
            server.wait_ready(render(turns, signer)[0])
            # Warm every worker: plans compiled, caches filled, certificate chain validated.
            run_load(tool, server.port, "/alexa", render(turns, signer), min(1.0, args.duration), args.connections)
        order = list(servers.items())
        for round_number in range(args.rounds):
            # Alternate the order so no app always runs right after another.
            for name, server in order if round_number % 2 == 0 else order[::-1]:
                mix = render(turns, signer)  # fresh timestamps: verification allows 150 s
                result = run_load(tool, server.port, "/alexa", mix, args.duration, args.connections)
                if result.failures:
                    raise RuntimeError(f"{name}: {result.failures} failed requests under load; see {server.log}")
                results[name].append(result)
        memory = {name: server.peak_rss_mib() for name, server in servers.items()}
    finally:
        for server in servers.values():
            server.stop()
    return results, memory


if __name__ == "__main__":
    raise SystemExit(main())
