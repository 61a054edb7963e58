"""The Japanese date engine: every date expression in a sentence -> ISO periods.

`find_dates` reads era dates (平成24年4月1日, 令和元年度, H24.4.1, 平24.4.1, H24年度, R元年),
Western dates (2012年4月1日, 2012/4/1, 2012年度), full-width and kanji numerals,
上旬/中旬/下旬, ranges (～ 〜 ~ － and から…まで, the second end leaving out what the first
gives), lists (、 ， , ・ 及び および 並びに, later items taking the year and month of earlier
ones), 同年 / 同月 / 同年同月 / 同10日 / 翌年 / 翌月 / 同年度 / 翌年度 (relative to the date read
just before), bare months and days, whose year comes from the `fiscal_year` argument, and
a year confirmed in brackets (令和元年（2019年）7月20日, 令和元（2019）年度, 2019（令和元）年度,
2019年（令和元年）7月20日).
Whatever it cannot read as a date but looks like one comes back as a warning, never as a
guess; it never raises.

How it works: the text is translated one character for one character (full-width digits
and letters to ASCII), so every offset found in the translation is an offset in the input.
An anchor pattern finds where an expression may start; from there compiled patterns read one
"point" at a time (`patterns.POINT`: 平成24年7月22日(日), 7月, 29日, 同年6月16日…), a range
separator and a second point, then list separators and further items (`scanner`). The points
are then resolved against what came before (`resolve`) and checked (`checks`).

Speed (issue 18): ANCHOR runs over every character of every text, so it turns positions away
with its cheapest tests first (inside a number, not a digit, nothing after the number that a
year or month needs); the scanner looks at one character before trying a range or list
separator; the patterns few texts need are compiled on first use (`patterns.__getattr__`),
which keeps `pipeline dates`' start-up small; `jsonl` reads standard input and writes JSON
lines a block at a time. tests/test_dates_corpus.py pins that none of this changes a result
on the benchmark's 20,000 sentences (benchmarks/bench_dates.py; figures in the README).

The modules, in the order data flows through them:

- `patterns`  the compiled regular expressions: ANCHOR (where to look), POINT (one date
              written with units), DOTTED (H24.4.1, 2012/4/1) and the separators;
- `points`    a match -> `Point` (what is written, by named group), nothing resolved;
- `scanner`   items left to right: first end, dangling unit, list of units, range, checks;
- `rules`     whether points make an item (a range's ends, a list item, a point alone);
- `resolve`   a Point and the date before it -> start, end, precision (or `Problem`);
- `checks`    the era and weekday checks on a resolved date;
- `results`   Period, DateWarning, DateResult and the `Level` enum (year, month, day);
- `jsonl`     the JSON lines of `pipeline dates`.

How to add a date form (one form, these places, in this order):

1. A test first: a row in the family's table in tests/test_dates.py or
   tests/test_dates_forms.py with the ISO period and precision written by hand, and its
   "not a date" neighbours in tests/test_dates_not_applicable.py.
2. `patterns.ANCHOR`: make sure an expression in the new form can start where it starts
   (an anchor branch for its first character and what may stand before it).
3. `patterns.POINT` (or `DOTTED` for dotted/slashed forms): a named group for each new
   piece; a group's name is what `points` reads, so no list of groups to keep in order.
4. `points.point_from_match` (its `_year_`/`_month_`/`_day_from_groups`) or `dotted_point`:
   read the new groups by name into `Point` fields; a new kind of year or month needs a
   `Point` field and a branch in `resolve._place`, and `rules` if it may stand alone or
   end a range in a new way; a new check on the result goes in
   `checks` and is called from `Scanner.check`.
5. `scanner` only if the form changes how items join (a new range or list separator:
   `patterns.RANGE_SEP`, `LIST_SEP`).
6. The README's "Dates" section: the policy line for the form.

Reading rules where the text leaves a choice (each is pinned by tests/test_dates.py):

- A range is one period from the start of its first end to the end of its second; its
  precision is the coarser of the two. まで after a range belongs to it (…29日まで), の間 does
  not; a weekday marker belongs to its day. A second end before the first is date-invalid.
- What an end or list item leaves out comes from the one before it, and a smaller month or
  day rolls over: 12月28日～1月4日 ends in the next year, 7月30日～2日 in the next month.
- A bare month or day (not after a list separator) takes its year from fiscal_year
  (inferred=True); so does each later bare month of such a list (3月、4月 with fiscal year
  2020 -> 2021-03, 2020-04), while a range's second end follows its first.
- A list item may leave its unit to the next item, as a range's first end does:
  平成24年7・8月 is 7月 and 8月, 平成24・25年度 two fiscal years (each item its own period).
  ・ separates items only after a date (東京・ソウル, 3・11 are not dates); a weekday marker
  (土・日) belongs to its day and is read first. A kanji day alone is a day only as the next
  item of such a list (7月十・十一日), and never before 市, 町 or 村 (四日市, 十日町).
- 25年 / 24年度 without an era take the era of the date read before them, but never right
  after an ASCII letter: H24年度 is 平成24年度 (a one-letter era needs 年 or 年度 right after its
  year, or a range or list to one: H24～H26年度, R2・3年度), X24年度 is nothing; 同年, 翌年, 同月,
  翌月, 同年度 and 翌年度 are relative to the date read before them (a range's second end is
  relative to its first end); 同年同月 is 同月 and 同10日 is day 10 of the same month. With
  nothing before: date-unresolved. 25年 alone (a duration) and a day alone (十日, 5日間) are
  not dates.
- A range whose first end leaves its unit to a second end that cannot be read (平成24年4～)
  is date-unresolved; 平成24年4月1日～ with nothing after reads as the day itself.
- Dotted forms: M and T and the one-kanji forms (平24.4.1) need the day, and a one-kanji form
  must not follow another kanji (最大2.5.1); Western dotted and slashed forms need the day.
  The second end of a dotted range is dotted, or month.day after a day (H24.7.22～8.3), or a
  bare day after a day (H24.7.22～29, 2012/4/1～5) or a bare month after a month (H24.7～8);
  if what follows the separator looks like a date but cannot be read (H24.7.22～99), the range
  is date-unresolved, never its first end alone.
- A bare kanji month (no year written, no day or 旬) is a date only where a date may end:
  before punctuation, a bracket, a space, a range mark, the end of the text or a particle
  (五月、 （十月） 五月に); 五月雨, 十月桜 and 十二月党 are words.
- A year in brackets confirms the year next to it; it is not a second period. Four forms,
  （）or (), spaces allowed: 令和元年（2019年） and 2019年（令和元年） (then a month, a day, 度
  for the fiscal year, or nothing: the year), 令和元（2019）年度 and 2019（令和元）年度 (then 年
  or 年度, which the bracket needs: 令和元（2019） alone is read as before). The text of the
  period is all of it. An era year whose calendar year is not the bracketed one (令和元年
  （2020年）7月, 2019年（令和2年）7月) is date-invalid with a message naming both years, never
  a guess at one. Other brackets are read as before: 令和元年（2019年度） is a year and a
  fiscal year, and （2019年） a year.
- Weekday markers: see `_Scanner.check_weekday`.
- Forms added from real documents (issue 18; each pinned by tests/test_dates_forms.py and
  described in the README's "Dates"): Western years in kanji digits (一九八二年, 一九四〇・一・四);
  slashes, hyphens and ・ between parts (2021年/7月/18日, 昭和45年 1/1, 2020-01-01, 2021/7,
  令和3/7/18, 2021・7・18); a Western date with the era in brackets (1991/7/9 (H3), checked:
  date-era-mismatch); (H25.) and (26.3) (era from an earlier date or the fiscal year,
  inferred); open ranges (平成11年度～, ～2023年まで: Period.open_end/open_start); spaced
  text (平 成 28 年); 同日, 同月末, 翌月末, 前年, 前年度, 前月; 翌 before a written year
  (2005年11月から翌2006年7月: one range).
- Days before 1873 (明治5年 and earlier, when Japan used the lunisolar calendar) are
  converted as if Gregorian, like every other day.

Only the standard library and pipeline.eras / pipeline.numerals are imported: the CLI that
uses this module must start fast.
"""

from __future__ import annotations

from pipeline.dates.jsonl import period_to_json, warning_to_json
from pipeline.dates.points import parse_start_code
from pipeline.dates.results import DateResult, DateWarning, Level, Period
from pipeline.dates.scanner import find_dates

__all__ = [
    "DateResult",
    "DateWarning",
    "Level",
    "Period",
    "find_dates",
    "parse_start_code",
    "period_to_json",
    "warning_to_json",
]
