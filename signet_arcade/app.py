"""The main loop: events -> commands, budgeted training, snapshot, draw.

`App` is one window's worth of state; `App.tick(dt)` is one frame. The live loop (`run`) and the
offline renderer both drive it, so animation depends only on `dt`, never on the wall clock. Kiosk
mode (idle timer, attract demo, exit gesture) and recording keep real time through `App.clock`.

A watchdog guards every part of a frame: an exception is logged to the rotating log file, that
part is reset, and the app goes on. Nothing escapes `tick` or `handle_event`.
"""
from __future__ import annotations

import logging
import os
import time
from collections import deque
from typing import Callable

import pygame

from signet_arcade import commands as cmd
from signet_arcade import fonts
from signet_arcade.help_texts import HELP
from signet_arcade.kiosk.mode import KioskMode
from signet_arcade.kiosk.watchdog import Watchdog, setup_logging
from signet_arcade.media.live import SCREENSHOT_KEY, LiveRecording
from signet_arcade.media.screenshot import save_screenshot
from signet_arcade.nn import GPTConfig
from signet_arcade.scenes import theme, tooltips
from signet_arcade.scenes.attention_arcs import AttentionPanel
from signet_arcade.scenes.bigrams import BigramsPanel
from signet_arcade.scenes.controls import ArchitectureLimits, Controls, ControlState, make_manager
from signet_arcade.scenes.embeddings import EmbeddingsPanel
from signet_arcade.scenes.kiosk_overlay import draw_attract_caption, draw_exit_progress
from signet_arcade.scenes.layout import compute_layout
from signet_arcade.scenes.loss_curve import LossCurvePanel
from signet_arcade.scenes.next_token import NextTokenPanel
from signet_arcade.scenes.panel import draw_frame
from signet_arcade.scenes.status_bar import StatusBar
from signet_arcade.scenes.text_sample import TextSamplePanel
from signet_arcade.session import Session
from signet_arcade.snapshot import Snapshot
from signet_arcade.presets import list_presets

log = logging.getLogger(__name__)

MIN_WINDOW = (800, 480)        # the smallest window the layout is made for (a Pi touchscreen)
MAX_DT = 0.25                  # s: a stalled frame is not replayed as a jump in the animations
FRAME_MARGIN = 0.0005          # s of each frame left free for the clock's own timing
OVERHEAD_FRAMES = 31           # recent frames whose median time outside training sets the budget
MIN_TRAIN_SHARE = 0.3          # training always gets at least this share of a frame
MAX_TRAIN_SHARE = 0.85         # ...and never more, so drawing and input always get their turn
RATE_SMOOTHING = 0.9           # EMA weight of the past for the fps and steps/s figures
PANEL_CLASSES = (TextSamplePanel, LossCurvePanel, NextTokenPanel, EmbeddingsPanel, BigramsPanel,
                 AttentionPanel)         # in layout.PANEL_NAMES order
GIVE_UP_AFTER = 3              # training failures in a row before the demo text is brought back

TRAINING_RESTARTED = ("Something went wrong while the model was learning, so it started again "
                      "from scratch.")
TRAINING_GAVE_UP = ("Something kept going wrong while the model was learning, so it went back to "
                    "'{preset}'. Press Train to start again.")


def _ema(old: float, new: float) -> float:
    return new if old == 0 else RATE_SMOOTHING * old + (1 - RATE_SMOOTHING) * new


def _open_window(settings) -> tuple[pygame.Surface, bool]:
    """The window, and whether its size is fixed (fullscreen: resizing never changes the mode)."""
    if settings.kiosk and not settings.headless:
        # The display's own resolution, set explicitly: (0, 0) may keep a smaller desktop mode.
        sizes = pygame.display.get_desktop_sizes()
        size = sizes[0] if sizes else (settings.width, settings.height)
        return pygame.display.set_mode(size, pygame.FULLSCREEN), True
    if settings.fullscreen and not settings.headless:
        return pygame.display.set_mode((0, 0), pygame.FULLSCREEN), True
    return pygame.display.set_mode((settings.width, settings.height), pygame.RESIZABLE), False


def friendly_architecture(start: GPTConfig, limits: ArchitectureLimits) -> cmd.SetArchitecture:
    """The model attract mode returns to: the starting one, within what the curator lets a visitor
    choose, its embedding still split evenly between the heads."""
    heads = min(start.heads, limits.max_heads)
    embed = max(heads, min(start.embed, limits.max_embed) // heads * heads)
    return cmd.SetArchitecture(heads=heads, layers=min(start.layers, limits.max_layers), embed=embed,
                               context=min(start.context, limits.max_context))


class App:
    def __init__(self, settings, clock: Callable[[], float] = time.monotonic):
        """`clock` gives real seconds to kiosk mode and recording (tests pass a fake one)."""
        self.settings = settings
        self.clock = clock
        self.watchdog = Watchdog(setup_logging(settings.log_dir))
        if settings.headless:
            os.environ["SDL_VIDEODRIVER"] = "dummy"
            os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
        pygame.init()
        fonts.get.cache_clear()          # fonts from an earlier pygame.init() are dead now
        pygame.display.set_caption("Signet Arcade — watch a language model learn")
        self.screen, self._fixed_size = _open_window(settings)
        pygame.key.set_repeat(400, 35)

        self.session = Session(settings)
        self.commands: deque = deque()
        self.panels = [cls(self._low_power) for cls in PANEL_CLASSES]
        self.status = StatusBar()
        self.limits = ArchitectureLimits.from_settings(settings)
        self.media = LiveRecording.from_settings(settings, clock=clock)
        snap = self._last_snapshot = self.session.snapshot()
        self.control_state = ControlState(
            preset=snap.text_name, text_name=snap.text_name, text_length=snap.text_length,
            heads=snap.heads, layers=snap.layers, embed=snap.embed, context=snap.context,
            lr=snap.lr, temperature=snap.temperature, speed=snap.speed, running=snap.running,
            presets=[(p.name, p.description) for p in list_presets(settings.presets_dir)])
        self.kiosk = self._new_kiosk() if settings.kiosk else None
        self.caption: str | None = None          # attract mode's invitation on screen, if any
        self._caption_fade = 0.0
        self._exit_progress = 0.0                # 0..1 of the operator's exit hold
        self._cursor_visible = True
        self._training_failures = 0              # in a row; reset by a frame that trains cleanly

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
        self.watchdog.log.info("started: %dx%d, kiosk %s, profile %s", *self.screen.get_size(),
                               "on" if settings.kiosk else "off", settings.profile)

    @property
    def _low_power(self) -> bool:
        return self.settings.profile == "pi"

    # --- building and reflowing -------------------------------------------------------------
    def _build_ui(self, size: tuple[int, int]) -> None:
        self.layout = compute_layout(*size)
        self._panels_area = self.layout.panels[0].unionall(self.layout.panels[1:])
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
        self._build_controls()

    def _build_controls(self) -> None:
        layout = self.layout
        self.controls = Controls(self.manager, layout.sidebar.inflate(-2 * layout.gap, -2 * layout.gap),
                                 layout.scale, layout.compact, self.control_state, self.limits,
                                 self.send, self._tap_help,
                                 on_record=self._toggle_recording if self.settings.recording_allowed else None)
        self.controls.show_recording(self.media.recording, self.media.button_label)

    def _reflow(self) -> None:
        if self._pending_size is None:
            return
        size, self._pending_size = self._pending_size, None
        if self._fixed_size:
            size = self.screen.get_size()        # fullscreen: the display decides, not the event
        if size == self.screen.get_size() and size == self.layout.size:
            return
        if self.screen.get_size() != size:
            self.screen = pygame.display.set_mode(size, pygame.RESIZABLE)
        self._rebuild_ui()

    def _rebuild_ui(self) -> None:
        """Fresh widgets at the current size (after a resize, or to recover from an error in them)."""
        self.manager.clear_and_reset()
        self._build_ui(self.screen.get_size())

    # --- input ------------------------------------------------------------------------------
    def send(self, command) -> None:
        """Queue a Command for the session; applied at the start of the next frame."""
        self.commands.append(command)

    def handle_event(self, event: pygame.event.Event) -> None:
        """Everything a visitor does arrives here; in kiosk mode the kiosk's guard sees it first."""
        self.watchdog.guard("input", lambda: self._handle_event(event), self._rebuild_ui)

    def _handle_event(self, event: pygame.event.Event) -> None:
        if self.kiosk is not None and not self.kiosk.let_through(event, self.clock()):
            return
        if event.type == pygame.QUIT:
            self.quit = True
            return
        if self._screenshots_blocked(event) or self.media.handle_event(event):
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

    def _screenshots_blocked(self, event: pygame.event.Event) -> bool:
        """A kiosk that forbids recording takes no screenshots either: visitors must not be
        able to fill its disk."""
        return (self.kiosk is not None and not self.settings.recording_allowed
                and event.type == pygame.KEYDOWN and event.key == SCREENSHOT_KEY)

    def _toggle_recording(self) -> None:
        self.media.toggle(self.screen.get_size())

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
        """One frame: kiosk, apply commands, train (budgeted, or exactly `exact_steps`), draw."""
        self.watchdog.guard("the frame", lambda: self._tick(dt, exact_steps), self._rebuild_ui)

    def _tick(self, dt: float, exact_steps: int | None) -> None:
        frame_start = time.perf_counter()
        dt = min(max(dt, 0.0), MAX_DT)
        self._reflow()
        self.time += dt
        if self.kiosk is not None:
            self.watchdog.guard("kiosk mode", self._run_kiosk, self._restart_kiosk)
        while self.commands:
            self.session.apply(self.commands.popleft())

        train_start = time.perf_counter()
        steps = self.watchdog.guard("training", lambda: self._train(exact_steps), self._restart_training)
        if steps is None:
            steps = 0
        else:
            self._training_failures = 0
        train_time = time.perf_counter() - train_start
        self.steps += steps
        self.frames += 1
        if exact_steps is None:
            if dt > 0:
                self.session.fps = _ema(self.session.fps, 1 / dt)
                self.session.steps_per_s = _ema(self.session.steps_per_s, steps / dt)
        elif dt > 0:       # offline: figures from the fixed frame rate, the same on every machine
            self.session.fps, self.session.steps_per_s = 1 / dt, exact_steps / dt

        snap = self.watchdog.guard("the training snapshot", lambda: self.session.snapshot(self.time),
                                   self._restart_training) or self._last_snapshot
        self._last_snapshot = snap
        self.watchdog.guard("the controls", lambda: self._update_controls(snap, dt), self._rebuild_ui)
        self._draw(snap, dt)
        self._overheads.append(time.perf_counter() - frame_start - train_time)

    def _train(self, exact_steps: int | None) -> int:
        if exact_steps is not None:
            return self.session.train(exact_steps, None)
        steps = self.session.train(self.session.speed, self._training_budget())
        self._frame_is_full = self.session.running and steps < self.session.speed
        return steps

    def _update_controls(self, snap: Snapshot, dt: float) -> None:
        self.controls.sync(snap)
        self.controls.show_recording(self.media.recording, self.media.button_label)
        self.manager.update(dt)
        # pygame_gui 0.6 keeps the rect of every widget ever removed (each drop-down opened, each
        # rebuild) in a list nothing reads: emptied here, or a year-long kiosk grows without end.
        self.manager.get_sprite_group().lostsprites.clear()

    # --- kiosk mode -------------------------------------------------------------------------
    def _run_kiosk(self) -> None:
        kiosk, now = self.kiosk, self.clock()
        was_demo = kiosk.attract.active
        for command in kiosk.update(now):
            self.send(command)
        if kiosk.attract.active and not was_demo:
            self._greet_next_visitor()
        if kiosk.should_exit(now):
            self.watchdog.log.info("the operator's exit gesture was held: quitting")
            self.quit = True
        visible = kiosk.cursor_visible(now)
        if visible != self._cursor_visible:
            pygame.mouse.set_visible(visible)
            self._cursor_visible = visible
        self.caption, self._caption_fade = kiosk.caption(now), kiosk.caption_fade(now)
        self._exit_progress = kiosk.exit.progress(now)

    def _greet_next_visitor(self) -> None:
        """Attract mode begins: forget the last visitor's typing, open menus and pinned help."""
        self.control_state.draft = ""
        self._pinned_help = None
        # The same manager, its theme and fonts kept: a new one costs megabytes of churn each time.
        self.manager.clear_and_reset()
        self._build_controls()

    def _new_kiosk(self) -> KioskMode:
        return KioskMode(self.settings, list_presets(self.settings.presets_dir), self.clock(),
                         architecture=self._friendly_architecture())

    def _restart_kiosk(self) -> None:
        self.kiosk = self._new_kiosk()

    def _friendly_architecture(self) -> cmd.SetArchitecture:
        return friendly_architecture(self.session.starting_config(), self.limits)

    # --- the watchdog's resets --------------------------------------------------------------
    def _restart_training(self) -> None:
        """The model from scratch on the same text; if that keeps failing, the starting text and
        model, paused, so a broken text or setting cannot fail every frame for ever."""
        self._training_failures += 1
        if self._training_failures < GIVE_UP_AFTER:
            self.session.apply(cmd.Reset())
            words = TRAINING_RESTARTED
        else:
            self.session.apply(cmd.Pause())
            self.session.apply(cmd.SetPreset(self.settings.preset))
            self.session.apply(self._friendly_architecture())
            words = TRAINING_GAVE_UP.format(preset=self.session.text_name)
        self.session.notice, self.session.notice_is_warning = words, True

    def _reset_panel(self, index: int) -> None:
        self.panels[index] = type(self.panels[index])(self._low_power)

    def _reset_status(self) -> None:
        self.status = StatusBar()

    def _forget_help(self) -> None:
        self._pinned_help = None

    def _restart_media(self) -> None:
        try:
            self.media.close()
        finally:
            self.media = LiveRecording.from_settings(self.settings, clock=self.clock)

    def _training_budget(self) -> float:
        """What is left of a frame once drawing and the rest have had their usual share (the
        median, so the odd frame that refreshes the costly introspection does not count)."""
        period = 1 / max(1, self.settings.fps)
        overhead = sorted(self._overheads)[len(self._overheads) // 2]
        share = (period - overhead - FRAME_MARGIN) / period
        return period * min(MAX_TRAIN_SHARE, max(MIN_TRAIN_SHARE, share))

    def _draw(self, snap, dt: float) -> None:
        screen = self.screen
        guard = self.watchdog.guard
        screen.blit(self._backdrop, (0, 0))
        clip = screen.get_clip()
        for i, content in enumerate(self._content_rects):
            panel = self.panels[i]
            screen.set_clip(content)
            guard(f"the {panel.title} panel", lambda: self._draw_panel(panel, content, snap, dt),
                  lambda: self._reset_panel(i))
        screen.set_clip(clip)
        guard("the status line", lambda: self.status.draw(screen, self.layout.status, snap, self.time),
              self._reset_status)
        self._help_rects = self._panel_help + self.status.help_targets + self.controls.help_targets()
        guard("the controls", lambda: self.manager.draw_ui(screen), self._rebuild_ui)
        if self.caption:
            draw_attract_caption(screen, self._panels_area, self.caption, self._caption_fade, self.time)
            self.tooltip = self.tooltip_rect = None
        else:
            guard("the tooltip", self._draw_tooltip, self._forget_help)
        # Captured before the overlay: recordings and screenshots never show the REC badge.
        guard("recording", lambda: self._capture_and_overlay(screen), self._restart_media)
        if self._exit_progress > 0:
            draw_exit_progress(screen, self._exit_progress)

    def _draw_panel(self, panel, content: pygame.Rect, snap, dt: float) -> None:
        panel.update(snap, dt)
        panel.draw(self.screen, content, snap)

    def _capture_and_overlay(self, screen: pygame.Surface) -> None:
        self.media.capture(screen)
        self.media.draw_overlay(screen, self.time)

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
        if not self._cursor_visible:       # a kiosk's hidden pointer parked over a panel explains nothing
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
    _log_to_terminal()
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
        app.media.close()                 # waits until a recording's file is finished
        app.session.close()
        pygame.quit()
    return 0


def _log_to_terminal() -> None:
    """Warnings and errors also go to the terminal (the journal, under systemd), not only the file."""
    logger = logging.getLogger("signet_arcade")
    if not any(type(h) is logging.StreamHandler for h in logger.handlers):
        handler = logging.StreamHandler()
        handler.setLevel(logging.WARNING)
        handler.setFormatter(logging.Formatter("signet-arcade: %(levelname)s %(name)s: %(message)s"))
        logger.addHandler(handler)
