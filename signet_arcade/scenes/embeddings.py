"""Character embeddings: every character a glowing particle at its place in the 2-D projection.

Particles follow the projection on a damped spring, so when the model learns they glide to their
new places and settle with a slight bounce. Characters the model treats alike drift together.
"""
from __future__ import annotations

import numpy as np
import pygame

from signet_arcade import fonts
from signet_arcade.scenes import glyphs, theme
from signet_arcade.scenes.labels import LabelCache, draw_placeholder
from signet_arcade.scenes.panel import Panel, clipped_to, text_size
from signet_arcade.snapshot import Snapshot

SPRING_OMEGA = 2 * np.pi * 1.1     # rad/s: the particles' natural frequency
SPRING_DAMPING = 0.55              # below 1: a slight overshoot before they settle
MAX_SUBSTEP = 1 / 120              # s: small steps keep the spring stable at any frame rate
MAX_DT = 0.25                      # s: a long stall is not replayed as a violent jump
HOVER_MEMORY = 0.3                 # s: the hover highlight fades if nobody asks for a tooltip
NEIGHBOURS = 3
MAX_SPRITES = 1024
LEGEND = (("vowel", "vowel"), ("consonant", "consonant"), ("whitespace", "space"),
          ("punctuation", "punctuation"))


def _particle_disc(color: tuple, radius: int, halo: bool) -> pygame.Surface:
    """An antialiased disc (dark fill, bright rim) with an optional soft halo, as one sprite."""
    outer = int(radius * 2.3) if halo else radius + 1
    size = 2 * outer
    coords = np.arange(size, dtype=np.float32) + 0.5 - outer
    dist = np.hypot(coords[:, None], coords[None, :])                      # (size, size) pixels
    rim = max(1.5, radius / 6)
    glow = np.clip(1 - (dist - radius) / max(1, outer - radius), 0, 1) ** 2 * 0.38 if halo else 0 * dist
    layers = [  # bottom to top: (rgb, coverage (size, size))
        (color, glow),
        (theme.lerp(theme.PANEL, color, 0.22), np.clip(radius - dist + 0.5, 0, 1)),
        (color, np.clip(radius - dist + 0.5, 0, 1) * np.clip(dist - (radius - rim) + 0.5, 0, 1)),
    ]
    premul = np.zeros((size, size, 3), np.float32)
    alpha = np.zeros((size, size), np.float32)
    for rgb, cover in layers:   # "over" compositing with premultiplied colour
        premul = np.asarray(rgb, np.float32) * cover[..., None] + premul * (1 - cover[..., None])
        alpha = cover + alpha * (1 - cover)
    rgb = premul / np.maximum(alpha, 1e-6)[..., None]
    sprite = pygame.Surface((size, size), pygame.SRCALPHA)
    pygame.surfarray.pixels3d(sprite)[...] = np.clip(rgb + 0.5, 0, 255).astype(np.uint8)
    pygame.surfarray.pixels_alpha(sprite)[...] = np.clip(alpha * 255 + 0.5, 0, 255).astype(np.uint8)
    return sprite


def spread_out(xy: np.ndarray) -> np.ndarray:
    """(V,2) -> (V,2) in [-1,1]: the crowd in the middle opened up, far outliers drawn in.

    A projection is often one tight cluster plus a few loners that set the scale, which piles
    particles on top of each other. Per axis, typical distances from the median become the unit
    and a tanh brings outliers in; order along each axis is kept, so neighbours stay neighbours.
    """
    if len(xy) < 3:
        return np.clip(xy, -1, 1)
    offset = xy - np.median(xy, axis=0)                                             # (V,2)
    extent = np.abs(offset).max(axis=0)                                             # (2,)
    typical = np.maximum(np.percentile(np.abs(offset), 80, axis=0), 0.1 * extent)   # (2,)
    squashed = np.tanh(offset / np.maximum(typical, 1e-6))
    return (squashed / np.maximum(np.abs(squashed).max(axis=0), 1e-6)).astype(np.float32)


def _name_list(names: list[str]) -> str:
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " and " + names[-1]


def _capitalised(sentence: str) -> str:
    return sentence[:1].upper() + sentence[1:]


class EmbeddingsPanel(Panel):
    title = "Character embeddings"
    help_key = "embeddings"

    def __init__(self, low_power: bool = False) -> None:
        super().__init__(low_power)
        self._chars: tuple = ()
        self._raw_target = np.zeros((0, 2), np.float32)   # (V,2) as the snapshot gave it
        self._oriented = np.zeros((0, 2), np.float32)     # (V,2) sign-aligned with the last one
        self._target = np.zeros((0, 2), np.float32)       # (V,2) where the particles head: spread out
        self._pos = np.zeros((0, 2), np.float32)          # (V,2) where the particles are now
        self._vel = np.zeros((0, 2), np.float32)          # (V,2)
        self._screen_xy = np.zeros((0, 2), np.float32)    # (V,2) pixels, as last drawn
        self._radius = 0
        self._sprites: dict[tuple, pygame.Surface] = {}
        self._legend: pygame.Surface | None = None
        self._legend_key: tuple = ()
        self._labels = LabelCache()
        self._hover: int | None = None
        self._hover_age = HOVER_MEMORY

    # --- animation ------------------------------------------------------------------------------
    def update(self, snap: Snapshot, dt: float) -> None:
        chars, target = self._read(snap)
        if chars != self._chars:
            self._reseed(chars)
        if not np.array_equal(target, self._raw_target):
            self._raw_target = target
            self._oriented = self._aligned(target)
            self._target = spread_out(self._oriented)
        self._spring(min(max(dt, 0.0), MAX_DT))
        self._hover_age += max(dt, 0.0)

    @staticmethod
    def _read(snap: Snapshot) -> tuple[tuple, np.ndarray]:
        xy = np.asarray(snap.embedding_xy, dtype=np.float32)
        if xy.ndim != 2 or xy.shape[1] != 2:
            xy = np.zeros((0, 2), np.float32)
        n = min(len(snap.vocab), len(xy))
        xy = np.clip(np.nan_to_num(xy[:n]), -1.5, 1.5)
        return tuple(snap.vocab[:n]), xy

    def _reseed(self, chars: tuple) -> None:
        """New characters are born in the centre; characters we already had keep their motion."""
        old = {ch: i for i, ch in enumerate(self._chars)}
        pos = np.zeros((len(chars), 2), np.float32)
        vel = np.zeros((len(chars), 2), np.float32)
        target = np.zeros((len(chars), 2), np.float32)
        oriented = np.zeros((len(chars), 2), np.float32)
        for i, ch in enumerate(chars):
            if ch in old:
                j = old[ch]
                pos[i], vel[i], target[i], oriented[i] = self._pos[j], self._vel[j], self._target[j], self._oriented[j]
        self._chars, self._pos, self._vel, self._target, self._oriented = chars, pos, vel, target, oriented
        self._raw_target = np.full((len(chars), 2), np.nan, np.float32)   # forces a fresh target
        self._hover = None

    def _aligned(self, target: np.ndarray) -> np.ndarray:
        """A projection's axes have no preferred sign: flip an axis rather than mirror the cloud."""
        old = self._oriented - self._oriented.mean(0)
        new = target - target.mean(0)
        signs = np.where((old * new).sum(0) < 0, -1.0, 1.0).astype(np.float32)   # (2,)
        return target * signs

    def _spring(self, dt: float) -> None:
        if not len(self._pos) or dt <= 0:
            return
        steps = int(np.ceil(dt / MAX_SUBSTEP))
        h = dt / steps
        k, c = SPRING_OMEGA ** 2, 2 * SPRING_DAMPING * SPRING_OMEGA
        for _ in range(steps):   # semi-implicit Euler: stable for a stiff spring at small h
            self._vel += (k * (self._target - self._pos) - c * self._vel) * h
            self._pos += self._vel * h

    # --- drawing --------------------------------------------------------------------------------
    def draw(self, surface: pygame.Surface, rect: pygame.Rect, snap: Snapshot) -> None:
        with clipped_to(surface, rect):
            if not self._chars:
                self._screen_xy = np.zeros((0, 2), np.float32)
                draw_placeholder(surface, rect, "Each character will appear here as a glowing dot.")
                return
            plot = self._draw_legend(surface, rect)
            self._draw_particles(surface, plot)

    def _draw_legend(self, surface: pygame.Surface, rect: pygame.Rect) -> pygame.Rect:
        """Four coloured dots with their names along the bottom; returns the plot area above."""
        size = text_size(rect, 0.045, smallest=10, largest=30)
        if (rect.width, size) != self._legend_key:
            self._legend = self._render_legend(rect.width, size)
            self._legend_key = (rect.width, size)
        legend_top = rect.bottom - self._legend.get_height()
        surface.blit(self._legend, (rect.x, legend_top))
        return pygame.Rect(rect.x, rect.y, rect.width, legend_top - 2 - rect.y)

    def _render_legend(self, width: int, size: int) -> pygame.Surface:
        """One row of the four classes, or two rows when the panel is narrow."""
        dot, gap = max(4, int(size * 0.4)), int(size * 0.8)
        items = [(theme.CLASS_COLORS[cls], self._labels.get(name, "text", size, theme.MUTED)) for cls, name in LEGEND]

        def row_width(row):
            return sum(3 * dot + label.get_width() for _, label in row) + gap * (len(row) - 1)

        rows = [items] if row_width(items) <= width else [items[:2], items[2:]]
        line_h = int(size * 1.35)
        out = pygame.Surface((width, line_h * len(rows)), pygame.SRCALPHA)
        for y, row in zip(range(0, out.get_height(), line_h), rows):
            x = (width - row_width(row)) // 2
            for color, label in row:
                marker = _particle_disc(color, dot, halo=False)     # a tiny particle, antialiased
                out.blit(marker, marker.get_rect(center=(x + dot, y + line_h // 2)))
                x += 3 * dot
                out.blit(label, (x, y + (line_h - label.get_height()) // 2))
                x += label.get_width() + gap
        return out

    def _particle_radius(self, plot: pygame.Rect) -> int:
        crowd = 3.0 * np.sqrt(len(self._chars)) + 4
        return int(np.clip(min(plot.width, plot.height) / crowd, 8, 30))

    def _sprite(self, ch: str, radius: int) -> pygame.Surface:
        key = (ch, radius)
        sprite = self._sprites.get(key)
        if sprite is None:
            if len(self._sprites) > MAX_SPRITES:     # texts come and go for a year: stay bounded
                self._sprites.clear()
            color = theme.CLASS_COLORS[theme.char_class(ch)]
            sprite = _particle_disc(color, radius, halo=not self.low_power)
            glyph = glyphs.render(fonts.get("bold", int(radius * 1.2)), ch,
                                  theme.lerp(color, theme.TITLE, 0.65))
            sprite.blit(glyph, glyph.get_rect(center=(sprite.get_width() / 2, sprite.get_height() / 2)))
            self._sprites[key] = sprite
        return sprite

    def _draw_particles(self, surface: pygame.Surface, plot: pygame.Rect) -> None:
        radius = self._particle_radius(plot)
        if radius != self._radius:
            self._sprites.clear()
            self._radius = radius
        margin = radius * 1.8           # room for most of the halo, so the clip edge never shows
        span = np.array([max(1.0, plot.width - 2 * margin), max(1.0, plot.height - 2 * margin)], np.float32)
        # (V,2): x to the right, y up, [-1,1] filling the plot
        self._screen_xy = np.stack([plot.x + margin + (self._pos[:, 0] + 1) / 2 * span[0],
                                    plot.y + margin + (1 - self._pos[:, 1]) / 2 * span[1]], axis=1)
        hover = self._hover if self._hover_age < HOVER_MEMORY else None
        if hover is not None:
            self._draw_neighbour_lines(surface, hover)
        sprites = [self._sprite(ch, radius) for ch in self._chars]
        half = sprites[0].get_width() // 2                     # every sprite has the same size
        corners = (self._screen_xy.astype(np.int32) - half).tolist()
        blits = list(zip(sprites, corners))
        if hover is not None:                                 # the one being looked at comes on top
            blits.append(blits.pop(hover))
        surface.fblits(blits)
        if hover is not None:
            x, y = self._screen_xy[hover]
            pygame.draw.circle(surface, theme.TITLE, (int(x), int(y)), radius + 3, width=1)

    def _draw_neighbour_lines(self, surface: pygame.Surface, index: int) -> None:
        color = theme.lerp(theme.PANEL, theme.CLASS_COLORS[theme.char_class(self._chars[index])], 0.7)
        start = self._screen_xy[index].tolist()
        for j in self._neighbours(index):
            pygame.draw.aaline(surface, color, start, self._screen_xy[j].tolist())

    def particle_center(self, index: int) -> tuple[int, int] | None:
        """Where character `index` of the vocabulary was last drawn."""
        if not 0 <= index < len(self._screen_xy):
            return None
        x, y = self._screen_xy[index]
        return int(x), int(y)

    # --- words ----------------------------------------------------------------------------------
    def _neighbours(self, index: int) -> list[int]:
        """The characters nearest to `index` in the model's projection (before it is spread out)."""
        dist = np.hypot(*(self._oriented - self._oriented[index]).T)     # (V,)
        dist[index] = np.inf
        return [int(j) for j in np.argsort(dist, kind="stable")[:NEIGHBOURS] if np.isfinite(dist[j])]

    def _particle_at(self, pos: tuple[int, int]) -> int | None:
        if not len(self._screen_xy):
            return None
        dist = np.hypot(*(self._screen_xy - np.asarray(pos, np.float32)).T)
        nearest = int(np.argmin(dist))
        return nearest if dist[nearest] <= self._radius * 1.25 else None

    def tooltip_at(self, pos: tuple[int, int]) -> str | None:
        index = self._particle_at(pos)
        self._hover, self._hover_age = index, 0.0
        if index is None:
            return None
        me = glyphs.describe(self._chars[index])
        near = self._neighbours(index)
        if not near:
            return _capitalised(f"{me} is the only character so far.")
        names = _name_list([glyphs.describe(self._chars[j]) for j in near])
        return _capitalised(f"{me} sits closest to {names} — the model thinks they behave alike.")
