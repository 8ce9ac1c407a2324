"""The walkthroughs' shared figure helpers: the folder they write to and the files they write."""

from pathlib import Path

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
