"""The sample, loss and next-token panels and the tooltip bubble, drawn headless."""
import os

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")

import dataclasses

import numpy as np
import pygame
import pytest

from fake_snapshot import make_snapshot
from signet_arcade.scenes import theme
from signet_arcade.scenes.loss_curve import LossCurvePanel, nice_ticks
from signet_arcade.scenes.next_token import NextTokenPanel
from signet_arcade.scenes.text_sample import TextSamplePanel, explain_choice, grid_layout
from signet_arcade.scenes.tooltips import draw_tooltip
from signet_arcade.snapshot import Sample, Snapshot, frozen_array

PANELS = (TextSamplePanel, LossCurvePanel, NextTokenPanel)
MARGIN = 20


@pytest.fixture(scope="module", autouse=True)
def _pygame():
    pygame.init()
    yield


def settle(panel, snap, seconds=4.0, fps=60):
    for _ in range(int(seconds * fps)):
        panel.update(snap, 1 / fps)


def draw(panel, snap, size=(420, 260)):
    """Draw into a rect surrounded by a margin; returns (surface, content rect)."""
    surface = pygame.Surface((size[0] + 2 * MARGIN, size[1] + 2 * MARGIN))
    surface.fill(theme.PANEL)
    rect = pygame.Rect(MARGIN, MARGIN, *size)
    panel.draw(surface, rect, snap)
    return surface, rect


def pixels(surface, rect=None):
    """(w, h, 3) int array of the rect's pixels."""
    rect = rect or surface.get_rect()
    return pygame.surfarray.array3d(surface.subsurface(rect)).astype(np.int16)


def count_near(px, color, tol=14):
    return int((np.abs(px - np.array(color)).max(axis=-1) <= tol).sum())


def count_changed(px):
    return int((np.abs(px - np.array(theme.PANEL)).max(axis=-1) > 10).sum())


def outside_untouched(surface, rect):
    """Nothing was drawn in the strips around `rect`."""
    full = surface.get_rect()
    strips = [pygame.Rect(0, 0, full.width, rect.top), pygame.Rect(0, rect.bottom, full.width, full.bottom - rect.bottom),
              pygame.Rect(0, 0, rect.left, full.height), pygame.Rect(rect.right, 0, full.right - rect.right, full.height)]
    return all(count_changed(pixels(surface, s)) == 0 for s in strips if s.width and s.height)


@pytest.mark.parametrize("panel_class", PANELS)
def test_each_panel_draws_something_meaningful_inside_its_rect(panel_class):
    panel, snap = panel_class(), make_snapshot()
    settle(panel, snap)
    surface, rect = draw(panel, snap)
    assert count_changed(pixels(surface, rect)) > 0.03 * rect.width * rect.height
    assert outside_untouched(surface, rect)


def test_sample_shows_the_three_confidence_colours_once_written():
    panel, snap = TextSamplePanel(), make_snapshot()
    settle(panel, snap)
    px = pixels(*draw(panel, snap))
    for color in (theme.SURE, theme.MODERATE, theme.GUESSING):
        assert count_near(px, color, tol=10) > 30, color


def test_low_power_sample_still_shows_confidence_colours():
    panel, snap = TextSamplePanel(low_power=True), make_snapshot()
    settle(panel, snap)
    px = pixels(*draw(panel, snap))
    for color in (theme.SURE, theme.MODERATE, theme.GUESSING):
        assert count_near(px, color, tol=10) > 30, color


def test_sample_is_typed_out_within_a_second():
    panel, snap = TextSamplePanel(), make_snapshot()
    panel.update(snap, 0.0)
    panel.update(snap, 0.05)
    early = count_changed(pixels(*draw(panel, snap)))
    settle(panel, snap, seconds=1.0)
    full = count_changed(pixels(*draw(panel, snap)))
    assert 0 < early < full * 0.5


def test_a_new_sample_waits_until_the_current_one_has_been_read():
    first = make_snapshot(step=1200)
    second = dataclasses.replace(first, sample=dataclasses.replace(first.sample, text="zzz zzz", step=1400))
    panel = TextSamplePanel()
    settle(panel, first, seconds=0.1)
    settle(panel, second, seconds=0.3)
    assert panel.shown_sample.step == 1200
    settle(panel, second, seconds=4.0)
    assert panel.shown_sample.step == 1400


def test_hovering_a_written_character_names_the_alternatives():
    panel, snap = TextSamplePanel(), make_snapshot()
    settle(panel, snap)
    _, rect = draw(panel, snap)
    tips = [panel.tooltip_at((x, y)) for y in range(rect.top, rect.bottom, 4) for x in range(rect.left, rect.right, 4)]
    tips = [t for t in tips if t]
    assert tips, "no character answered a hover"
    assert all(t.startswith("Here the model wrote") and "Other ideas:" in t and "%" in t for t in tips)
    assert panel.tooltip_at((rect.right + 5, rect.bottom + 5)) is None


def test_explain_choice_gives_percentages_and_names_whitespace():
    sample = Sample(text="e", probs=frozen_array([0.62], np.float32),
                    alternatives=((("e", 0.62), ("a", 0.2), (" ", 0.09)),), step=200)
    assert explain_choice(sample, 0) == "Here the model wrote 'e' (62% sure). Other ideas: 'a' 20%, a space 9%"


def test_grid_layout_wraps_whole_words_and_breaks_at_newlines():
    grid = grid_layout("ab cd\nefghijklmn", 4)
    assert grid.cells[:3] == [(0, 0), (0, 1), (0, 2)]        # "ab "
    assert grid.cells[3:5] == [(1, 0), (1, 1)]               # "cd" did not fit after "ab "
    assert grid.cells[5] == (1, 2)                           # the newline's mark ends its row
    assert grid.cells[6] == (2, 0) and grid.cells[10] == (3, 0)   # a long word is cut
    assert grid.rows == 5


def test_sample_placeholder_before_any_sample():
    surface, rect = draw(TextSamplePanel(), Snapshot())
    assert count_changed(pixels(surface, rect)) > 100
    assert outside_untouched(surface, rect)


def test_loss_panel_draws_blue_trend_baseline_and_celebrates_below_it():
    panel, snap = LossCurvePanel(), make_snapshot()     # smoothed loss ends near 1.9 < 2.4
    settle(panel, snap, seconds=2.0)
    px = pixels(*draw(panel, snap))
    assert count_near(px, theme.LOSS_SMOOTH, tol=12) > 150
    assert count_near(px, theme.BASELINE, tol=12) > 40
    assert count_near(px, theme.CELEBRATE, tol=12) > 20

    above = dataclasses.replace(snap, baseline_loss=1.0)
    panel = LossCurvePanel()
    settle(panel, above, seconds=2.0)
    px = pixels(*draw(panel, above))
    assert count_near(px, theme.BASELINE, tol=12) > 40
    assert count_near(px, theme.CELEBRATE, tol=12) == 0


@pytest.mark.parametrize("n", [1, 2, 5000])
def test_loss_panel_handles_any_number_of_points_and_bad_values(n):
    rng = np.random.default_rng(1)
    values = (3 + rng.standard_normal(n)).astype(np.float32)
    values[:: max(1, n // 7)] = np.nan
    values[1:: max(2, n // 5)] = np.inf
    smooth = np.linspace(4, 1, n).astype(np.float32)
    smooth[n // 2] = -np.inf
    snap = Snapshot(step=n * 10, loss_steps=frozen_array(np.arange(n) * 10, np.int64),
                    loss_values=frozen_array(values), loss_smooth=frozen_array(smooth), baseline_loss=float("nan"))
    panel = LossCurvePanel()
    settle(panel, snap, seconds=0.5)
    surface, rect = draw(panel, snap)
    assert count_changed(pixels(surface, rect)) > 100
    assert outside_untouched(surface, rect)


def test_nice_ticks_are_round_and_cover_the_range():
    assert nice_ticks(0, 4.3, 5) == [0, 1, 2, 3, 4]
    assert nice_ticks(0, 1200, 4) == [0, 500, 1000]
    assert nice_ticks(0, 7287, 2) == [0, 5000]      # the least the loss panel asks for


def test_next_token_bars_glide_towards_new_values():
    panel, snap = NextTokenPanel(), make_snapshot()
    panel.update(snap, 1 / 60)
    early = count_changed(pixels(*draw(panel, snap)))
    settle(panel, snap, seconds=2.0)
    settled = count_changed(pixels(*draw(panel, snap)))
    assert early < settled


@pytest.mark.parametrize("vocab_size", [2, 100])
def test_next_token_handles_small_and_large_vocabularies(vocab_size):
    vocab = tuple(chr(33 + i) for i in range(vocab_size))
    probs = np.random.default_rng(0).dirichlet(np.ones(vocab_size)).astype(np.float32)
    snap = Snapshot(vocab=vocab, next_probs=frozen_array(probs), next_context="ab \ncd")
    panel = NextTokenPanel()
    settle(panel, snap, seconds=1.0)
    surface, rect = draw(panel, snap, size=(260, 150))
    assert count_near(pixels(surface, rect), theme.BAR_HIGH, tol=40) > 20
    assert outside_untouched(surface, rect)


@pytest.mark.parametrize("panel_class", PANELS)
@pytest.mark.parametrize("size", [(40, 20), (3, 2), (3000, 1900)])
@pytest.mark.parametrize("snap", [make_snapshot(), Snapshot()], ids=["full", "empty"])
def test_tiny_and_huge_rects_do_not_crash_or_overflow(panel_class, size, snap):
    panel = panel_class(low_power=size[0] < 50)
    settle(panel, snap, seconds=0.5)
    surface, rect = draw(panel, snap, size=size)
    assert outside_untouched(surface, rect)
    panel.tooltip_at(rect.center)


def test_tooltip_stays_inside_its_bounds_and_wraps():
    surface = pygame.Surface((800, 480))
    surface.fill(theme.PANEL)
    bounds = pygame.Rect(100, 50, 500, 300)
    text = "Here the model wrote 'e' (62% sure).\nOther ideas: " + ", ".join(f"'{c}' 3%" for c in "abcdefghijklmno")
    for anchor in [(590, 340), (105, 55), (350, 200), (700, 470)]:
        surface.fill(theme.PANEL)
        drawn = draw_tooltip(surface, text, anchor, bounds)
        assert bounds.contains(drawn)
        assert drawn.width <= 420 + 40 and drawn.height > 2 * 20      # wrapped onto several lines
        assert outside_untouched(surface, bounds)


def test_odd_samples_draw_and_explain_without_crashing():
    odd = Sample(text="é😀\u0301\n\n\t x" * 20, probs=frozen_array([np.nan, 0.5, np.inf], np.float32),
                 alternatives=(), step=0)
    snap = dataclasses.replace(make_snapshot(), sample=odd)
    panel = TextSamplePanel()
    settle(panel, snap, seconds=2.0)
    surface, rect = draw(panel, snap, size=(260, 150))
    assert outside_untouched(surface, rect)
    assert explain_choice(odd, 0) == "Here the model wrote 'é' (?% sure)."
    assert explain_choice(odd, 5) == "Here the model wrote a tab."


def test_a_narrow_loss_chart_still_labels_steps_past_zero():
    """Regression: at ~7,000 steps in a 1280x720 panel only "0" was written under the axis."""
    panel = LossCurvePanel()
    rect = pygame.Rect(0, 0, 296, 258)   # the loss panel's content at 1280x720
    snap = make_snapshot(step=7287)
    with_labels = pygame.Surface((300, 270))
    panel.update(snap, 0.1)
    panel.draw(with_labels, rect, snap)
    plot = panel._chart.plot
    below_axis = pygame.surfarray.array3d(with_labels)[plot.centerx - 10:plot.right, plot.bottom + 4:plot.bottom + 20]
    assert (below_axis.max(axis=2) > 90).sum() > 10     # a label such as "5,000" right of the middle
