"""A seeded monkey drives the real app headless: nothing raises, it keeps drawing, it still learns."""
import math

import numpy as np
import pygame
import pytest
from pygame_gui.core.utility import clipboard_copy

from signet_arcade import commands as cmd
from signet_arcade.app import App
from signet_arcade.monkey import Monkey, drawing_problems, make_files, model_problems
from signet_arcade.settings import Settings

SEED = 20_251_124
EVENTS = 2_000
SMALL = cmd.SetArchitecture(heads=2, layers=1, embed=16, context=16)


def make_app(tmp_path, **settings) -> App:
    app = App(Settings(headless=True, width=800, height=480, preset="patterns", seed=1,
                       screenshots_dir=str(tmp_path / "screenshots"), **settings))
    app.send(SMALL)
    app.tick(1 / 30, exact_steps=0)
    return app


def test_two_thousand_random_events_break_nothing_and_the_model_still_learns(tmp_path):
    app = make_app(tmp_path)
    monkey = Monkey(app, SEED, make_files(tmp_path / "files"))
    try:
        monkey.run(EVENTS)                          # raises MonkeyFailure with the seed and index
        assert monkey.posted > EVENTS

        pygame.event.post(pygame.event.Event(pygame.VIDEORESIZE, size=(800, 480), w=800, h=480))
        monkey.frames(2)
        assert drawing_problems(app.screen) == [] and model_problems(app) == []

        text, steps = app.session.text, app.session.trainer.step_count
        app.send(cmd.Train())
        monkey.frames(3)
        assert app.session.trainer.step_count > steps
        assert app.session.text == text, "training goes on with the text the monkey left"
        snap = app.session.snapshot()
        assert len(snap.loss_values) and math.isfinite(float(snap.loss_values[-1]))
        assert all(np.isfinite(p).all() for p in app.session.trainer.model.params.values())
    finally:
        pygame.quit()


def test_the_drawing_check_can_fail():
    """drawing_problems() is what the monkey relies on: it must see a blank screen."""
    pygame.init()
    try:
        blank = pygame.Surface((800, 480))
        blank.fill((12, 14, 20))
        assert drawing_problems(blank)
    finally:
        pygame.quit()


class _TooMuchText(AssertionError):
    pass


@pytest.fixture
def text_layout_guard(monkeypatch):
    """Fail at once (instead of freezing for minutes) if pygame_gui is asked to lay out a huge text."""
    from pygame_gui.elements import UITextBox
    parse = UITextBox.parse_html_into_style_data

    def guarded(self, *args, **kwargs):
        if len(self.html_text) > 20_000:
            raise _TooMuchText(f"a text box was asked to lay out {len(self.html_text):,} characters")
        return parse(self, *args, **kwargs)
    monkeypatch.setattr(UITextBox, "parse_html_into_style_data", guarded)


def test_pasting_a_megabyte_keeps_the_text_box_small_and_the_text_usable(tmp_path, text_layout_guard):
    """Found by the monkey: pygame_gui lays out the whole pasted text at once (100,000 characters
    froze the app for 8 minutes; a 1 MB paste for hours). A museum visitor can paste a book."""
    app = make_app(tmp_path)
    try:
        box = app.controls.text_box
        pos = box.rect.center
        pygame.mouse.set_pos(pos)
        for kind in (pygame.MOUSEBUTTONDOWN, pygame.MOUSEBUTTONUP):
            pygame.event.post(pygame.event.Event(kind, pos=pos, button=1, touch=False))
        book = ("A visitor pasted a whole book into the box. " * 24_000)[:1_000_000]
        clipboard_copy(book)
        pygame.key.set_mods(pygame.KMOD_LCTRL)
        pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_v, mod=pygame.KMOD_LCTRL,
                                             unicode="\x16", scancode=25))
        for _ in range(3):
            for event in pygame.event.get():
                app.handle_event(event)
            app.tick(1 / 30, exact_steps=0)
        pygame.key.set_mods(0)
        app.send(cmd.SetText(app.controls.state.draft))
        app.tick(1 / 30, exact_steps=1)
        assert app.session.text.startswith(book[:10_000])
    finally:
        pygame.quit()
