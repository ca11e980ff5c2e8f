"""Figures: one style, stable colours, deterministic files, drawn only when their inputs change."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from analysis import config
from analysis.data import indicators
from analysis.report import plots  # noqa: E402


@pytest.fixture(scope="module")
def df():
    plots.setup()
    return indicators.with_derived(indicators.load())


def labelled_lines(fig):
    return {line.get_label(): line for line in fig.axes[0].get_lines() if not line.get_label().startswith("_")}


def test_compare_draws_focus_china_and_median_in_fixed_colours(df):
    fig = plots.compare(df, "IT.NET.USER.ZS", "KAZ")
    lines = labelled_lines(fig)
    assert set(lines) == {"Kazakhstan", "China", "Central Asia median"}
    assert lines["Kazakhstan"].get_color() == plots.colour("KAZ") == plots.OKABE_ITO[0]
    assert lines["China"].get_color() == plots.colour("CHN")
    assert lines["Central Asia median"].get_linestyle() == "--"
    assert len(fig.axes[0].get_lines()) == 3  # nothing else: the chapter shows only what it reads
    plt.close(fig)


def test_compare_plots_exactly_its_download(df):
    data = plots.compare_data(df, "IT.CEL.SETS.P2", "UZB")
    data = data[data.index >= 2005]
    fig = plots.compare(df, "IT.CEL.SETS.P2", "UZB")
    names = {"UZB": "Uzbekistan", "CHN": "China", indicators.MEDIAN: "Central Asia median"}
    lines = labelled_lines(fig)
    for col, label in names.items():
        s = data[col].dropna()
        assert list(lines[label].get_xdata()) == list(s.index)
        assert list(lines[label].get_ydata()) == list(s.values)
    plt.close(fig)


def test_each_country_keeps_its_colour_everywhere():
    colours = [plots.colour(c) for c in config.iso3_codes()]
    assert len(set(colours)) == len(colours)
    assert all(c in plots.OKABE_ITO for c in colours)


def test_rank_axis_has_best_at_top(df):
    fig = plots.compare(df, "IC.BUS.EASE.XQ", "KAZ")
    assert fig.axes[0].yaxis_inverted()
    plt.close(fig)


def test_saved_files_are_deterministic(df, tmp_path):
    data = plots.compare_data(df, "IT.NET.USER.ZS", "KGZ")
    for name in ("a", "b"):
        fig = plots.compare(df, "IT.NET.USER.ZS", "KGZ")
        plots.save(fig, tmp_path / name, data)
        plt.close(fig)
    for ext in (".png", ".svg", ".csv"):
        assert (tmp_path / f"a{ext}").read_bytes() == (tmp_path / f"b{ext}").read_bytes(), ext


def test_render_draws_again_only_when_inputs_change(df, tmp_path):
    calls = []

    def draw():
        calls.append(1)
        return plots.compare(df, "IT.NET.USER.ZS", "TJK"), plots.compare_data(df, "IT.NET.USER.ZS", "TJK")

    stem = tmp_path / "internet"
    table = indicators.wide(df, "IT.NET.USER.ZS")
    assert plots.render(stem, draw, "TJK", table) is True
    assert plots.render(stem, draw, "TJK", table) is False
    changed = table.copy()
    changed.iloc[-1, 0] = 1.0
    assert plots.render(stem, draw, "TJK", changed) is True
    (stem.with_suffix(".svg")).unlink()  # a missing file is drawn again too
    assert plots.render(stem, draw, "TJK", changed) is True
    assert len(calls) == 3


def test_style_file_freezes_seaborns_theme():
    """analysis/book.mplstyle carries seaborn's whitegrid/notebook theme so that
    chapters need neither seaborn nor pyplot; it must still be that theme."""
    import matplotlib
    import matplotlib.colors as mc
    import seaborn as sns

    with matplotlib.rc_context():
        matplotlib.rcdefaults()
        before = dict(matplotlib.rcParams)
        sns.set_theme(context="notebook", style="whitegrid", font="DejaVu Sans")
        theme = {k: v for k, v in matplotlib.rcParams.items() if before[k] != v and k != "image.cmap"}
    style = matplotlib.rc_params_from_file(str(plots.STYLE), use_default_template=False)
    for key, value in theme.items():
        got = style[key]
        if key == "axes.prop_cycle":
            assert [mc.to_hex(c) for c in got.by_key()["color"]] == [mc.to_hex(c) for c in value.by_key()["color"]]
        else:
            assert got == value, key


def test_chapters_draw_without_pyplot_or_seaborn():
    import subprocess
    import sys

    code = ("import sys; from analysis.data import indicators; from analysis.report import chapter, plots; plots.setup(); "
            "df = indicators.with_derived(indicators.load()); plots.compare(df, 'IT.NET.USER.ZS', 'KAZ'); "
            "print(sorted(m for m in ('matplotlib.pyplot', 'seaborn', 'pandera') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=plots.STYLE.parents[1]).stdout
    assert out.strip() == "[]"


def test_a_figure_s_key_holds_the_code_that_draws_it_and_not_the_book_layer():
    """The figure key's code part: the report layer and what it stands on, the
    style and the templates (a cell may say how a figure is drawn), not the
    book layer nor the texts: appending a comment to the PDF module must not
    redraw every figure the next time a chapter runs."""
    from analysis.paths import ANALYSIS, TEMPLATES
    files = set(plots.drawing_files())
    for needed in (ANALYSIS / "report" / "plots.py", ANALYSIS / "report" / "chapter.py", ANALYSIS / "data" / "indicators.py",
                   ANALYSIS / "config.py", ANALYSIS / "book.mplstyle", ANALYSIS / "countries.yml",
                   TEMPLATES / "china.ipynb"):
        assert needed in files, needed
    assert not any(p.is_relative_to(ANALYSIS / "book") or p.is_relative_to(ANALYSIS / "texts") for p in files)
