"""The loss curve: raw loss (a muted band), the smoothed trend (blue), and the counting-pairs bar.

The chart is rendered into a cached surface whenever the snapshot's loss arrays or the size
change (a few times a second); each frame only blits it and animates the pulsing end point and
the celebration when the model beats the bigram baseline.
"""
from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
import pygame

from signet_arcade import fonts
from signet_arcade.scenes import theme
from signet_arcade.scenes.labels import draw_placeholder
from signet_arcade.scenes.panel import Panel, clipped_to, text_size
from signet_arcade.snapshot import Snapshot

PLACEHOLDER = "The loss curve appears once training starts"
BASELINE_LABEL = "counting pairs"
CELEBRATION = "better than counting pairs!"
CELEBRATE_FADE_S = 0.8


def nice_ticks(lo: float, hi: float, max_ticks: int) -> list[float]:
    """Round tick values (1, 2 or 5 times a power of ten apart) covering [lo, hi]."""
    span = hi - lo
    if not (math.isfinite(span) and span > 0):
        return [lo]
    raw_step = span / max(1, max_ticks)
    power = 10 ** math.floor(math.log10(raw_step))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw_step)
    first = math.ceil(lo / step - 1e-9) * step
    return [first + i * step for i in range(int((hi - first) / step + 1e-9) + 1)]


def step_label(step: float) -> str:
    """'800', '1,200', '12k', '1.5M': short enough to sit under an axis tick."""
    if step >= 1_000_000:
        return f"{step / 1_000_000:.3g}M"
    if step >= 10_000:
        return f"{step / 1000:.3g}k"
    return f"{int(step):,}"


def beats_baseline(snap: Snapshot) -> bool:
    """True when the latest smoothed loss is below the counting-pairs baseline."""
    if snap.baseline_loss is None or not math.isfinite(snap.baseline_loss):
        return False
    smooth = np.asarray(snap.loss_smooth, dtype=np.float64)
    finite = smooth[np.isfinite(smooth)]
    return finite.size > 0 and finite[-1] < snap.baseline_loss


class _Chart:
    """One rendering of the curve for one size, plus where the last point sits."""

    def __init__(self, snap: Snapshot, size: tuple[int, int], with_glow: bool):
        self.surface = pygame.Surface(size, pygame.SRCALPHA)
        self.end_point: tuple[int, int] | None = None
        self.plot: pygame.Rect | None = None
        self.baseline_y: int | None = None
        self.label_above = True
        self.font_size = text_size(pygame.Rect((0, 0), size), 0.075, 10, 32)
        steps = np.asarray(snap.loss_steps, dtype=np.float64)
        raw = np.asarray(snap.loss_values, dtype=np.float64)
        smooth = np.asarray(snap.loss_smooth, dtype=np.float64)
        n = min(len(steps), len(raw))
        steps, raw = steps[:n], raw[:n]
        smooth = smooth[:n] if len(smooth) >= n else np.full(n, np.nan)
        raw_ok = np.isfinite(steps) & np.isfinite(raw)
        smooth_ok = np.isfinite(steps) & np.isfinite(smooth)
        baseline = snap.baseline_loss if snap.baseline_loss is not None and math.isfinite(snap.baseline_loss) else None
        self.header_h = self._draw_header(snap, raw, raw_ok, smooth, smooth_ok)
        plot = self._axes(steps[raw_ok | smooth_ok], raw[raw_ok], smooth[smooth_ok], baseline)
        if plot is None:
            return
        self._draw_raw(steps[raw_ok], raw[raw_ok])
        self._draw_smooth(steps[smooth_ok], smooth[smooth_ok], with_glow)
        if baseline is not None:
            self._draw_baseline(baseline)

    # --- pieces --------------------------------------------------------------------------------
    def _draw_header(self, snap, raw, raw_ok, smooth, smooth_ok) -> int:
        font = fonts.get("text", self.font_size)
        latest = smooth[smooth_ok][-1] if smooth_ok.any() else (raw[raw_ok][-1] if raw_ok.any() else None)
        words = [(f"step {snap.step:,}", theme.TEXT)]
        if latest is not None:
            words.append((f"   loss {latest:.2f}", theme.LOSS_SMOOTH))
        x = 0
        for text, color in words:
            label = font.render(text, True, color)
            self.surface.blit(label, (x, 0))
            x += label.get_width()
        return font.get_linesize() + self.font_size // 3

    def _axes(self, steps, raw, smooth, baseline) -> pygame.Rect | None:
        """Grid, tick labels and the plot rectangle; None when there is no room or no data."""
        w, h = self.surface.get_size()
        font = fonts.get("text", max(9, self.font_size - 2))
        tick_h = font.get_linesize()
        if len(steps) == 0 or h - self.header_h < 3 * tick_h or w < 60:
            return None
        values = np.concatenate([raw, smooth, [baseline] if baseline is not None else []])
        top = float(max(np.percentile(values, 99.5), smooth.max() if len(smooth) else 0.0,
                        baseline or 0.0))
        x_lo, x_hi = float(steps.min()), float(steps.max())
        if x_lo <= 0.1 * x_hi:                          # a history from (nearly) the start: show step 0
            x_lo = min(x_lo, 0.0)
        x_hi = max(x_hi, x_lo + 1.0)
        y_max = max(top, 1e-3)
        y_ticks = nice_ticks(0.0, y_max, max(2, min(5, (h - self.header_h) // (2 * tick_h))))
        if y_ticks[-1] < y_max:
            y_ticks.append(y_ticks[-1] + (y_ticks[1] - y_ticks[0] if len(y_ticks) > 1 else y_max))
        self.y_max = y_ticks[-1]
        y_labels = [font.render(f"{t:g}", True, theme.MUTED) for t in y_ticks]
        left = max(label.get_width() for label in y_labels) + self.font_size // 2
        end_room = max(4, self.font_size // 2)          # the pulsing end point must not be cut
        self.plot = plot = pygame.Rect(left, self.header_h + tick_h // 2, w - left - end_room,
                                       h - self.header_h - tick_h // 2 - tick_h - 2)
        self.x_lo, self.x_hi = x_lo, x_hi
        for t, label in zip(y_ticks, y_labels):
            y = self._y(t)
            pygame.draw.line(self.surface, theme.GRID, (plot.left, y), (plot.right, y))
            self.surface.blit(label, label.get_rect(midright=(left - self.font_size // 4, y)))
        widest = font.size(step_label(x_hi))[0]
        # at least two ticks: with one, a round step can overshoot the span and leave only "0"
        for t in nice_ticks(x_lo, x_hi, max(2, min(6, plot.width // (widest * 3)))):
            x = self._x(t)
            pygame.draw.line(self.surface, theme.GRID, (x, plot.bottom), (x, plot.bottom + 3))
            label = font.render(step_label(t), True, theme.MUTED)
            self.surface.blit(label, label.get_rect(midtop=(x, plot.bottom + 3)).clamp(self.surface.get_rect()))
        return plot

    def _x(self, step):
        return self.plot.left + (np.asarray(step) - self.x_lo) / (self.x_hi - self.x_lo) * (self.plot.width - 1)

    def _y(self, loss):
        clipped = np.clip(np.asarray(loss, dtype=np.float64), 0.0, self.y_max)
        return self.plot.bottom - clipped / self.y_max * (self.plot.height - 1)

    def _draw_raw(self, steps, raw) -> None:
        """Few points: a thin line. Many points: a band from each pixel column's min to max,
        which keeps every spike visible without drawing thousands of segments."""
        if len(raw) == 0:
            return
        xs, ys = self._x(steps), self._y(raw)
        color = theme.lerp(theme.PANEL, theme.LOSS_RAW, 0.55)
        if len(raw) <= self.plot.width:
            if len(raw) > 1:
                pygame.draw.aalines(self.surface, color, False, list(zip(xs, ys)))
            return
        column = (xs - self.plot.left).astype(np.int64)                     # (n,)
        if np.any(np.diff(column) < 0):                                    # history is normally in order
            order = np.argsort(column, kind="stable")
            column, ys = column[order], ys[order]
        starts = np.flatnonzero(np.diff(column, prepend=-1))               # (columns used,) first point of each
        cols = (self.plot.left + column[starts]).tolist()
        lowest = np.minimum.reduceat(ys, starts).tolist()
        highest = (np.maximum.reduceat(ys, starts) + 1).tolist()
        outline = list(zip(cols, lowest)) + list(zip(cols[::-1], highest[::-1]))
        pygame.draw.polygon(self.surface, color, outline)

    def _draw_smooth(self, steps, smooth, with_glow: bool) -> None:
        if len(smooth) == 0:
            return
        xs, ys = self._x(steps), self._y(smooth)
        if len(xs) > self.plot.width:                                      # one point per pixel column
            pick = np.unique((xs - self.plot.left).astype(np.int64), return_index=True)[1]
            pick[-1] = len(xs) - 1
            xs, ys = xs[pick], ys[pick]
        points = list(zip(xs.tolist(), ys.tolist()))
        self.end_point = (int(xs[-1]), int(ys[-1]))
        if len(points) < 2:
            return
        width = max(2, self.font_size // 6)
        fill = pygame.Surface(self.surface.get_size(), pygame.SRCALPHA)
        pygame.draw.polygon(fill, (*theme.LOSS_SMOOTH, 26),
                            points + [(xs[-1], self.plot.bottom), (xs[0], self.plot.bottom)])
        if with_glow:
            pygame.draw.lines(fill, (*theme.LOSS_SMOOTH, 60), False, points, width * 4)
        self.surface.blit(fill, (0, 0))
        pygame.draw.lines(self.surface, theme.LOSS_SMOOTH, False, points, width)

    def _draw_baseline(self, baseline: float) -> None:
        """The dotted line; its words are drawn live (they turn into a cheer) on whichever side
        of the line the curve's end is not."""
        y = int(self._y(baseline))
        dash = max(4, self.font_size // 2)
        for x in range(self.plot.left, self.plot.right, dash * 2):
            pygame.draw.line(self.surface, theme.BASELINE, (x, y), (min(x + dash, self.plot.right), y),
                             max(1, self.font_size // 10))
        self.baseline_y = y
        self.label_above = self.end_point is None or self.end_point[1] >= y


class LossCurvePanel(Panel):
    title = "Loss"
    help_key = "loss"

    def __init__(self, low_power: bool = False):
        super().__init__(low_power)
        self._chart: _Chart | None = None
        self._chart_key: tuple = ()
        self._clock = 0.0
        self._celebrate = 0.0           # 0..1, eased, so the celebration fades in and out

    def update(self, snap: Snapshot, dt: float) -> None:
        dt = max(0.0, dt)
        self._clock += dt
        target = 1.0 if beats_baseline(snap) else 0.0
        change = dt / CELEBRATE_FADE_S
        self._celebrate = min(max(target, self._celebrate - change), self._celebrate + change)

    def draw(self, surface: pygame.Surface, rect: pygame.Rect, snap: Snapshot) -> None:
        rect = pygame.Rect(rect)
        if rect.width < 4 or rect.height < 4:
            return
        with clipped_to(surface, rect):
            if len(snap.loss_values) == 0:
                self._chart = None
                draw_placeholder(surface, rect, PLACEHOLDER)
            else:
                chart = self._chart_for(snap, rect.size)
                surface.blit(chart.surface, rect.topleft)
                self._draw_live_parts(surface, rect, chart)

    def _chart_for(self, snap: Snapshot, size: tuple[int, int]) -> _Chart:
        key = (snap.loss_steps, snap.loss_values, snap.loss_smooth, snap.baseline_loss, snap.step, size)
        if self._chart is None or not _same_key(key, self._chart_key):
            self._chart = _Chart(snap, size, with_glow=not self.low_power)
            self._chart_key = key
        return self._chart

    def _draw_live_parts(self, surface: pygame.Surface, rect: pygame.Rect, chart: _Chart) -> None:
        if chart.end_point is not None:
            x, y = rect.x + chart.end_point[0], rect.y + chart.end_point[1]
            r = max(3, chart.font_size // 4)
            if not self.low_power:
                pulse = 0.5 + 0.5 * math.sin(self._clock * 2 * math.pi / 1.6)
                pygame.draw.circle(surface, theme.lerp(theme.PANEL, theme.LOSS_SMOOTH, 0.25 + 0.2 * pulse),
                                   (x, y), int(r * (1.8 + 0.6 * pulse)))
            pygame.draw.circle(surface, theme.TITLE, (x, y), r)
        if chart.baseline_y is not None and chart.plot is not None:
            self._draw_baseline_words(surface, rect, chart)

    def _draw_baseline_words(self, surface: pygame.Surface, rect: pygame.Rect, chart: _Chart) -> None:
        """'counting pairs' beside the dotted line, cross-fading to the cheer once it is beaten."""
        plot = chart.plot.move(rect.topleft)
        y = rect.y + chart.baseline_y
        for text, color, bold, alpha in ((BASELINE_LABEL, theme.BASELINE, False, 1.0 - self._celebrate),
                                         (CELEBRATION, theme.CELEBRATE, True, self._celebrate)):
            if alpha <= 0.01:
                continue
            badge = _badge(text, color, bold, chart.font_size - (0 if bold else 2), plot.width)
            badge.set_alpha(int(255 * alpha))
            place = badge.get_rect(right=plot.right)
            if chart.label_above:
                place.bottom = y - 2
            else:
                place.top = y + 2
            surface.blit(badge, place.clamp(plot))


@lru_cache(maxsize=16)
def _badge(text: str, color: tuple, bold: bool, size: int, max_width: int) -> pygame.Surface:
    """Words on a dark, rounded backing, so they read even over the curve; the font shrinks
    until the badge fits `max_width`."""
    size = max(9, size)
    font = fonts.get("bold" if bold else "text", size)
    while size > 9 and font.size(text)[0] + size > max_width:
        size -= 1
        font = fonts.get("bold" if bold else "text", size)
    label = font.render(text, True, color)
    pad = max(3, size // 3)
    badge = pygame.Surface((label.get_width() + 2 * pad, label.get_height() + pad // 2), pygame.SRCALPHA)
    pygame.draw.rect(badge, (*theme.PANEL, 215), badge.get_rect(), border_radius=pad)
    if bold:
        pygame.draw.rect(badge, theme.lerp(theme.PANEL, color, 0.35), badge.get_rect(), width=1, border_radius=pad)
    badge.blit(label, (pad, pad // 4))
    return badge


def _same_key(a: tuple, b: tuple) -> bool:
    """Arrays are compared by identity (a new snapshot brings new arrays), the rest by value."""
    return len(a) == len(b) and all(
        x is y or (not isinstance(x, np.ndarray) and not isinstance(y, np.ndarray) and x == y)
        for x, y in zip(a, b))
