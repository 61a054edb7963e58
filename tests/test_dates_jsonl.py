"""`pipeline dates` JSON lines: written by hand-made templates, so checked against json."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.dates import find_dates
from pipeline.dates.jsonl import result_to_dict, result_to_line, texts_to_lines


def test_one_line_written_by_hand() -> None:
    text = '平成24年12月28日～1月4日(金) "引用" \\ 32年'
    expected = ('{"input": "平成24年12月28日～1月4日(金) \\"引用\\" \\\\ 32年", "dates": [{"text": '
                '"平成24年12月28日～1月4日(金)", "start": "2012-12-28", "end": "2013-01-04", '
                '"precision": "day", "inferred": false, "open_start": false, "open_end": false}], '
                '"warnings": []}\n')
    assert list(texts_to_lines([text], None)) == [expected]


def test_warning_and_inferred_written_by_hand() -> None:
    line = result_to_line("3月、平成24年2月30日", find_dates("3月、平成24年2月30日", 2012))
    assert line == ('{"input": "3月、平成24年2月30日", "dates": [{"text": "3月", "start": '
                    '"2013-03-01", "end": "2013-03-31", "precision": "month", "inferred": true, '
                    '"open_start": false, "open_end": false}], '
                    '"warnings": [{"code": "date-invalid", "message": "平成24年2月30日 is not a '
                    'date"}]}\n')


DATEISH = st.text(alphabet='0123456789年月日度～、平成令和元H.\\"\t\x00\u2028\ud800 東京', max_size=30)


@settings(max_examples=300, deadline=None)
@given(text=st.one_of(st.text(max_size=40), DATEISH), fiscal_year=st.sampled_from([None, 2012]))
def test_line_is_what_json_dumps_writes(text: str, fiscal_year: int | None) -> None:
    found = find_dates(text, fiscal_year)
    line = result_to_line(text, found)
    assert line == json.dumps(result_to_dict(text, found), ensure_ascii=False) + "\n"
    assert json.loads(line)["input"] == text
