"""The walkthroughs' shared figure helpers: the folder they write to and the files they write."""

from pathlib import Path

import numpy as np

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
