"""The main loop: events -> commands, budgeted training, snapshot, draw.

`App` is one window's worth of state; `App.tick(dt)` is one frame. The live loop (`run`) and the
offline renderer both drive it, so animation depends only on `dt`, never on the wall clock.
"""
from __future__ import annotations

import logging
import os
import time
from collections import deque

import pygame

from signet_arcade import commands as cmd
from signet_arcade import fonts
from signet_arcade.help_texts import HELP
from signet_arcade.media.screenshot import save_screenshot
from signet_arcade.scenes import theme, tooltips
from signet_arcade.scenes.attention_arcs import AttentionPanel
from signet_arcade.scenes.bigrams import BigramsPanel
from signet_arcade.scenes.controls import ArchitectureLimits, Controls, ControlState, make_manager
from signet_arcade.scenes.embeddings import EmbeddingsPanel
from signet_arcade.scenes.layout import compute_layout
from signet_arcade.scenes.loss_curve import LossCurvePanel
from signet_arcade.scenes.next_token import NextTokenPanel
from signet_arcade.scenes.panel import draw_frame
from signet_arcade.scenes.status_bar import StatusBar
from signet_arcade.scenes.text_sample import TextSamplePanel
from signet_arcade.session import Session
from signet_arcade.presets import list_presets

log = logging.getLogger(__name__)

MIN_WINDOW = (800, 480)        # the smallest window the layout is made for (a Pi touchscreen)
MAX_DT = 0.25                  # s: a stalled frame is not replayed as a jump in the animations
FRAME_MARGIN = 0.0005          # s of each frame left free for the clock's own timing
OVERHEAD_FRAMES = 31           # recent frames whose median time outside training sets the budget
MIN_TRAIN_SHARE = 0.3          # training always gets at least this share of a frame
MAX_TRAIN_SHARE = 0.85         # ...and never more, so drawing and input always get their turn
RATE_SMOOTHING = 0.9           # EMA weight of the past for the fps and steps/s figures


def _ema(old: float, new: float) -> float:
    return new if old == 0 else RATE_SMOOTHING * old + (1 - RATE_SMOOTHING) * new


class App:
    def __init__(self, settings):
        self.settings = settings
        if settings.headless:
            os.environ["SDL_VIDEODRIVER"] = "dummy"
            os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
        pygame.init()
        fonts.get.cache_clear()          # fonts from an earlier pygame.init() are dead now
        pygame.display.set_caption("Signet Arcade — watch a language model learn")
        flags = pygame.RESIZABLE | (pygame.FULLSCREEN if settings.fullscreen else 0)
        size = (0, 0) if settings.fullscreen else (settings.width, settings.height)
        self.screen = pygame.display.set_mode(size, flags)
        pygame.key.set_repeat(400, 35)

        self.session = Session(settings)
        self.commands: deque = deque()
        low_power = settings.profile == "pi"
        self.panels = [TextSamplePanel(low_power), LossCurvePanel(low_power), NextTokenPanel(low_power),
                       EmbeddingsPanel(low_power), BigramsPanel(low_power), AttentionPanel(low_power)]
        self.status = StatusBar()
        self.limits = ArchitectureLimits.from_settings(settings)
        snap = self.session.snapshot()
        self.control_state = ControlState(
            preset=snap.text_name, text_name=snap.text_name, text_length=snap.text_length,
            heads=snap.heads, layers=snap.layers, embed=snap.embed, context=snap.context,
            lr=snap.lr, temperature=snap.temperature, speed=snap.speed, running=snap.running,
            presets=[(p.name, p.description) for p in list_presets(settings.presets_dir)])

        self.time = 0.0               # seconds of animation: the sum of every tick's dt
        self.frames = 0
        self.steps = 0
        self.quit = False
        self.tooltip: str | None = None          # words shown in the bubble this frame
        self.tooltip_rect: pygame.Rect | None = None
        self._pinned_help: str | None = None     # a tapped "?" keeps its words until the next tap
        self._overheads: deque = deque([0.0], maxlen=OVERHEAD_FRAMES)   # s per frame outside training
        self._frame_is_full = False              # training used the whole frame's budget
        self._pending_size: tuple[int, int] | None = None
        self._help_rects: list[tuple[pygame.Rect, str]] = []
        self._build_ui(self.screen.get_size())

    # --- building and reflowing -------------------------------------------------------------
    def _build_ui(self, size: tuple[int, int]) -> None:
        self.layout = compute_layout(*size)
        # Cards and titles only change with the layout: drawn once, then one blit per frame.
        self._backdrop = pygame.Surface(size).convert()
        self._backdrop.fill(theme.BACKGROUND)
        self._content_rects, self._panel_help = [], []
        for panel, rect in zip(self.panels, self.layout.panels):
            content, help_rect = draw_frame(self._backdrop, rect, panel.title)
            self._content_rects.append(content)
            self._panel_help.append((help_rect, panel.help_key))
        sidebar = self.layout.sidebar
        radius = max(6, min(14, sidebar.height // 40))
        pygame.draw.rect(self._backdrop, theme.PANEL, sidebar, border_radius=radius)
        pygame.draw.rect(self._backdrop, theme.PANEL_EDGE, sidebar, width=1, border_radius=radius)
        self.manager = make_manager(size, self.layout.scale)
        self.controls = Controls(self.manager, sidebar.inflate(-2 * self.layout.gap, -2 * self.layout.gap),
                                 self.layout.scale, self.layout.compact, self.control_state, self.limits,
                                 self.send, self._tap_help)

    def _reflow(self) -> None:
        if self._pending_size is None:
            return
        size, self._pending_size = self._pending_size, None
        if size == self.screen.get_size() and size == self.layout.size:
            return
        if self.screen.get_size() != size:
            self.screen = pygame.display.set_mode(size, pygame.RESIZABLE)
        self.manager.clear_and_reset()
        self._build_ui(self.screen.get_size())

    # --- input ------------------------------------------------------------------------------
    def send(self, command) -> None:
        """Queue a Command for the session; applied at the start of the next frame."""
        self.commands.append(command)

    def handle_event(self, event: pygame.event.Event) -> None:
        """Everything a visitor does arrives here (a kiosk guard can sit in front of it)."""
        if event.type == pygame.QUIT:
            self.quit = True
            return
        if event.type == pygame.KEYDOWN and event.key == pygame.K_F12:
            self.save_screenshot(self.settings.screenshots_dir)
            return
        if event.type == pygame.VIDEORESIZE:
            self._pending_size = (max(MIN_WINDOW[0], event.w), max(MIN_WINDOW[1], event.h))
            return
        if event.type == pygame.WINDOWSIZECHANGED:
            self._pending_size = (max(MIN_WINDOW[0], event.x), max(MIN_WINDOW[1], event.y))
            return
        if event.type == pygame.DROPFILE:
            self.send(cmd.LoadTextFile(event.file))
            return
        if event.type == pygame.MOUSEBUTTONDOWN and event.button == 1 and self._help_at(event.pos) is None:
            self._pinned_help = None         # a tap anywhere else closes a pinned explanation
        if self.controls.intercept(event) or self.manager.process_events(event):
            return
        if self.controls.process_event(event):
            return
        if event.type == pygame.MOUSEBUTTONDOWN and event.button == 1:
            self._click(event.pos)

    def _help_at(self, pos: tuple[int, int]) -> str | None:
        return next((key for rect, key in self._help_rects if rect.collidepoint(pos)), None)

    def _tap_help(self, key: str, _rect: pygame.Rect | None = None) -> None:
        self._pinned_help = None if self._pinned_help == key else key

    def _click(self, pos: tuple[int, int]) -> None:
        key = self._help_at(pos)
        if key is not None:
            self._tap_help(key)
            return
        for panel, content in zip(self.panels, self._content_rects):
            if content.collidepoint(pos):
                panel.click(pos)
                return

    # --- one frame --------------------------------------------------------------------------
    def tick(self, dt: float, exact_steps: int | None = None) -> None:
        """One frame: apply commands, train (budgeted, or exactly `exact_steps`), draw."""
        frame_start = time.perf_counter()
        dt = min(max(dt, 0.0), MAX_DT)
        self._reflow()
        self.time += dt
        while self.commands:
            self.session.apply(self.commands.popleft())

        train_start = time.perf_counter()
        if exact_steps is None:
            steps = self.session.train(self.session.speed, self._training_budget())
            self._frame_is_full = self.session.running and steps < self.session.speed
        else:
            steps = self.session.train(exact_steps, None)
        train_time = time.perf_counter() - train_start
        self.steps += steps
        self.frames += 1
        if exact_steps is None:
            if dt > 0:
                self.session.fps = _ema(self.session.fps, 1 / dt)
                self.session.steps_per_s = _ema(self.session.steps_per_s, steps / dt)
        elif dt > 0:       # offline: figures from the fixed frame rate, the same on every machine
            self.session.fps, self.session.steps_per_s = 1 / dt, exact_steps / dt

        snap = self.session.snapshot(self.time)
        self.controls.sync(snap)
        self.manager.update(dt)
        self._draw(snap, dt)
        self._overheads.append(time.perf_counter() - frame_start - train_time)

    def _training_budget(self) -> float:
        """What is left of a frame once drawing and the rest have had their usual share (the
        median, so the odd frame that refreshes the costly introspection does not count)."""
        period = 1 / max(1, self.settings.fps)
        overhead = sorted(self._overheads)[len(self._overheads) // 2]
        share = (period - overhead - FRAME_MARGIN) / period
        return period * min(MAX_TRAIN_SHARE, max(MIN_TRAIN_SHARE, share))

    def _draw(self, snap, dt: float) -> None:
        screen = self.screen
        screen.blit(self._backdrop, (0, 0))
        clip = screen.get_clip()
        for panel, content in zip(self.panels, self._content_rects):
            panel.update(snap, dt)
            screen.set_clip(content)
            panel.draw(screen, content, snap)
        screen.set_clip(clip)
        self.status.draw(screen, self.layout.status, snap)
        self._help_rects = self._panel_help + self.status.help_targets + self.controls.help_targets()
        self.manager.draw_ui(screen)
        self._draw_tooltip()

    def _draw_tooltip(self) -> None:
        pos = pygame.mouse.get_pos()
        text = HELP.get(self._pinned_help) if self._pinned_help else None
        anchor = pos
        if text is not None:
            anchor = next((r.midbottom for r, k in self._help_rects if k == self._pinned_help), pos)
        else:
            text = self._hover_text(pos)
        self.tooltip = text
        self.tooltip_rect = tooltips.draw_tooltip(self.screen, text, anchor) if text else None

    def _hover_text(self, pos: tuple[int, int]) -> str | None:
        if not pygame.mouse.get_focused() and not self.settings.headless:
            return None
        key = self._help_at(pos)
        if key is not None:
            return HELP.get(key)
        for panel, content in zip(self.panels, self._content_rects):
            if content.collidepoint(pos):
                return panel.tooltip_at(pos)
        return None

    def save_screenshot(self, path_or_dir: str):
        return save_screenshot(self.screen, path_or_dir)

    def live_frame(self, clock: pygame.time.Clock) -> None:
        """One real-time frame: wait for the frame rate, handle input, tick, show.

        After a frame that training filled, the wait is a few hundred microseconds at most and
        is spun rather than slept: on a busy machine a sleeping process gets its core back late,
        and that lateness, every frame, cost a third of the training speed."""
        wait = clock.tick_busy_loop if self._frame_is_full else clock.tick
        dt = wait(self.settings.fps) / 1000
        for event in pygame.event.get():
            self.handle_event(event)
        self.tick(dt)
        pygame.display.flip()


def run(settings) -> int:
    """Open the window and run until closed (or for `settings.frames` frames)."""
    app = App(settings)
    clock = pygame.time.Clock()
    start = time.perf_counter()
    clock.tick()
    try:
        while not app.quit:
            app.live_frame(clock)
            if settings.frames and app.frames >= settings.frames:
                break
        elapsed = max(time.perf_counter() - start, 1e-9)
        if settings.screenshot:
            app.save_screenshot(settings.screenshot)
        if settings.frames:
            print(f"frames={app.frames} steps={app.steps} fps={app.frames / elapsed:.1f} "
                  f"steps_per_s={app.steps / elapsed:.1f}")
    finally:
        pygame.quit()
    return 0
