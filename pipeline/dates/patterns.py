"""The compiled patterns of the date engine: where an expression may start, and its pieces.

All patterns run on the translated text (ASCII digits and letters: see `FULLWIDTH`). Spaces
inside an expression may be ASCII or ideographic, never tabs or newlines (these separate
cells). Named groups are read by name (`groupdict()`) in pipeline.dates.points.
"""

from __future__ import annotations

import re

from pipeline.dates.results import Level

# All patterns run on the translated text (ASCII digits and letters). Spaces inside an
# expression may be ASCII or ideographic, never tabs or newlines (these separate cells).

# Patterns that most text never needs are compiled on first use, not at import (compiling
# is most of `pipeline dates`' start-up): their sources go in _LAZY and the module's
# __getattr__ compiles one when it is first read, as `patterns.NAME` (importing the name
# with `from ... import` would compile it at once).
_LAZY: dict[str, str] = {}


def __getattr__(name: str) -> re.Pattern[str]:
    try:
        source = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    pattern = globals()[name] = re.compile(source)
    return pattern


_SP = "[ \u3000]*"
_KNUM = "〇一二三四五六七八九十"
_N = rf"(?:[0-9]{{1,2}}|[{_KNUM}]{{1,4}})"  # an era year, month or day number
# A Western year in kanji digits, place by place (一九八二, 二〇一二; ○ is written for 〇 too),
# 1800 to 2099 only: 一二三四 is a count more often than a year.
_KDIGIT = "〇○一二三四五六七八九"
_KYEAR = rf"(?:一[八九]|二[〇○])[{_KDIGIT}]{{2}}"
_NOT_AFTER_NUM = rf"(?<![0-9A-Za-z{_KNUM}])"
_DASH = "[~～〜－\\-‐−]"
_RANGE = rf"(?:{_DASH}|から)"
# H24年度, R元年, H24～H26年度, R2・3年度: a one-letter era needs 年 right after its year, or
# a range or list to a year with 年 (H24-1 is a part number).
_LETTER_YEAR = (rf"(?:元|[0-9]{{1,2}})"
                rf"(?=年|{_SP}(?:{_RANGE}|[・･]){_SP}[MTSHR]?(?:元|[0-9]{{1,2}})年)")
# (日), （木）, (土・日), (月・祝); checked against the date in `checks.check_weekday`.
_WD = r"[(（](?P<wd>[月火水木金土日](?:[・･,、][月火水木金土日])*(?:[・･]?祝)?|祝)[)）]"
_MONTH = "(?:1[0-2]|0?[1-9])"
_DAY = "(?:3[01]|[12][0-9]|0?[1-9])"
_DOT_END = "(?![0-9A-Za-z]|[.][0-9])"  # H30.7 but not H30.7km, H30.7.5.1 or 2012.4.10.5

# A year in brackets that confirms the year before it (`Point.confirm`): 令和元（2019）年度,
# 2019（令和元）年度 (both before 年 or 年度), 令和元年（2019年）7月, 令和元年（2019年）度,
# 2019年（令和元年）7月.
_OPEN, _CLOSE = rf"{_SP}[(（]{_SP}", rf"{_SP}[)）]"
_ERA_NAME = "明治|大正|昭和|平成|令和"
# Text extracted from PDFs and typeset tables puts spaces between the characters of one
# date (平 成 28 年, ２ ０ １ ２ 年): spaces inside an era name, and one space between every
# two digits of a Western year (not 2 012), are not a break. points.squash takes them out.
_ERA_NAME_SPACED = f"明{_SP}治|大{_SP}正|昭{_SP}和|平{_SP}成|令{_SP}和"
_YEAR4 = "[12](?:[0-9]{3}|(?:[ \u3000][0-9]){3})"
# Where a date written without units (昭和45年 1/1) may end: not 1/2ページ, 1/25,000.
_DATE_END = (r"(?=$|[\s、。，,．:：;；!?！？)）」』】〕］\]〉》(（～〜~－\-‐−]"
             r"|から|まで|頃|ごろ|[にのはもをとや])")

# One point written with units. Every part is optional here; `Point.shape_ok` and the
# range rules decide which combinations are dates. 年 before 間/齢/代/輩 is not a year
# (5年間, 同年齢, 1980年代); 日 before 間/目 is not a day (5日間, 3日目); 月曜 is a weekday.
POINT = re.compile(
    rf"""
    (?:
        (?:
            (?P<era>{_ERA_NAME_SPACED}){_SP}(?P<ey>元|{_N})
                (?:{_OPEN}(?P<cw>{_YEAR4}){_CLOSE}(?={_SP}(?:年|{_RANGE}|[・･])))?
          | (?<![0-9A-Za-z])(?P<le>[MTSHR])(?P<ly>{_LETTER_YEAR})
          | (?<![0-9])(?P<wy>{_YEAR4})(?![0-9])
                (?:{_OPEN}(?P<ce>{_ERA_NAME}){_SP}(?P<cey>元|{_N}){_CLOSE}
                    (?={_SP}(?:年|{_RANGE}|[・･])))?
          | (?P<rel>[同翌前])(?=年(?!度?比))
          | {_NOT_AFTER_NUM}(?P<kwy>{_KYEAR})(?={_SP}年)
          | {_NOT_AFTER_NUM}(?P<ny>{_N})(?={_SP}年)
        )
        (?:{_SP}(?:(?P<fy>年{_SP}度)|(?P<yu>年)(?![間齢代輩])
            (?(wy)(?:{_OPEN}(?P<cwe>{_ERA_NAME}){_SP}(?P<cwey>元|{_N}){_SP}年{_CLOSE}
                    (?:{_SP}(?P<cwfy>度))?)?
              |(?(rel)|(?:{_OPEN}(?P<cy>{_YEAR4}){_SP}年{_CLOSE}(?:{_SP}(?P<cfy>度))?)?))
        ))?
    )?
    (?(fy)|(?(cfy)|(?(cwfy)|
        (?:{_SP}/?{_SP}(?:(?P<mrel>[同翌前])月(?![比曜])(?P<mend>末)?|(?P<m>{_N}){_SP}月(?!曜)
            |(?P<sameday>同)日(?![間目])
            |(?P<dsame>同)(?={_SP}{_N}{_SP}日)
            |(?(yu)(?P<sm>{_MONTH})/(?P<sd>{_DAY}){_DATE_END}|(?!))))?
        (?(sd)|(?:{_SP}/?{_SP}(?:(?P<d>{_N}){_SP}日(?![間目])(?:{_SP}{_WD})?|(?P<jun>[上中下初])旬))?)
    )))
    """,
    re.VERBOSE,
)

# The first end of a range may leave its last unit to the second: 平成24年4～5月, 7月22～29日,
# 平成24～26年度, 11～12月.
DANGLE = re.compile(rf"{_SP}(?P<n>{_N}){_SP}(?={_RANGE}|[・･])")
# ... or to a later list item: 平成24年7・8月, 平成24・25年度, 平成24年6・7・8月.
# An item may be a year with its other form in brackets: 2022(令和4)・2023(令和5)年度,
# 令和4(2022)・令和5(2023)年度.
_CONFIRMED = (rf"(?:[12][0-9]{{3}}{_OPEN}(?:{_ERA_NAME}){_SP}(?:元|{_N}){_CLOSE}"
              rf"|(?:{_ERA_NAME}){_SP}(?:元|{_N}){_OPEN}[12][0-9]{{3}}{_CLOSE})")
LIST_UNIT: re.Pattern[str]  # compiled on first use: see _LAZY
_LAZY["LIST_UNIT"] = (
    rf"{_SP}(?:[・･]{_SP}(?:{_N}|{_CONFIRMED}){_SP})+"
    rf"(?P<u>年度|年(?![間齢代輩])|月(?!曜)|日(?![間目]))")
UNIT_LEVEL = {"年度": Level.YEAR, "年": Level.YEAR, "月": Level.MONTH, "日": Level.DAY}

# Dotted forms: H24.4.1, R元.5.1, H30.7 (month), 平成24.4.1, 平24.4.1 (one-kanji forms need
# the day: 最大2.5 is not a date), 2012/4/1, 2012.4.1 (Western forms need the day: 2012.5 is
# a number). M and T need the day too (M7.3 is an earthquake magnitude): see points.dotted_point.
#
# Slashes, hyphens and ・ between the parts need the day, except a Western year and month
# with a slash (2021/7, 2021/07, 2021/7月; 2021-7 is a part number, 2012.5 a number); ・
# only where nothing follows that makes it a list (平成3・4・5年度 is three fiscal years).
# Parts in kanji digits place by place: 一九四〇・一・四. A Western date may have the era
# year in brackets after it, 1991/7/9 (H3), 1982/ (S57) (the year alone), checked against
# the date in `checks.check_bracket_era`.
_SEP_END = rf"(?!{_SP}[年月日度])"
_ERA_ABBR = rf"[MTSHR]|{_ERA_NAME}"
DOTTED = re.compile(
    rf"""
    (?:
        (?<![0-9A-Za-z.])(?P<ab>{_ERA_ABBR})(?P<ay>元|[0-9]{{1,2}})
            [.](?P<am>{_MONTH})(?:[.](?P<ad>{_DAY}))?
      | (?<![0-9A-Za-z.])(?P<sb>{_ERA_ABBR})(?P<sy>元|[0-9]{{1,2}})
            (?P<ss>[/・･-])(?P<sm>{_MONTH})(?P=ss)(?P<sd>{_DAY}){_SEP_END}
      | (?<![0-9A-Za-z.])(?P<yb>{_ERA_ABBR})(?P<yy>元|[0-9]{{1,2}})[.](?=[)）])   # (H25.)
      | (?<=[(（])(?P<ny>[1-9][0-9])[.](?P<nm>{_MONTH})(?:[.](?P<nd>{_DAY}))?(?=[)）])  # (26.3)
      | (?<![0-9A-Za-z.\u4e00-\u9fff])(?P<ak>[明大昭平令])(?P<ky>元|[0-9]{{1,2}})
            [.](?P<km>{_MONTH})[.](?P<kd>{_DAY})
      | (?<![0-9.])(?P<gy>[12][0-9]{{3}})(?P<gs>[./・･-])(?P<gm>{_MONTH})(?P=gs)(?P<gd>{_DAY})
            {_SEP_END}
      | (?<![0-9./])(?P<hy>[12][0-9]{{3}})/(?P<hm>{_MONTH})(?:(?P<hu>月)(?!曜)|{_DATE_END})
      | (?<![0-9./])(?P<oy>[12][0-9]{{3}})/(?={_SP}[(（](?:{_ERA_ABBR})(?:元|[0-9]{{1,2}})[)）])
      | {_NOT_AFTER_NUM}(?P<qy>{_KYEAR})
            [・･](?P<qm>[{_KDIGIT}十]{{1,3}})[・･](?P<qd>[{_KDIGIT}十]{{1,3}}){_SEP_END}
    ){_DOT_END}
    (?:{_SP}[(（]{_SP}(?P<be>{_ERA_ABBR}){_SP}(?P<bey>元|[0-9]{{1,2}}){_SP}[)）])?
    (?:{_SP}{_WD})?
    """,
    re.VERBOSE,
)
# The second end of a dotted day range may be month.day only: H24.7.22～7.29.
DOTTED_MD: re.Pattern[str]
_LAZY["DOTTED_MD"] = (rf"(?P<am>{_MONTH})[./](?P<ad>{_DAY}){_DOT_END}(?:{_SP}{_WD})?")
# ... or a bare day after a day (H24.7.22～29, 2012/4/1～5), a bare month after a month
# (H24.7～8); the unit may be written (H24.7.22～29日).
DOTTED_BARE: re.Pattern[str]
_LAZY["DOTTED_BARE"] = (
    rf"(?P<n>[0-9]{{1,2}})(?:(?P<u>日(?![間目])|月(?!曜))|{_DOT_END})(?:{_SP}{_WD})?")
# After a dotted range separator, what a second end would start with: if it cannot be read,
# the range is date-unresolved (H24.7.22～99), never the first end alone.
DOTTED_SECOND_START = frozenset("0123456789MTSHR明大昭平令同翌")
# What may follow a bare kanji month (五月): the end of a date, not of a word (五月雨, 十月桜).
KANJI_MONTH_END: re.Pattern[str]
_LAZY["KANJI_MONTH_END"] = (
    r"$|[\s、。，,．.・･:：;；!?！？)）」』】〕］\]〉》～〜~－\-‐−]|から|まで|頃|ごろ|末|中|以降"
    r"|[にのはもをとや]")

DOTTED_FIRST = frozenset("MTSHR明大昭平令0123456789一二")
# 四日市, 十日町, 廿日市, 五日市: a kanji day followed by these is a place name.
PLACE_AFTER_DAY = frozenset("市町村")
# 2005年11月から翌2006年7月: 翌 before a written year is part of the separator.
RANGE_SEP = re.compile(rf"{_SP}{_RANGE}{_SP}(?:翌{_SP}(?=[12][0-9]{{3}}{_SP}年))?")
UNTIL = re.compile(rf"{_SP}まで")
# Open ranges. A range mark with nothing readable after it, where the text goes on with no
# date (平成11年度～, 4月～、, 7月1日～ 東京): the period has no end (Period.open_end). Only
# the wave dashes: a hyphen after a date is too often something else (2012-).
OPEN_END = re.compile(rf"{_SP}[~～〜](?={_SP}(?:$|[^ \u30000-9{_KNUM}MTSHR明大昭平令同翌]))")
# A wave dash after a whole date and then a number that is no readable end (平成24年4月1日～5):
# the range is date-unresolved, never the first end alone. (から5日間 is not a range.)
WAVE_NUMBER = re.compile(rf"{_SP}[~～〜](?={_SP}[0-9{_KNUM}])")
# ... and one before a date, at the start of the text or after a space, a bracket or
# punctuation (～2023年まで, （～令和5年）): the period has no start (Period.open_start).
OPEN_START: re.Pattern[str]
_LAZY["OPEN_START"] = (r"(?:(?<![\s\S])|(?<=[\s(（「『【〔\[、。，,:：]))[~～〜][ \u3000]*$")
LIST_SEP = re.compile(rf"{_SP}(?:[、，,・･]|及び|および|並びに){_SP}")
# The characters a match of RANGE_SEP or LIST_SEP can start with: after most dates neither
# follows, and a look at one character is cheaper than a match that fails.
RANGE_SEP_FIRST = frozenset(" \u3000~～〜－-‐−か")
LIST_SEP_FIRST = frozenset(" \u3000、，,・･及お並")

# Where an expression may start. Only positions matter: the reading is done from there by
# the patterns above. The pattern opens with a character class, which lets the regex engine
# skip the other characters at C speed; each branch then checks that first character with a
# lookbehind, and what stands before it with a two-character lookbehind (X.).
# 24年度, 25年1月 (era from context), 23・26年度, 23～25年度
_YEAR_AHEAD = (rf"(?={_SP}(?:(?:{_DASH}|[・･]){_SP}{_N}{_SP}){{0,3}}"
               rf"年(?:{_SP}度|{_SP}{_N}{_SP}月))")
# 3月, 4～5月, 7・8月, 6・7・8月
_MONTH_AHEAD = rf"(?={_SP}(?:(?:{_DASH}|[・･]){_SP}{_N}{_SP}){{0,3}}月(?!曜))"
# What both must see right after the rest of the number ({} is its pattern): a space, a
# range or list mark, 年 or 月. Tested before them, it turns away most numbers of ordinary
# text (10km, 第3回) at a fraction of their cost, and nothing they would accept.
_AHEAD_FIRST = r"{}[ \u3000~～〜－\-‐−・･年月]"
ANCHOR = re.compile(
    rf"""
    [0-9MTSHR明大昭平令同翌前{_KNUM}０-９Ａ-Ｚａ-ｚ．／]
    (?<![0-9][0-9])   # no branch starts inside a number: said once, it is cheaper to reject
    (?:
        (?<=[0-9])(?<![0-9].)                  # a number of ASCII digits starts here
        (?:
            (?<=[12])(?<![.].)(?:[0-9]{{3}}|(?:[ \u3000][0-9]){{3}})     # 2012年, 2 0 1 2 年
                (?={_SP}(?:年|{_RANGE})|[./][0-9]|{_OPEN}(?:{_ERA_NAME}))  # 2019（令和元）年度
            # 2021/7, 2020-01-01, 2021・7・18, 1982/ (S57)
          | (?<=[12])(?<![.].)[0-9]{{3}}(?:[/・･-][0-9]|/{_SP}[(（])
          | (?={_AHEAD_FIRST.format("[0-9]?")})     # the cheap test first: see _AHEAD_FIRST
            (?:(?<![A-Za-z].)[0-9]?{_YEAR_AHEAD}      # not H24年度: see the next branch
              |(?<!第.)[0-9]?{_MONTH_AHEAD})
          | (?<=[(（].)[0-9][.][0-9]{{1,2}}(?:[.][0-9]{{1,2}})?[)）]           # (26.3)
        )
      | (?<![0-9])(?:                           # not a digit: one test for the branches below
          (?<=[{_KNUM}])(?<![{_KNUM}○].)          # a kanji numeral starts here
          (?:
              (?<=一)[八九][{_KDIGIT}]{{2}}(?={_SP}年|[・･])               # 一九八二年, 一九四〇・
            | (?<=二)[〇○][{_KDIGIT}]{{2}}(?={_SP}年|[・･])                   # 二〇一二年
            | (?={_AHEAD_FIRST.format(f"[{_KNUM}]{{0,3}}")})
              (?:[{_KNUM}]{{0,3}}{_YEAR_AHEAD}
                |(?<!第.)[{_KNUM}]{{0,3}}{_MONTH_AHEAD})
          )
        | (?<=[MTSHR])(?<![0-9A-Za-z.].)                      # H24.4.1, R3/7/18, (H25.)
          (?:(?:元|[0-9]{{1,2}})(?:[./・･-][0-9]|[.][)）])|{_LETTER_YEAR})
        | (?<=[明大昭平令])
          (?:
              (?<![0-9A-Za-z.\u4e00-\u9fff].)(?:元|[0-9]{{1,2}})[.][0-9]                # 平24.4.1
            | (?<=明){_SP}治|(?<=大){_SP}正|(?<=昭){_SP}和|(?<=平){_SP}成|(?<=令){_SP}和  # 平 成
          )
        | (?<=[同翌前])(?=年|月)                                           # 同年, 翌月, 前年度
        | (?<=同)(?=日)                                                            # 同日
        | (?<=同)(?={_SP}{_N}{_SP}日)                                            # 同10日
        | (?<=[０-９Ａ-Ｚａ-ｚ．／])                      # a full-width character: see below
        )
    )
    """,
    re.VERBOSE,
)
# Full-width digits, letters, ．and ／: translated only when present (str.translate would
# cost more than the whole search on a typical sentence). ANCHOR stops at the first of them
# too, so that one search over the input finds where to start or that there is one to
# translate (scanner.find_dates); in the translated text there is none.
FULLWIDTH = re.compile("[０-９Ａ-Ｚａ-ｚ．／]")
WIDE_FIRST = "\uff0e"  # ．, the first of them: ANCHOR's other characters all come before

START_CODE: re.Pattern[str]  # for parse_start_code, not find_dates
_LAZY["START_CODE"] = (
    rf"(?:(?P<letter>[MTSHRmtshr])|(?P<name>明治|大正|昭和|平成|令和)|(?P<kanji>[明大昭平令]))"
    rf"(?P<year>元|[0-9]{{1,2}}|[{_KNUM}]{{1,4}})(?:年)?(?:度)?"
)
