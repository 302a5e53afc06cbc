"""Kiosk mode and the watchdog wired into the real App: events go through pygame's queue and the
app's own loop; kiosk time comes from a fake clock, so nothing here sleeps."""
import logging
from pathlib import Path

import numpy as np
import pygame
import pytest

from signet_arcade import commands as cmd
from signet_arcade.app import TRAINING_RESTARTED, App
from signet_arcade.kiosk.attract import INVITATION
from signet_arcade.kiosk.watchdog import LOG_FILE
from signet_arcade.monkey import drawing_problems
from signet_arcade.settings import Settings

SMALL = cmd.SetArchitecture(heads=2, layers=1, embed=16, context=16)
IDLE = 20.0


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def make_app(tmp_path: Path, clock: FakeClock, **settings) -> App:
    values = dict(headless=True, width=800, height=480, preset="patterns", seed=1, fps=60,
                  idle_timeout=IDLE, log_dir=str(tmp_path / "logs"),
                  screenshots_dir=str(tmp_path / "shots"), recordings_dir=str(tmp_path / "rec"))
    app = App(Settings(**(values | settings)), clock=clock)
    app.send(SMALL)
    app.tick(1 / 30, exact_steps=0)
    return app


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def kiosk(tmp_path, clock):
    app = make_app(tmp_path, clock, kiosk=True)
    yield app
    _close(app, tmp_path)


def _close(app: App, tmp_path: Path) -> None:
    app.media.close()
    pygame.quit()
    logger = logging.getLogger("signet_arcade")
    for handler in list(logger.handlers):          # the log file this test's App attached
        if str(getattr(handler, "baseFilename", "")).startswith(str(tmp_path)):
            logger.removeHandler(handler)
            handler.close()


def frames(app: App, n: int = 1, clock: FakeClock | None = None, seconds: float = 0.0) -> None:
    """The live loop without waiting: queued events through App.handle_event, then a tick;
    `seconds` of kiosk time pass before each frame."""
    for _ in range(n):
        if clock is not None:
            clock.now += seconds
        for event in pygame.event.get():
            app.handle_event(event)
        app.tick(1 / 30, exact_steps=1 if app.session.running else 0)


def post(kind, **attributes):
    pygame.event.post(pygame.event.Event(kind, attributes))


def click(pos):
    post(pygame.MOUSEBUTTONDOWN, pos=pos, button=1, touch=False)
    post(pygame.MOUSEBUTTONUP, pos=pos, button=1, touch=False)


def log_text(tmp_path: Path) -> str:
    return (tmp_path / "logs" / LOG_FILE).read_text(encoding="utf-8")


# --- visitors cannot leave; the operator can ---------------------------------------------------

WAYS_OUT = {
    "Esc": (pygame.KEYDOWN, dict(key=pygame.K_ESCAPE, mod=0, unicode="\x1b", scancode=41)),
    "window close (QUIT)": (pygame.QUIT, {}),
    "window close (WINDOWCLOSE)": (pygame.WINDOWCLOSE, dict(window=None)),
    "Alt+F4": (pygame.KEYDOWN, dict(key=pygame.K_F4, mod=pygame.KMOD_LALT, unicode="", scancode=61)),
    "Ctrl+Q": (pygame.KEYDOWN, dict(key=pygame.K_q, mod=pygame.KMOD_LCTRL, unicode="\x11", scancode=20)),
    "Ctrl+W": (pygame.KEYDOWN, dict(key=pygame.K_w, mod=pygame.KMOD_LCTRL, unicode="\x17", scancode=26)),
}


def test_the_ways_out_a_visitor_knows_do_nothing_in_a_kiosk(kiosk, clock):
    live = pygame.time.Clock()
    for kind, attributes in WAYS_OUT.values():
        post(kind, **attributes)
        kiosk.live_frame(live)                     # the real loop: events, tick, flip
    assert not kiosk.quit
    clock.now += 60                                # however long they wait
    kiosk.live_frame(live)
    assert not kiosk.quit


def test_outside_a_kiosk_the_window_close_does_quit(tmp_path, clock):
    app = make_app(tmp_path, clock)
    try:
        post(pygame.QUIT)
        app.live_frame(pygame.time.Clock())
        assert app.quit, "the same event the kiosk ignores quits a normal window"
    finally:
        _close(app, tmp_path)


def hold_exit_gesture():
    ctrl_shift = pygame.KMOD_LCTRL | pygame.KMOD_LSHIFT
    post(pygame.KEYDOWN, key=pygame.K_LCTRL, mod=pygame.KMOD_LCTRL, unicode="", scancode=224)
    post(pygame.KEYDOWN, key=pygame.K_LSHIFT, mod=ctrl_shift, unicode="", scancode=225)
    post(pygame.KEYDOWN, key=pygame.K_q, mod=ctrl_shift, unicode="\x11", scancode=20)


def test_holding_the_exit_gesture_for_three_seconds_quits_and_shows_progress(kiosk, clock):
    hold_exit_gesture()
    frames(kiosk, 1)
    frames(kiosk, 4, clock, seconds=0.5)           # 2 s held
    assert not kiosk.quit
    assert 0.5 < kiosk._exit_progress < 1
    top = pygame.surfarray.array3d(kiosk.screen)[300:500, 0:40]              # (x, y, 3): the hint card
    assert (np.abs(top.astype(int) - (255, 120, 90)).sum(axis=-1) < 40).sum() > 50, "an orange progress bar"
    post(pygame.KEYUP, key=pygame.K_q, mod=pygame.KMOD_LCTRL | pygame.KMOD_LSHIFT)
    frames(kiosk, 3, clock, seconds=1.0)           # let go too early: it starts again
    assert not kiosk.quit and kiosk._exit_progress == 0
    hold_exit_gesture()
    frames(kiosk, 1)
    frames(kiosk, 7, clock, seconds=0.5)           # 3.5 s held
    assert kiosk.quit


# --- attract mode --------------------------------------------------------------------------------

def bright_pixels_near_the_middle(app: App) -> int:
    """Pixels as bright as the caption's words, in the middle of the panels."""
    area = app._panels_area
    box = pygame.Rect(0, 0, area.width * 6 // 10, area.height // 3)
    box.center = area.center
    px = pygame.surfarray.array3d(app.screen)[box.left:box.right, box.top:box.bottom].astype(int)
    return int((px.min(axis=-1) >= 215).sum())


def test_idle_time_starts_a_demo_with_a_caption_and_the_first_click_hands_control_back(kiosk, clock):
    kiosk.controls.state.draft = "a note the last visitor typed"
    kiosk.controls.text_box.set_text(kiosk.controls.state.draft)
    frames(kiosk, 2, clock, seconds=IDLE / 4)
    assert kiosk.caption is None and not kiosk.session.running
    quiet = bright_pixels_near_the_middle(kiosk)

    frames(kiosk, 1, clock, seconds=IDLE)          # idle for longer than idle_timeout
    assert kiosk.kiosk.attract.active and kiosk.caption == INVITATION
    assert kiosk.session.running, "the demo trains by itself"
    assert kiosk.session.text_name == kiosk.kiosk.attract.current_preset.name
    assert kiosk.controls.state.draft == "" and kiosk.controls.text_box.get_text() == "", \
        "the next visitor does not see the last one's text"
    assert not kiosk.manager.get_sprite_group().lostsprites, "pygame_gui's list of removed widgets is kept empty"
    arch = kiosk.session.trainer.cfg
    assert (arch.heads, arch.layers, arch.embed, arch.context) == (4, 2, 48, 32), "the friendly model"
    frames(kiosk, 1, clock, seconds=1.5)           # past the caption's fade-in
    shown = bright_pixels_near_the_middle(kiosk)
    assert shown > 1500 and shown > 3 * quiet, f"caption words: {shown} bright pixels, {quiet} before"

    steps = kiosk.session.trainer.step_count
    click(kiosk.controls.train_button.rect.center)  # the visitor's first touch lands on Pause
    frames(kiosk, 1, clock, seconds=0.1)
    assert not kiosk.kiosk.attract.active and kiosk.caption is None
    assert kiosk.session.running, "the waking touch pressed no button"
    frames(kiosk, 2, clock, seconds=0.1)
    assert bright_pixels_near_the_middle(kiosk) < shown / 3
    assert kiosk.session.trainer.step_count > steps, "the model keeps learning where the demo left it"

    click(kiosk.controls.train_button.rect.center)  # now the visitor is in control
    frames(kiosk, 2, clock, seconds=0.1)
    assert not kiosk.session.running


def test_the_cursor_hides_when_still_and_returns_when_moved(kiosk, clock):
    frames(kiosk, 1, clock, seconds=5)             # still for longer than cursor_hide_seconds
    assert not pygame.mouse.get_visible()
    post(pygame.MOUSEMOTION, pos=(400, 200), rel=(3, 0), buttons=(0, 0, 0), touch=False)
    frames(kiosk, 1, clock, seconds=0.1)
    assert pygame.mouse.get_visible()


# --- the watchdog (always on, kiosk or not) ------------------------------------------------------

@pytest.fixture
def app(tmp_path, clock):
    app = make_app(tmp_path, clock)
    yield app
    _close(app, tmp_path)


def test_a_panel_that_fails_to_draw_is_logged_and_replaced_and_drawing_goes_on(app, tmp_path):
    broken = app.panels[1]

    def fail(*_):
        raise RuntimeError("injected drawing failure")
    broken.draw = fail
    frames(app, 1)
    assert app.panels[1] is not broken and type(app.panels[1]) is type(broken), "a fresh panel"
    text = log_text(tmp_path)
    assert "the Loss panel failed" in text and "RuntimeError: injected drawing failure" in text
    app.send(cmd.Train())
    frames(app, 4)
    assert drawing_problems(app.screen) == []
    loss = app.layout.panel("loss")
    px = pygame.surfarray.array3d(app.screen)[loss.left:loss.right, loss.centery].astype(int)
    assert len(np.unique(px, axis=0)) > 10, "the new loss panel draws its chart"


def test_a_training_failure_restarts_the_model_says_so_and_training_goes_on(app, tmp_path):
    app.send(cmd.Train())
    frames(app, 3)
    old = app.session.trainer

    def fail():
        raise FloatingPointError("injected training failure")
    old.step = fail
    frames(app, 1)
    assert app.session.trainer is not old and app.session.text == old.text
    snap = app.session.snapshot()
    assert snap.notice == TRAINING_RESTARTED and snap.notice_is_warning
    assert "training failed" in log_text(tmp_path) and "FloatingPointError: injected" in log_text(tmp_path)
    frames(app, 3)
    assert app.session.trainer.step_count >= 3 and app.session.running
    assert drawing_problems(app.screen) == []


def test_training_that_keeps_failing_goes_back_to_the_start_and_pauses(app, monkeypatch):
    app.send(cmd.SetPreset("rhymes"))
    app.send(cmd.Train())
    frames(app, 1)
    from signet_arcade.nn.trainer import Trainer

    def fail(self):
        raise FloatingPointError("injected: every step fails")
    monkeypatch.setattr(Trainer, "step", fail)
    frames(app, 3)
    snap = app.session.snapshot()
    assert not app.session.running and app.session.text_name == "patterns"
    assert "kept going wrong" in snap.notice and "'patterns'" in snap.notice
    monkeypatch.undo()
    app.send(cmd.Train())
    frames(app, 2)
    assert app.session.trainer.step_count > 0


def test_an_error_handling_an_event_is_logged_and_the_app_goes_on(app, tmp_path, monkeypatch):
    def fail(event):
        raise KeyError("injected input failure")
    monkeypatch.setattr(app.controls, "process_event", fail)
    click(app.controls.train_button.rect.center)
    frames(app, 2)                                  # no exception reaches the loop
    assert "input failed" in log_text(tmp_path)
    monkeypatch.undo()
    running = app.session.running
    click(app.controls.train_button.rect.center)    # the rebuilt controls work
    frames(app, 2)
    assert app.session.running != running


def test_a_notice_too_long_for_the_status_line_scrolls_instead_of_being_cut(app):
    from signet_arcade.scenes.status_bar import StatusBar
    from signet_arcade.snapshot import Snapshot

    words = ("The learning rate was too high and the model blew up. We rewound it to step 1200 "
             "and lowered the learning rate.")
    bar, rect = StatusBar(), pygame.Rect(0, 0, 784, 26)
    screen = pygame.Surface((784, 26))
    shown = []
    for t in (0.0, 1.0, 30.0):             # still at first, then scrolled to its end
        bar.draw(screen, rect, Snapshot(notice=words, notice_is_warning=True), t)
        shown.append(pygame.surfarray.array3d(screen)[500:].copy())
    assert {k for _, k in bar.help_targets} == {"step", "loss_status"}, "step and loss stay"
    assert np.array_equal(shown[0], shown[1]) and not np.array_equal(shown[1], shown[2])
