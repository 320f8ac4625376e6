"""Charts as inline SVG (matplotlib, no display). Text stays text in the SVG
(``svg.fonttype: none``), so the browser draws the Chinese city names with its own CJK
font and they stay searchable; a figure made from synthetic samples says so in its
title and across its plot area."""

from __future__ import annotations

import io
import logging
import warnings
from collections.abc import Sequence
from functools import cache
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.figure import Figure

# Fonts matplotlib measures text with; the SVG names the same families for the browser.
# Debian's fonts-noto-cjk is one collection file, which matplotlib lists under its first
# face (JP): same glyph widths as SC, so it measures Chinese labels right.
CJK_FONTS = ["Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Noto Sans CJK JP",
             "WenQuanYi Zen Hei", "PingFang SC", "Microsoft YaHei", "DejaVu Sans"]
TIER_COLOURS = {"head": "#2b5d8a", "neck": "#5b8fc0", "waist": "#e0a030", "tail": "#9aa5b1",
                "unclassified": "#d5dae3"}
SYNTHETIC_MARK = "SYNTHETIC SAMPLE 合成样例 · not official statistics"
STYLE = {"svg.fonttype": "none", "font.family": "sans-serif", "font.sans-serif": CJK_FONTS,
         "font.size": 10, "axes.spines.top": False, "axes.spines.right": False,
         "svg.hashsalt": "citytiers"}  # the same chart gives the same SVG

# A machine without a CJK font still measures (and writes) the text; the browser draws it.
logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)


@cache
def _pyplot() -> ModuleType:
    """matplotlib's pyplot, imported with the first chart drawn, not with this module: it
    takes about 1.4 s, which a night that draws nothing (a quiet night's report step asks
    only where the analytics page is) does not pay."""
    import matplotlib

    matplotlib.use("Agg")  # no display on a scheduler's worker
    import matplotlib.pyplot as plt  # after the backend is chosen

    return plt


def _svg(figure: Figure, title: str, synthetic: bool) -> str:
    figure.suptitle(title + ("  [SYNTHETIC SAMPLE 合成样例]" if synthetic else ""),
                    fontsize=12, x=0.01, ha="left")
    if synthetic:
        figure.text(0.5, 0.5, SYNTHETIC_MARK, ha="center", va="center", fontsize=16,
                    color="#d39e00", alpha=0.25, rotation=12)
    buffer = io.StringIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "Glyph ... missing from font(s)"
        figure.savefig(buffer, format="svg", bbox_inches="tight",
                       metadata={"Date": None})  # no timestamp: reproducible pages
    _pyplot().close(figure)
    text = buffer.getvalue()
    return text[text.index("<svg"):]  # inline: no XML prolog or DOCTYPE


def stacked_bars(categories: Sequence[str], series: dict[str, Sequence[float]], *,
                 title: str, ylabel: str, synthetic: bool, horizontal: bool = False,
                 colours: dict[str, str] | None = None) -> str:
    """One bar per category, stacked by series (e.g. cities per tier per year)."""
    plt = _pyplot()
    with plt.rc_context(STYLE):
        height = max(3.2, 0.28 * len(categories)) if horizontal else 3.6
        figure, axes = plt.subplots(figsize=(9, height))
        base = [0.0] * len(categories)
        for name, values in series.items():
            colour = (colours or TIER_COLOURS).get(name)
            if horizontal:
                axes.barh(list(categories), values, left=base, label=name, color=colour)
            else:
                axes.bar(list(categories), values, bottom=base, label=name, color=colour)
            base = [b + v for b, v in zip(base, values, strict=True)]
        if horizontal:
            axes.invert_yaxis()
            axes.set_xlabel(ylabel)
        else:
            axes.set_ylabel(ylabel)
        axes.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
        return _svg(figure, title, synthetic)


def line(xs: Sequence[int], series: dict[str, Sequence[float | None]], *, title: str,
         ylabel: str, synthetic: bool, invert: bool = False) -> str:
    """Lines over years (``invert``: rank 1 on top)."""
    plt = _pyplot()
    with plt.rc_context(STYLE):
        figure, axes = plt.subplots(figsize=(9, 3.4))
        for name, values in series.items():
            axes.plot(list(xs), [float("nan") if v is None else v for v in values],
                      marker="o", label=name)
        axes.set_xticks(list(xs))
        axes.set_ylabel(ylabel)
        if invert:
            axes.invert_yaxis()
        if len(series) > 1:
            axes.legend(frameon=False)
        return _svg(figure, title, synthetic)


def diverging_bars(labels: Sequence[str], values: Sequence[float], *, title: str,
                   xlabel: str, synthetic: bool) -> str:
    """Horizontal bars left (negative) and right (positive) of zero: risers and fallers."""
    plt = _pyplot()
    with plt.rc_context(STYLE):
        figure, axes = plt.subplots(figsize=(9, max(2.8, 0.3 * len(labels))))
        colours = ["#2e7d32" if v >= 0 else "#a71d2a" for v in values]
        axes.barh(list(labels), list(values), color=colours)
        axes.axvline(0, color="#1d2330", linewidth=0.8)
        axes.invert_yaxis()
        axes.set_xlabel(xlabel)
        for y, value in enumerate(values):
            axes.annotate(f"{value:+g}", (value, y), va="center", fontsize=8,
                          xytext=(3 if value >= 0 else -3, 0), textcoords="offset points",
                          ha="left" if value >= 0 else "right")
        return _svg(figure, title, synthetic)
