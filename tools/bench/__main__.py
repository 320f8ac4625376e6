"""``python -m tools.bench [--scales 1,10,100] [--repeat N]`` (``make bench``).

Generates the SYNTHETIC inputs (once: kept in ``<warehouse>/bench/inputs/<scale>/``), runs
every stage in fresh processes, writes ``<warehouse>/reports/bench.md`` and ``bench.json``
and prints the table. Run warehouses live in ``<warehouse>/bench/runs/`` (deleted at the
end unless ``--keep``), stage logs in ``<warehouse>/bench/logs/``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import sys
import time

from citytiers.settings import load_settings
from tools.bench import stages
from tools.bench.generate import ensure_inputs
from tools.bench.report import write_report

SCALES = (1, 10, 100)


def _scales(text: str) -> list[int]:
    scales = [int(part) for part in text.split(",") if part.strip()]
    if not scales or any(s < 1 for s in scales):
        raise argparse.ArgumentTypeError("scales are positive whole numbers, e.g. 1,10,100")
    return scales


def _engines(text: str) -> tuple[str, ...]:
    from citytiers.settings import DBT_TARGETS

    engines = tuple(part.strip() for part in text.split(",") if part.strip())
    unknown = sorted(set(engines) - set(DBT_TARGETS))
    if not engines or unknown:
        raise argparse.ArgumentTypeError(f"engines are dbt targets of {DBT_TARGETS}")
    return engines


def parse_args(argv: list[str]) -> argparse.Namespace:
    import psutil

    parser = argparse.ArgumentParser(prog="python -m tools.bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", type=_scales, default=list(SCALES),
                        help="comma-separated scales (1x = 100 000 tidy observations); "
                             "default 1,10,100")
    parser.add_argument("--repeat", type=int, default=None,
                        help="runs per stage (default: 3 at 1x and 10x, 2 at 100x)")
    parser.add_argument("--timeout", type=float, default=1800.0,
                        help="seconds one run may take before it is killed (default 1800)")
    parser.add_argument("--max-rss-mib", type=float,
                        default=round(psutil.virtual_memory().total / 2 / 1024 ** 2),
                        help="kill a run whose process tree passes this RSS (default: half "
                             "the machine's memory)")
    parser.add_argument("--no-quiet-night", action="store_true",
                        help="skip the two `make run`s of the quiet-night stage")
    parser.add_argument("--engines", type=_engines, default=("duckdb", "spark"),
                        help="comma-separated dbt targets whose build is measured on the "
                             "same warehouse (default duckdb,spark: the crossover)")
    parser.add_argument("--builds-only", action="store_true",
                        help="only the dbt builds, on a warehouse loaded once without one "
                             "(no ingest stages, limits, full rebuild or quiet night)")
    parser.add_argument("--keep", action="store_true",
                        help="keep the run warehouses under <warehouse>/bench/runs/")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    settings = load_settings()
    root = settings.warehouse / "bench"
    ctx = stages.Context(home=settings.home, root=root, timeout=args.timeout,
                         max_rss_mib=args.max_rss_mib, keep=args.keep)
    shutil.rmtree(ctx.logs_dir, ignore_errors=True)
    started, clock = dt.datetime.now(dt.UTC), time.perf_counter()

    def repeats(scale: int) -> int:
        return args.repeat or (2 if scale >= 100 else 3)

    results: list[stages.StageResult] = []
    inputs = []
    try:
        fixed = stages.startup(ctx, repeats(min(args.scales)))
        results.append(fixed)
        print(f"  {fixed.label}: " + (f"{fixed.median:.2f} s" if fixed.median is not None
                                      else "failed"), flush=True)
        for scale in args.scales:
            begin = time.perf_counter()
            generated = ensure_inputs(scale, root / "inputs")
            inputs.append(generated)
            print(f"{scale}x inputs: {generated.tidy_observations:,} tidy observations, "
                  f"{generated.yearbook_observations:,} yearbook observations "
                  f"({time.perf_counter() - begin:.1f} s) in {generated.directory}", flush=True)
            results += stages.run_scale(ctx, generated, repeats(scale),
                                        log=lambda line: print(line, flush=True),
                                        engines=args.engines, builds_only=args.builds_only)
        if 1 in args.scales and not (args.no_quiet_night or args.builds_only):
            for night in stages.nights(ctx, repeats(1)):
                results.append(night)
                median = f"{night.median:.0f} s" if night.median is not None else "failed"
                print(f"  {night.label}: {median}", flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(ctx.runs_dir, ignore_errors=True)
    options = {"scales": args.scales, "repeat": args.repeat, "timeout": args.timeout,
               "max_rss_mib": args.max_rss_mib, "engines": list(args.engines),
               "builds_only": args.builds_only}
    markdown, data, table = write_report(settings.reports, settings.home, results, inputs,
                                         options, started, time.perf_counter() - clock)
    print()
    print(table)
    print(f"\n{markdown}\n{data}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
