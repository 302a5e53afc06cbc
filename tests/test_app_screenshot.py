"""The real App, headless: after a few hundred steps every panel has drawn something meaningful."""
import numpy as np
import pygame
import pytest

from signet_arcade import commands as cmd
from signet_arcade.app import App
from signet_arcade.scenes import theme
from signet_arcade.scenes.layout import PANEL_NAMES
from signet_arcade.scenes.panel import draw_frame
from signet_arcade.settings import Settings


@pytest.fixture(scope="module")
def trained():
    app = App(Settings(headless=True, width=1280, height=720, preset="rhymes", seed=1))
    app.send(cmd.SetArchitecture(heads=2, layers=1, embed=32, context=32))
    app.send(cmd.SetLearningRate(3e-3))          # learns fast enough to be sure of some characters
    for _ in range(15):
        app.tick(1 / 30, exact_steps=20)          # 300 steps
    for _ in range(150):
        app.tick(1 / 30, exact_steps=0)           # 5 s: the last sample is written out, particles settle
    yield app, app.session.snapshot(), pygame.surfarray.array3d(app.screen).swapaxes(0, 1).copy()
    pygame.quit()


def pixels(image, rect):
    """(h, w, 3) int pixels of `rect` in an (H, W, 3) screen image."""
    return image[rect.top:rect.bottom, rect.left:rect.right].astype(int)


def near(px, colour, tolerance=40):
    return int((np.abs(px - np.array(colour)).sum(axis=-1) <= tolerance).sum())


def empty_card(rect):
    """What a panel's content area looks like with nothing drawn in it."""
    surface = pygame.Surface((rect.right + 1, rect.bottom + 1))
    content, _ = draw_frame(surface, rect, "")
    return pygame.surfarray.array3d(surface).swapaxes(0, 1), content


def test_trained_for_300_steps(trained):
    app, snap, _ = trained
    assert snap.step == 300 and app.steps == 300 and app.frames == 165


@pytest.mark.parametrize("name", PANEL_NAMES)
def test_every_panel_has_drawn(trained, name):
    app, _, image = trained
    rect = app.layout.panel(name)
    blank, content = empty_card(rect)
    drawn = pixels(image, content)
    changed = (np.abs(drawn - pixels(blank, content)).sum(axis=-1) > 30).mean()
    assert changed > 0.02, f"{name}: only {changed:.1%} of its content differs from an empty card"
    assert len(np.unique(drawn.reshape(-1, 3), axis=0)) > 40, f"{name}: too few colours to be a chart"


def test_the_sample_is_coloured_by_confidence(trained):
    app, snap, image = trained
    content = app._content_rects[PANEL_NAMES.index("sample")]
    text_area = pygame.Rect(content.x, content.y, content.width, int(content.height * 0.6))   # above the legend
    px = pixels(image, text_area)
    shown = [(c, float(p)) for c, p in zip(snap.sample.text, snap.sample.probs) if not c.isspace()]
    expected = {theme.confidence_color(p) for _, p in shown}
    assert expected == {theme.SURE, theme.MODERATE, theme.GUESSING}, "sure, moderate and guessing by now"
    for colour in expected:
        assert near(px, colour, 24) > 5, f"no character drawn in {colour}"


def test_embedding_particles_use_the_four_class_colours(trained):
    app, snap, image = trained
    content = app._content_rects[PANEL_NAMES.index("embeddings")]
    plot = pygame.Rect(content.x, content.y, content.width, int(content.height * 0.75))       # above the legend
    px = pixels(image, plot)
    classes = {theme.char_class(c) for c in snap.vocab}
    assert classes == {"vowel", "consonant", "whitespace", "punctuation"}
    for cls in classes:
        assert near(px, theme.CLASS_COLORS[cls], 30) > 10, f"no {cls} particle drawn"


def test_status_line_shows_the_step(trained):
    app, _, image = trained
    assert app.status.help_targets and {k for _, k in app.status.help_targets} == {"step", "loss_status"}
    blank = np.array(theme.PANEL)
    assert (np.abs(pixels(image, app.layout.status) - blank).sum(axis=-1) > 60).mean() > 0.02
