"""Report charts: a count axis is labelled in whole numbers."""

import re

from charts.svg import bar_chart


def test_count_axis_has_whole_number_ticks():
    svg = str(bar_chart([("未开始", 1), ("学习中", 0)], title="状态分布"))
    labels = re.findall(r'text-anchor="end"[^>]*>([^<]+)</text>', svg)
    assert labels == ["0", "1", "2", "3", "4"]


def test_axis_grows_with_the_data():
    svg = str(bar_chart([("a", 37)], title="t"))
    labels = re.findall(r'text-anchor="end"[^>]*>([^<]+)</text>', svg)
    assert labels[-1] == "40"
