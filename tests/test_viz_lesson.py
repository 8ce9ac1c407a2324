"""The walkthroughs' shared helpers: the figures folder, the files and inline figures, the exercise checks."""

import sys
from pathlib import Path

import numpy as np
import pytest

from minigen.viz.lesson import figure_saver, figures_folder, new_figure


def test_figures_go_to_minigen_figures_else_beside_the_lesson(tmp_path, monkeypatch):
    monkeypatch.setenv("MINIGEN_FIGURES", str(tmp_path / "env"))
    assert figures_folder(__file__) == tmp_path / "env" and (tmp_path / "env").is_dir()
    monkeypatch.delenv("MINIGEN_FIGURES")
    lesson = tmp_path / "lessons" / "01.py"
    lesson.parent.mkdir()
    assert figures_folder(str(lesson)) == lesson.parent / "figures"
    monkeypatch.chdir(tmp_path)
    assert figures_folder(None) == Path.cwd() / "figures"  # a notebook has no __file__


def test_saver_writes_a_png(tmp_path):
    fig = new_figure(2, 1)
    fig.add_subplot().plot([0, 1], [1, 0])
    path = figure_saver(tmp_path)(fig, "line.png")
    assert path == tmp_path / "line.png" and path.read_bytes()[:4] == b"\x89PNG"


def test_show_images_maps_the_value_range_to_black_ink_on_white():
    """Pixels in [0, 1] and a tanh generator's [-1, 1] give the same picture for the same image."""
    from minigen.viz.lesson import show_images

    rng = np.random.default_rng(0)
    pixels = rng.random((4, 1, 3, 3))
    drawn = []
    for images, value_range in ((pixels, (0.0, 1.0)), (pixels * 2 - 1, (-1, 1))):
        ax = new_figure(2, 1).add_subplot()
        show_images(ax, images, 2, "t", value_range=value_range)
        assert ax.get_title() == "t" and not ax.get_xticks().size
        drawn.append(np.asarray(ax.get_images()[0].get_array()))
    np.testing.assert_allclose(drawn[0], drawn[1], atol=1e-12)
    assert drawn[0].min() >= 0 and drawn[0].max() <= 1


def test_relative_error_is_cs231ns_elementwise_maximum():
    from minigen.viz.lesson import relative_error

    assert relative_error(np.array([1.0, 2.0]), np.array([1.0, 2.0])) == 0.0
    # |1 - 1.1| / (1 + 1.1) = 0.0476...; the other element agrees exactly.
    assert np.isclose(relative_error([1.0, 5.0], [1.1, 5.0]), 0.1 / 2.1)
    assert relative_error(0.0, 1e-12) == 1e-12 / 1e-8  # near zero, the 1e-8 floor decides
    try:
        relative_error(np.zeros(3), np.zeros(4))
    except ValueError as error:
        assert "(3,)" in str(error) and "(4,)" in str(error)
    else:
        raise AssertionError("shapes (3,) and (4,) were compared")


def test_check_exercise_says_not_implemented_correct_or_not(capsys):
    from minigen.viz.lesson import check_exercise

    def unfilled():
        raise NotImplementedError

    assert check_exercise("ex", unfilled, expected=1e-12) is None
    assert "ex: not implemented yet" in capsys.readouterr().out
    assert check_exercise("ex", lambda: {"g": (np.ones(2), np.ones(2))}, expected=1e-12) is True
    assert capsys.readouterr().out.rstrip().endswith("expected 1e-12 or less: correct")
    assert check_exercise("ex", lambda: {"g": (np.ones(2), 2 * np.ones(2))}, expected=1e-12) is False
    out = capsys.readouterr().out
    assert "relative error 3.3e-01" in out and out.rstrip().endswith(": not correct yet")


def test_figures_are_shown_inline_inside_a_jupyter_kernel(tmp_path, monkeypatch, capsys):
    """In a notebook (ipykernel imported) show_file also displays the figure under the cell."""
    display_module = pytest.importorskip("IPython.display")
    from minigen.viz.lesson import show_file

    shown = []
    monkeypatch.setitem(sys.modules, "ipykernel", sys.modules.get("ipykernel") or object())
    monkeypatch.setattr(display_module, "display", lambda image: shown.append(image))
    fig = new_figure(1, 1)
    path = figure_saver(tmp_path)(fig, "f.png")
    assert len(shown) == 1 and shown[0].data == path.read_bytes()
    monkeypatch.delitem(sys.modules, "ipykernel")
    show_file(path)
    assert len(shown) == 1  # a plain script only says where the figure went
    assert capsys.readouterr().out.count("figure written") == 2
