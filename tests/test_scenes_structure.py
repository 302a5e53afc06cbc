"""The structure panels: character embeddings, learned bigrams and attention arcs, drawn headless."""
import dataclasses
import os

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

import numpy as np
import pygame
import pytest

from fake_snapshot import VOCAB, make_snapshot
from signet_arcade.scenes import theme
from signet_arcade.scenes.attention_arcs import AttentionPanel
from signet_arcade.scenes.bigrams import BigramsPanel
from signet_arcade.scenes.embeddings import EmbeddingsPanel, spread_out
from signet_arcade.snapshot import Snapshot, frozen_array

PANELS = [EmbeddingsPanel, BigramsPanel, AttentionPanel]
RECT = pygame.Rect(10, 10, 400, 260)


@pytest.fixture(scope="module", autouse=True)
def pygame_ready():
    pygame.init()
    yield


def settled(panel, snap, seconds=3.0):
    """The panel after `seconds` of 60 fps animation towards `snap`."""
    for _ in range(int(seconds * 60)):
        panel.update(snap, 1 / 60)
    return panel


def drawn(panel, snap, rect=RECT, size=(420, 280)) -> pygame.Surface:
    surface = pygame.Surface(size)
    surface.fill(theme.PANEL)
    panel.draw(surface, rect, snap)
    return surface


def pixels(surface: pygame.Surface, rect: pygame.Rect) -> np.ndarray:
    """(w*h, 3) int colours inside rect."""
    return pygame.surfarray.array3d(surface)[rect.left:rect.right, rect.top:rect.bottom].reshape(-1, 3).astype(int)


def count_near(px: np.ndarray, color: tuple, tolerance: float = 12) -> int:
    return int((np.linalg.norm(px - np.array(color), axis=1) <= tolerance).sum())


def count_tinted(px: np.ndarray, color: tuple, tolerance: float = 16) -> int:
    """Pixels that are `color` laid over the panel at some opacity (arcs are translucent)."""
    bg = np.array(theme.PANEL)
    direction = np.array(color) - bg
    ink = px - bg
    amount = ink @ direction / (direction @ direction)                       # (n,)
    off_line = np.linalg.norm(ink - amount[:, None] * direction, axis=1)     # (n,)
    return int(((amount > 0.3) & (off_line <= tolerance)).sum())


# --- every panel -------------------------------------------------------------------------------
@pytest.mark.parametrize("panel_class", PANELS)
def test_each_panel_draws_something_meaningful_inside_its_rect(panel_class):
    surface = drawn(settled(panel_class(), make_snapshot()), make_snapshot())
    inside = pixels(surface, RECT)
    changed = np.any(inside != theme.PANEL, axis=1).mean()
    assert 0.03 < changed < 0.9
    assert len(np.unique(inside, axis=0)) > 50          # shapes, colours and glyphs, not one blob
    margins = (pygame.Rect(0, 0, 420, 10), pygame.Rect(0, 270, 420, 10), pygame.Rect(0, 0, 10, 280),
               pygame.Rect(410, 0, 10, 280))
    for margin in margins:                                # nothing overflows its rect
        assert (pixels(surface, margin) == theme.PANEL).all()


@pytest.mark.parametrize("panel_class", PANELS)
@pytest.mark.parametrize("low_power", [False, True])
def test_empty_snapshot_tiny_and_huge_rects_never_crash(panel_class, low_power):
    panel = panel_class(low_power=low_power)
    big = pygame.Surface((3840, 2160))
    for snap in (Snapshot(), make_snapshot(), Snapshot()):
        panel.update(snap, 1 / 60)
        for rect in (pygame.Rect(0, 0, 0, 0), pygame.Rect(5, 5, 1, 1), pygame.Rect(0, 0, 30, 12),
                     pygame.Rect(0, 0, 3840, 2160), pygame.Rect(-50, -50, 200, 100)):
            panel.draw(big, rect, snap)
            panel.tooltip_at(rect.center)
            panel.click(rect.center)
        panel.update(snap, 0.0)


@pytest.mark.parametrize("panel_class", PANELS)
def test_empty_snapshot_shows_a_calm_message(panel_class):
    surface = drawn(settled(panel_class(), Snapshot(), 0.1), Snapshot())
    assert np.any(pixels(surface, RECT) != theme.PANEL, axis=1).sum() > 100
    assert panel_class().tooltip_at(RECT.center) is None


@pytest.mark.parametrize("panel_class", PANELS)
def test_animation_depends_only_on_dt(panel_class):
    a, b = panel_class(), panel_class()
    snaps = [make_snapshot(seed=0), make_snapshot(seed=3)]
    for k in range(90):
        for panel in (a, b):
            panel.update(snaps[k // 45], 1 / 30 if k % 3 else 1 / 90)
    assert pygame.image.tobytes(drawn(a, snaps[1]), "RGB") == pygame.image.tobytes(drawn(b, snaps[1]), "RGB")


# --- character embeddings ----------------------------------------------------------------------
def test_embedding_particles_use_all_four_class_colours():
    surface = drawn(settled(EmbeddingsPanel(), make_snapshot()), make_snapshot())
    inside = pixels(surface, RECT)
    for color in (theme.VOWEL, theme.CONSONANT, theme.WHITESPACE, theme.PUNCTUATION):
        assert count_near(inside, color) > 20, color


def test_embedding_particles_glide_with_a_slight_overshoot_then_settle():
    first = make_snapshot(seed=0)
    swapped = np.roll(np.asarray(first.embedding_xy), 1, axis=0)      # every character takes another's place
    moved = dataclasses.replace(first, embedding_xy=frozen_array(swapped))
    panel = settled(EmbeddingsPanel(), first)
    start = panel._pos.copy()
    path = []
    for _ in range(240):
        panel.update(moved, 1 / 60)
        path.append(panel._pos.copy())
    target = panel._target
    progress = [float(((p - start) * (target - start)).sum() / ((target - start) ** 2).sum()) for p in path]
    assert 0.4 < progress[12] < 0.98            # on its way after a fifth of a second, not teleported
    assert 1.02 < max(progress) < 1.3           # a slight overshoot
    assert abs(progress[-1] - 1) < 0.01         # and it settles


def test_a_tight_cluster_with_loners_is_opened_up_keeping_the_order_along_each_axis():
    rng = np.random.default_rng(0)
    xy = np.concatenate([rng.uniform(-0.05, 0.05, (20, 2)), [[1.0, 1.0], [-1.0, 0.9]]]).astype(np.float32)
    out = spread_out(xy)
    assert np.abs(out).max() <= 1.0
    assert np.ptp(out[:20], axis=0).min() > 0.5          # the cluster now fills a good part of the plot
    for axis in range(2):
        assert (np.argsort(out[:, axis], kind="stable") == np.argsort(xy[:, axis], kind="stable")).all()


def test_embedding_tooltip_names_the_character_and_its_nearest_neighbours():
    xy = np.zeros((len(VOCAB), 2), np.float32)
    xy[:, 0] = np.linspace(-1, 1, len(VOCAB))
    e, a, o, i = (VOCAB.index(c) for c in "eaoi")
    xy[:, 1] = np.linspace(0.2, 1, len(VOCAB))[::-1]
    xy[e], xy[a], xy[o], xy[i] = (0, -0.5), (0.05, -0.5), (-0.1, -0.5), (0.0, -0.65)
    snap = dataclasses.replace(make_snapshot(), embedding_xy=frozen_array(xy))
    panel = settled(EmbeddingsPanel(), snap)
    drawn(panel, snap)
    x, y = panel.particle_center(e)
    words = panel.tooltip_at((x + 1, y))
    assert words == "'e' sits closest to 'a', 'o' and 'i' — the model thinks they behave alike."
    assert panel.tooltip_at((RECT.right - 1, RECT.bottom - 1)) is None


def test_embedding_vocab_change_reseeds_and_keeps_drawing():
    panel = settled(EmbeddingsPanel(), make_snapshot(), 0.5)
    fewer = dataclasses.replace(make_snapshot(), vocab=VOCAB[:7], embedding_xy=frozen_array(np.zeros((7, 2)) + 0.3))
    more_chars = VOCAB + tuple("xyzXYZ")
    more = dataclasses.replace(make_snapshot(), vocab=more_chars,
                               embedding_xy=frozen_array(np.random.default_rng(1).uniform(-1, 1, (len(more_chars), 2))))
    for snap in (fewer, more, make_snapshot()):
        settled(panel, snap, 0.2)
        assert np.any(pixels(drawn(panel, snap), RECT) != theme.PANEL)
    mismatched = dataclasses.replace(make_snapshot(), embedding_xy=frozen_array(np.zeros((3, 2))))
    settled(panel, mismatched, 0.1)
    drawn(panel, mismatched)


# --- learned bigrams ---------------------------------------------------------------------------
def bigram_snapshot(probs: np.ndarray) -> Snapshot:
    return dataclasses.replace(make_snapshot(), bigram_probs=frozen_array(probs.astype(np.float32)))


def test_bigram_tiles_are_brighter_for_likelier_pairs():
    probs = np.full((16, 16), 0.01)
    probs[2, 3], probs[2, 4], probs[5, 6] = 0.9, 0.2, 0.05
    snap = bigram_snapshot(probs)
    panel = settled(BigramsPanel(), snap)
    surface = drawn(panel, snap)

    def lightness(row, col):
        tile = panel.tile_rect(row, col).inflate(-4, -4)
        return pixels(surface, tile).sum(axis=1).mean()

    assert lightness(2, 3) > lightness(2, 4) > lightness(5, 6) > lightness(0, 0)


def test_bigram_tiles_ease_towards_new_values():
    low, high = np.full((16, 16), 0.01), np.full((16, 16), 0.01)
    high[1, 1] = 0.95
    panel = settled(BigramsPanel(), bigram_snapshot(low))
    panel.update(bigram_snapshot(high), 1 / 60)
    surface = drawn(panel, bigram_snapshot(high))
    tile = panel.tile_rect(1, 1).inflate(-4, -4)
    halfway = pixels(surface, tile).sum(axis=1).mean()
    settled(panel, bigram_snapshot(high))
    done = pixels(drawn(panel, bigram_snapshot(high)), tile).sum(axis=1).mean()
    assert halfway < done * 0.8


def test_bigram_hover_gives_the_probability_in_words():
    chars = tuple("th e")
    probs = np.full((4, 4), 0.1)
    probs[0, 1] = 0.41
    probs[2, 3] = 0.004
    snap = dataclasses.replace(make_snapshot(), bigram_chars=chars, bigram_probs=frozen_array(probs))
    panel = settled(BigramsPanel(), snap, 0.1)
    drawn(panel, snap)
    assert panel.tooltip_at(panel.tile_rect(0, 1).center) == "After 't' the model gives 'h' a 41% chance."
    assert panel.tooltip_at(panel.tile_rect(2, 3).center) == "After a space the model gives 'e' less than a 1% chance."
    assert panel.tooltip_at((RECT.right - 1, RECT.bottom - 1)) is None


def test_bigram_sentences_are_drawn_beside_the_tiles():
    with_words = make_snapshot()
    without = dataclasses.replace(with_words, bigram_sentences=())
    right = pygame.Rect(RECT.x + RECT.width * 2 // 3, RECT.y + RECT.height // 3, RECT.width // 3, RECT.height // 3)
    ink = [np.any(pixels(drawn(settled(BigramsPanel(), s), s), right) != theme.PANEL, axis=1).sum()
           for s in (with_words, without)]
    assert ink[0] > ink[1] + 200


# --- attention ---------------------------------------------------------------------------------
def test_attention_arcs_use_head_colours_and_a_head_toggle_removes_its_colour():
    snap = make_snapshot(heads=4)
    panel = settled(AttentionPanel(), snap, 0.5)
    surface = drawn(panel, snap)
    arcs = pixels(surface, panel.arc_rect)
    for head in range(4):
        assert count_tinted(arcs, theme.HEAD_COLORS[head]) > 30, head
    assert panel.click(panel.head_chip_rect(0).center)
    surface = drawn(panel, snap)
    arcs = pixels(surface, panel.arc_rect)
    assert count_tinted(arcs, theme.HEAD_COLORS[0]) == 0
    assert count_tinted(arcs, theme.HEAD_COLORS[1]) > 30
    assert panel.click(panel.head_chip_rect(0).center)
    assert count_tinted(pixels(drawn(panel, snap), panel.arc_rect), theme.HEAD_COLORS[0]) > 30


def test_attention_arcs_pulse_gently():
    snap = make_snapshot()
    panel = settled(AttentionPanel(), snap, 0.5)
    frames = []
    for _ in range(4):
        frames.append(pixels(drawn(panel, snap), panel.arc_rect).sum())
        settled(panel, snap, 0.7)
    assert len(set(frames)) > 1
    assert max(frames) < 1.6 * min(frames)


def test_clicking_a_character_focuses_its_arcs_and_clicking_again_unfocuses():
    snap = make_snapshot()
    panel = settled(AttentionPanel(), snap, 0.5)
    everything = drawn(panel, snap)
    lit = np.abs(pixels(everything, panel.arc_rect) - theme.PANEL).sum(axis=1) > 120
    index = len(snap.attention_text) - 2
    assert panel.click(panel.char_center(index))
    assert panel.focus == index
    focused_lit = np.abs(pixels(drawn(panel, snap), panel.arc_rect) - theme.PANEL).sum(axis=1) > 120
    assert 0 < focused_lit.sum() < lit.sum() / 3          # the others fade
    assert panel.click(panel.char_center(index))
    assert panel.focus is None


def test_attention_hover_gives_words():
    snap = make_snapshot()
    panel = settled(AttentionPanel(), snap, 0.1)
    drawn(panel, snap)
    words = panel.tooltip_at(panel.char_center(5))
    assert words.startswith("'a' pays most attention to ")      # "the cat" -> index 5 is 'a'
    assert "characters back" in words or "just before it" in words
    assert "head" in panel.tooltip_at(panel.head_chip_rect(1).center).lower()


def test_attention_long_text_shows_the_last_characters_that_fit():
    text = "abcdefghij" * 12
    t = len(text)
    att = np.tril(np.ones((1, 2, t, t), np.float32))
    att /= att.sum(-1, keepdims=True)
    snap = dataclasses.replace(make_snapshot(), attention_text=text, attention=frozen_array(att))
    panel = settled(AttentionPanel(), snap, 0.1)
    drawn(panel, snap, rect=pygame.Rect(10, 10, 260, 150))
    assert panel.char_center(t - 1) is not None
    assert panel.char_center(0) is None
    last_x = panel.char_center(t - 1)[0]
    assert 10 < last_x <= 270


def test_attention_spread_evenly_draws_no_arcs_but_says_so():
    t = 24
    even = np.tril(np.ones((2, 4, t, t), np.float32))
    even /= even.sum(-1, keepdims=True)
    snap = dataclasses.replace(make_snapshot(), attention=frozen_array(even))
    panel = settled(AttentionPanel(), snap, 0.1)
    arcs = pixels(drawn(panel, snap), panel.arc_rect)
    assert all(count_tinted(arcs, theme.HEAD_COLORS[h]) == 0 for h in range(4))
    assert count_near(arcs, theme.MUTED, tolerance=30) > 20        # the sentence that explains it
