"""The layout: from an 800x480 touchscreen to 4K, nothing overlaps and nothing leaves the window."""
import itertools

import pygame
import pytest

from signet_arcade.scenes.layout import PANEL_NAMES, compute_layout

SIZES = [(800, 480), (1024, 600), (1280, 720), (1366, 768), (1920, 1080), (2560, 1440), (3840, 2160),
         (1280, 1024), (800, 1280), (2560, 1080)]


@pytest.mark.parametrize("size", SIZES)
def test_rects_fit_and_never_overlap(size):
    layout = compute_layout(*size)
    window = pygame.Rect((0, 0), size)
    rects = [layout.sidebar, layout.status, *layout.panels]
    assert len(layout.panels) == len(PANEL_NAMES)
    assert all(window.contains(r) and r.width > 0 and r.height > 0 for r in rects)
    for a, b in itertools.combinations(rects, 2):
        assert not a.colliderect(b), f"{a} overlaps {b} at {size}"


@pytest.mark.parametrize("size", SIZES)
def test_panels_are_big_enough_to_read(size):
    layout = compute_layout(*size)
    assert min(r.height for r in layout.panels) >= 120
    assert min(r.width for r in layout.panels) >= 200
    assert layout.sidebar.width >= 220


def test_short_screens_pack_the_controls_and_big_ones_scale_up():
    assert compute_layout(800, 480).compact and not compute_layout(1280, 720).compact
    assert compute_layout(3840, 2160).scale == pytest.approx(3.0)
    assert compute_layout(1280, 720).scale == pytest.approx(1.0)


def test_wide_screens_use_a_three_by_two_grid():
    layout = compute_layout(1920, 1080)
    assert len({r.y for r in layout.panels}) == 2 and len({r.x for r in layout.panels}) == 3
