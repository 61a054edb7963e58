"""Benchmark: the date engine in process, `pipeline dates` as a whole process, and ja-timex
on the same sentences, in one run (the ratios hold on a noisy machine; the rates do not).

Run with `python benchmarks/bench_dates.py` (ja-timex from `pip install -e '.[bench]'`;
without it that line is skipped and said so). Builds 20,000 distinct sentences of 60-150
characters in the style of the Tokyo exchange reports (about half with a date, the rest with
the digits, 日 and 月 that such text has anyway), then measures:

- find_dates over the 20,000 sentences in process (best of 5);
- `python -m pipeline dates --fiscal-year 2012` reading the same 20,000 lines on standard
  input and writing JSON lines, start-up included (best of 3), and its start-up alone, with
  the package's bytecode cached as an installed package has it (pip compiles it at install
  time), and both once more compiling the package's source on every run, as a machine with
  PYTHONDONTWRITEBYTECODE set does;
- ja-timex (TimexParser().parse) and find_dates on the same first 1,000 sentences (ja-timex
  reads about a hundred times slower; 1,000 keep the run short).
"""

from __future__ import annotations

import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipeline.dates import find_dates

PHRASES = [
    "ジャカルタ特別市選抜チームの2012東京国際ユース(U-14)サッカー大会参加",
    "2012ジャカルタ国際10kmロードレースへの東京都からの選手派遣",
    "海外研修「政策課題プログラム」における東京都研修生(交通局)のパリ市訪問",
    "市職員等5名に対し、東京の節電対策に関する意見交換を実施",
    "中国日本友好協会の招へいにより、北京市、成都市及び綿陽市の地震関連施設等の視察を実施",
    "ニュー・サウス・ウェールズ州副首相の副知事表敬訪問",
    "気候変動対策、エネルギー対策、電力制度改革に関する意見交換及び視察を実施",
    "知事本局外務部外務課 (21-415) 東京消防庁総務部総務課 3212-2111",
    "日本の伝統文化を紹介する展示会を第3回として開催し、約1,200名が来場",
    "十日町市との連携事業について協議し、今後の交流の在り方を確認",
    "ソウル特別市女性家族政策室長の東京都訪問及び意見交換",
    "産業労働局による東京観光プロモーションの開催",
]
DATES = [
    "平成24年6月", "平成24年4～5月", "平成24年7～8月、11～12月", "平成24年7月22日から29日まで",
    "平成24年6月12日から同年6月16日の間", "平成25年1月", "H24.4.1", "2012年4月1日",
    "平成24年度", "平成24年12月28日～1月4日", "平成２４年１０月", "平成二十四年四月一日",
    "平成24年4月、6月及び9月", "令和元年5月1日(水)", "平成24年8月上旬", "3月",
]


def make_sentences(count: int, seed: int = 2012) -> list[str]:
    rng = random.Random(seed)
    sentences: list[str] = []
    while len(sentences) < count:
        text = "・" + rng.choice(PHRASES)
        while len(text) < rng.randint(60, 140):
            text += "、" + rng.choice(PHRASES)
        if len(sentences) % 2 == 0:
            date = rng.choice(DATES)
            text = f"{text}({date})" if rng.random() < 0.7 else f"{date}、{text}"
        sentences.append(text[:150])
    return sentences


# Times are CPU seconds (this process's, or the child's), best of several runs: on a machine
# shared with other work, wall-clock rates swing by a factor of three between runs while
# CPU time moves by a few percent.

def _best(function: Callable[[], object], runs: int) -> float:
    best = float("inf")
    for _ in range(runs):
        began = time.process_time()
        function()
        best = min(best, time.process_time() - began)
    return best


def _read_all(sentences: list[str]) -> None:
    for sentence in sentences:
        find_dates(sentence, 2012)


def main() -> None:
    sentences = make_sentences(20_000)
    lengths = [len(s) for s in sentences]
    with_date = sum(bool(find_dates(s, 2012).periods) for s in sentences)
    print(f"{len(sentences):,} distinct sentences, {min(lengths)}-{max(lengths)} chars "
          f"(mean {sum(lengths) / len(lengths):.0f}), {with_date:,} with a date")
    engine = _best(lambda: _read_all(sentences), runs=5)
    command = [sys.executable, "-m", "pipeline", "dates"]
    with tempfile.TemporaryDirectory() as pycache:
        # The package's bytecode cached, as an installed package has it (pip compiles it at
        # install time): with PYTHONDONTWRITEBYTECODE set, as on some machines, every run
        # would compile the package's source again, a tenth of the whole process here.
        cached = {**os.environ, "PYTHONPYCACHEPREFIX": pycache}
        cached.pop("PYTHONDONTWRITEBYTECODE", None)
        _best_wall([*command, "平成24年6月"], runs=1, env=cached)  # writes the bytecode
        whole = _best_wall([*command, "--fiscal-year", "2012"],
                           stdin="\n".join(sentences) + "\n", runs=3, env=cached)
        startup = _best_wall([*command, "平成24年6月"], env=cached)
    uncached = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    whole_source = _best_wall([*command, "--fiscal-year", "2012"],
                              stdin="\n".join(sentences) + "\n", runs=3, env=uncached)
    startup_source = _best_wall([*command, "平成24年6月"], env=uncached)
    bare = _best_wall([sys.executable, "-c", "pass"])
    print(f"find_dates in process:        {len(sentences) / engine:9,.0f} sentences/second")
    print(f"pipeline dates, whole process: {len(sentences) / whole:9,.0f} lines/second "
          f"({whole / engine:.2f}x the engine's time; start-up {startup:.3f} s, "
          f"bare python {bare:.3f} s)")
    print(f"  ... compiling the package's source each run (PYTHONDONTWRITEBYTECODE): "
          f"{len(sentences) / whole_source:,.0f} lines/second, start-up {startup_source:.3f} s")
    compare_ja_timex(sentences[:1000])


def compare_ja_timex(sentences: list[str]) -> None:
    try:
        from ja_timex import TimexParser
    except ImportError:
        print("ja-timex: not installed (pip install -e '.[bench]'); not measured")
        return
    parser = TimexParser()
    theirs = _best(lambda: [parser.parse(s) for s in sentences], runs=1)
    ours = _best(lambda: _read_all(sentences), runs=3)
    print(f"on the first {len(sentences):,} sentences: find_dates "
          f"{len(sentences) / ours:,.0f}/s, ja-timex {len(sentences) / theirs:,.0f}/s "
          f"(find_dates {theirs / ours:.0f}x faster)")


def _best_wall(command: list[str], stdin: str = "", runs: int = 5,
               env: dict[str, str] | None = None) -> float:
    """The child's CPU time (user + system), start-up included, best of runs."""
    best = float("inf")
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run(command, input=stdin, capture_output=True, text=True, check=True,
                       env=env)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        best = min(best, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return best


if __name__ == "__main__":
    main()
