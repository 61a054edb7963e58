"""Benchmark: find_dates sentences per second on report-style sentences, one core.

Run with `python benchmarks/bench_dates.py`. Builds a few thousand sentences of 60-150
characters in the style of the Tokyo exchange reports (about half with a date, the rest with
the digits, 日 and 月 that such text has anyway), then times find_dates over all of them
several times and prints the best rate.
"""

from __future__ import annotations

import random
import subprocess
import sys
import time
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


def main() -> None:
    sentences = make_sentences(4000)
    lengths = [len(s) for s in sentences]
    with_date = sum(bool(find_dates(s, 2012).periods) for s in sentences)
    best = float("inf")
    for _ in range(10):
        began = time.perf_counter()
        for sentence in sentences:
            find_dates(sentence, 2012)
        best = min(best, time.perf_counter() - began)
    print(f"{len(sentences)} sentences, {min(lengths)}-{max(lengths)} chars "
          f"(mean {sum(lengths) / len(lengths):.0f}), {with_date} with a date")
    print(f"find_dates: {len(sentences) / best:,.0f} sentences/second (best of 10 runs, one core)")
    measure_processes(sentences)


def _best_wall(command: list[str], stdin: str = "", runs: int = 5) -> float:
    best = float("inf")
    for _ in range(runs):
        began = time.perf_counter()
        subprocess.run(command, input=stdin, capture_output=True, text=True, check=True)
        best = min(best, time.perf_counter() - began)
    return best


def measure_processes(sentences: list[str]) -> None:
    """The whole `pipeline dates` process: start-up alone, and 20,000 lines on stdin."""
    command = [sys.executable, "-m", "pipeline"]
    bare = _best_wall([sys.executable, "-c", "pass"])
    startup = _best_wall([*command, "dates", "平成24年6月"])
    helping = _best_wall([*command, "--help"])
    lines = "\n".join((sentences * 5)[:20_000]) + "\n"
    whole = _best_wall([*command, "dates", "--fiscal-year", "2012"], stdin=lines, runs=3)
    print(f"pipeline dates start-up: {startup:.3f} s (bare python: {bare:.3f} s); "
          f"pipeline --help: {helping:.3f} s")
    print(f"pipeline dates on 20,000 lines: {whole:.2f} s ({20_000 / whole:,.0f} lines/second, "
          "start-up and JSON output included)")


if __name__ == "__main__":
    main()
