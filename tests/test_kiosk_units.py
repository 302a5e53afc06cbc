"""Kiosk parts as pure logic: times are plain numbers, events are real pygame events, no window."""
import logging

import pygame
import pytest

from signet_arcade.commands import Reset, SetArchitecture, SetLearningRate, SetPreset, Train
from signet_arcade.kiosk.attract import INVITATION, AttractDirector
from signet_arcade.kiosk.exit_gesture import ExitGesture, parse_gesture
from signet_arcade.kiosk.idle import IdleTimer
from signet_arcade.kiosk.visitor_guard import is_visitor_input, kiosk_swallows
from signet_arcade.kiosk.watchdog import LOG_FILE, Watchdog, setup_logging
from signet_arcade.presets import list_presets


def key(key_code, mod=0, kind=pygame.KEYDOWN):
    return pygame.event.Event(kind, key=key_code, mod=mod)


# ---- idle and cursor ----

def test_idle_timer_counts_from_the_last_touch():
    timer = IdleTimer(timeout=90, now=100)
    assert not timer.is_idle(189.9) and timer.idle_for(150) == 50
    assert timer.is_idle(190)
    timer.touched(190)
    assert not timer.is_idle(200) and timer.idle_for(200) == 10


# ---- exit gesture ----

def test_gesture_strings_parse_and_bad_ones_say_why():
    g = parse_gesture(" Ctrl + Shift + Q ")
    assert g.modifiers == {"ctrl", "shift"} and g.key == "q"
    assert parse_gesture("alt+f10").key == "f10"
    for bad in ("q", "ctrl+shift", "ctrl+q+w", "ctrl+banana", "", "ctrl+ctrl"):
        with pytest.raises(ValueError, match="gesture"):
            parse_gesture(bad)


def test_exit_needs_the_whole_combination_held_long_enough():
    exit_ = ExitGesture("ctrl+shift+q", hold_seconds=3)
    exit_.key_down("left ctrl", 0)
    exit_.key_down("right shift", 0.5)
    assert not exit_.update(5)                  # no q yet
    exit_.key_down("q", 1)
    assert not exit_.update(3.9)
    assert exit_.progress(2.5) == pytest.approx(0.5)
    assert exit_.update(4.0)


def test_releasing_any_key_restarts_the_hold():
    exit_ = ExitGesture("ctrl+shift+q", hold_seconds=3)
    for name in ("left ctrl", "left shift", "q"):
        exit_.key_down(name, 0)
    exit_.key_up("left shift", 2)
    exit_.key_down("left shift", 2.5)
    assert not exit_.update(5) and exit_.update(5.5)


def test_exit_gesture_reads_real_pygame_events_and_focus_loss():
    exit_ = ExitGesture("ctrl+shift+q", hold_seconds=3)
    ctrl_shift = pygame.KMOD_LCTRL | pygame.KMOD_LSHIFT
    exit_.handle_event(key(pygame.K_LCTRL, pygame.KMOD_LCTRL), 0)
    exit_.handle_event(key(pygame.K_LSHIFT, ctrl_shift), 0)
    exit_.handle_event(key(pygame.K_q, ctrl_shift), 0)
    assert exit_.update(3)
    exit_.handle_event(pygame.event.Event(pygame.WINDOWFOCUSLOST), 3)
    assert not exit_.update(10)


def test_a_stale_modifier_does_not_count_as_held():
    """Ctrl released while another window had focus sends no key-up; the event's mod tells."""
    exit_ = ExitGesture("ctrl+q", hold_seconds=1)
    exit_.handle_event(key(pygame.K_LCTRL, pygame.KMOD_LCTRL), 0)
    exit_.handle_event(key(pygame.K_q, 0), 0)     # ctrl no longer down
    assert not exit_.update(5)


# ---- what a kiosk swallows ----

@pytest.mark.parametrize("event", [
    pygame.event.Event(pygame.QUIT),
    pygame.event.Event(pygame.WINDOWCLOSE),
    key(pygame.K_ESCAPE),
    key(pygame.K_F4, pygame.KMOD_LALT),
    key(pygame.K_RETURN, pygame.KMOD_RALT),
    key(pygame.K_q, pygame.KMOD_LCTRL),
    key(pygame.K_q, pygame.KMOD_LCTRL | pygame.KMOD_LSHIFT),
    key(pygame.K_w, pygame.KMOD_RCTRL),
    key(pygame.K_q, pygame.KMOD_LMETA),
])
def test_ways_out_are_swallowed(event):
    assert kiosk_swallows(event)


@pytest.mark.parametrize("event", [
    key(pygame.K_q),                     # typing a q into the text box
    key(pygame.K_F4),
    key(pygame.K_RETURN),
    key(pygame.K_F12),                   # screenshot
    key(pygame.K_ESCAPE, kind=pygame.KEYUP),
    pygame.event.Event(pygame.MOUSEBUTTONDOWN, button=1, pos=(10, 10)),
    pygame.event.Event(pygame.TEXTINPUT, text="q"),
])
def test_ordinary_input_passes(event):
    assert not kiosk_swallows(event)


def test_visitor_input_is_touch_click_key_or_drop_not_window_chatter():
    assert is_visitor_input(pygame.event.Event(pygame.MOUSEBUTTONDOWN, button=1, pos=(1, 1)))
    assert is_visitor_input(pygame.event.Event(pygame.FINGERDOWN, x=0.5, y=0.5))
    assert is_visitor_input(key(pygame.K_a))
    assert is_visitor_input(pygame.event.Event(pygame.DROPFILE, file="x.txt"))
    assert not is_visitor_input(pygame.event.Event(pygame.VIDEORESIZE, w=800, h=480))
    assert not is_visitor_input(pygame.event.Event(pygame.WINDOWFOCUSLOST))


# ---- attract mode ----

PRESETS = list_presets()[:3]


def test_attract_starts_with_friendly_settings_then_a_preset_from_scratch_and_training():
    arch = SetArchitecture(heads=4, layers=2, embed=64, context=64)
    director = AttractDirector(PRESETS, lr=3e-4, architecture=arch)
    assert not director.active and director.caption(0) is None
    commands = director.start(now=100)
    assert director.active
    assert commands[0] == SetLearningRate(3e-4) and arch in commands
    assert commands[-3:] == [SetPreset(PRESETS[0].name), Reset(), Train()]
    assert director.caption(100) == INVITATION


def test_attract_cycles_presets_over_time_and_across_demos():
    director = AttractDirector(PRESETS, preset_seconds=60)
    director.start(0)
    assert director.update(59) == []
    assert director.update(60) == [SetPreset(PRESETS[1].name), Reset(), Train()]
    assert director.update(100) == []
    director.stop()
    assert not director.active and director.update(1000) == []
    assert director.caption(1000) is None
    # the next demo goes on to the next text rather than repeating the first
    assert director.start(2000)[-3] == SetPreset(PRESETS[2].name)
    assert director.update(2060)[0] == SetPreset(PRESETS[0].name)


def test_attract_captions_take_turns_invite_touch_and_name_the_text():
    director = AttractDirector(PRESETS, caption_seconds=5)
    director.start(0)
    captions = [director.caption(t) for t in range(0, 50, 5)]
    assert len(set(captions)) >= 4
    assert sum("touch" in c.lower() for c in captions) >= 2
    assert PRESETS[0].description in captions
    assert director.caption_fade(0) == 0 and director.caption_fade(2.5) == 1
    assert 0 < director.caption_fade(4.5) < 1


def test_attract_needs_a_preset():
    with pytest.raises(ValueError):
        AttractDirector([])


# ---- watchdog ----

def test_guard_returns_the_result_when_nothing_fails():
    dog = Watchdog()
    assert dog.guard("loss panel", lambda: 42, on_error=lambda: pytest.fail("no reset")) == 42
    assert dog.total_failures == 0


def test_guard_logs_the_traceback_resets_the_part_and_counts(tmp_path):
    log = setup_logging(tmp_path / "logs", logger_name="test_watchdog_a")
    resets = []
    dog = Watchdog(log)

    def broken_panel():
        raise ZeroDivisionError("the panel divided by zero")

    for _ in range(2):
        assert dog.guard("loss panel", broken_panel, on_error=lambda: resets.append(1)) is None
    assert resets == [1, 1] and dog.failures["loss panel"] == 2
    text = (tmp_path / "logs" / LOG_FILE).read_text()
    assert "loss panel failed" in text and "Traceback" in text and "ZeroDivisionError" in text


def test_a_failing_reset_is_logged_not_raised(tmp_path):
    dog = Watchdog(setup_logging(tmp_path, logger_name="test_watchdog_b"))
    dog.guard("trainer", lambda: 1 / 0, on_error=lambda: [][1])
    assert dog.failures == {"trainer": 1, "trainer reset": 1}
    assert "resetting trainer failed too" in (tmp_path / LOG_FILE).read_text()


def test_a_part_failing_every_frame_cannot_flood_the_log(tmp_path):
    log = setup_logging(tmp_path, logger_name="test_watchdog_c")
    dog = Watchdog(log, full_tracebacks=3, quiet_every=100)
    for _ in range(1000):
        dog.guard("sample panel", lambda: 1 / 0, on_error=lambda: None)
    text = (tmp_path / LOG_FILE).read_text()
    assert text.count("Traceback") == 3
    assert "has now failed 1000 times" in text
    assert dog.total_failures == 1000


def test_log_file_rotates_and_set_up_twice_adds_no_second_handler(tmp_path):
    log = setup_logging(tmp_path, max_bytes=2000, backups=2, logger_name="test_watchdog_d")
    assert setup_logging(tmp_path, logger_name="test_watchdog_d") is log
    assert len(log.handlers) == 1
    for i in range(200):
        log.info("line %d of a long, long run", i)
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == [LOG_FILE, LOG_FILE + ".1", LOG_FILE + ".2"]
    assert all(p.stat().st_size <= 2000 for p in tmp_path.iterdir())


def test_an_unwritable_log_folder_falls_back_to_stderr(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    log = setup_logging(blocker / "logs", logger_name="test_watchdog_e")
    assert isinstance(log.handlers[0], logging.StreamHandler)


# ---- kiosk mode: the parts together, as the main loop uses them ----

def click(now_pos=(50, 50)):
    return pygame.event.Event(pygame.MOUSEBUTTONDOWN, button=1, pos=now_pos, touch=False)


def motion(touch=False):
    return pygame.event.Event(pygame.MOUSEMOTION, pos=(5, 5), rel=(1, 0), buttons=(0, 0, 0),
                              touch=touch)


def kiosk_mode(**changes):
    from signet_arcade.kiosk.mode import KioskMode
    from signet_arcade.settings import Settings
    settings = Settings(kiosk=True, idle_timeout=90, cursor_hide_seconds=3, **changes)
    return KioskMode(settings, PRESETS, now=0)


def test_kiosk_mode_swallows_ways_out_and_lets_ordinary_input_through():
    kiosk = kiosk_mode()
    assert not kiosk.let_through(pygame.event.Event(pygame.QUIT), 1)
    assert not kiosk.let_through(key(pygame.K_ESCAPE), 1)
    assert not kiosk.let_through(key(pygame.K_F4, pygame.KMOD_LALT), 1)
    assert kiosk.let_through(click(), 1)
    assert kiosk.let_through(pygame.event.Event(pygame.TEXTINPUT, text="hello"), 1)


def test_kiosk_mode_enters_attract_when_idle_and_a_click_leaves_it_without_pressing_anything():
    kiosk = kiosk_mode()
    assert kiosk.update(89) == [] and kiosk.caption(89) is None
    commands = kiosk.update(90)
    assert Train() in commands and kiosk.caption(90) == INVITATION
    assert kiosk.update(91) == []
    assert kiosk.let_through(motion(), 95)        # movement alone does not end the demo
    assert kiosk.caption(95) is not None
    assert not kiosk.let_through(click(), 100)    # the waking tap presses nothing
    assert kiosk.caption(100) is None
    assert kiosk.let_through(click(), 101)        # the next one does
    assert kiosk.update(150) == []                # idle counts again from the last touch
    assert Train() in kiosk.update(191)


def test_kiosk_mode_exits_on_the_held_gesture_although_ctrl_q_is_swallowed():
    kiosk = kiosk_mode(exit_gesture="ctrl+shift+q", exit_hold_seconds=3)
    mods = pygame.KMOD_LCTRL | pygame.KMOD_LSHIFT
    kiosk.let_through(key(pygame.K_LCTRL, pygame.KMOD_LCTRL), 10)
    kiosk.let_through(key(pygame.K_LSHIFT, mods), 10)
    assert not kiosk.let_through(key(pygame.K_q, mods), 10)
    assert not kiosk.should_exit(12.9) and kiosk.should_exit(13)


def test_kiosk_mode_hides_a_still_cursor_and_a_finger_never_shows_it():
    kiosk = kiosk_mode()
    assert not kiosk.cursor_visible(3)
    kiosk.let_through(motion(touch=True), 10)
    assert not kiosk.cursor_visible(10)
    kiosk.let_through(motion(), 10)
    assert kiosk.cursor_visible(12) and not kiosk.cursor_visible(13)
