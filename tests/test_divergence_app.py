"""The fastest learning a visitor can ask for never leaves NaN in the model or on the screen.

The learning-rate slider stops at LR_RANGE[1]; a curator's config may go to RULES["lr"]'s top,
and a Command to the trainer's MAX_LR. Each is trained through the real App.
"""
import math

import numpy as np
import pygame
import pytest

from signet_arcade import commands as cmd
from signet_arcade.app import App
from signet_arcade.nn.trainer import MAX_LR
from signet_arcade.scenes.controls import LR_RANGE
from signet_arcade.settings import Settings, check_value


@pytest.fixture
def app():
    app = App(Settings(headless=True, width=800, height=480, preset="rhymes", seed=1))
    yield app
    pygame.quit()


def frames(app, n, steps=5):
    for _ in range(n):
        for event in pygame.event.get():
            app.handle_event(event)
        app.tick(1 / 30, exact_steps=steps if app.session.running else 0)


def drag_lr_slider_to_the_top(app):
    slider = app.controls.lr_slider
    start = slider.sliding_button.rect.center
    end = (slider.rect.right + 5, start[1])      # a little past the end (pygame_gui lets go far past it)
    pygame.mouse.set_pos(start)
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=start, button=1, touch=False))
    frames(app, 1)
    pygame.mouse.set_pos(end)
    pygame.event.post(pygame.event.Event(pygame.MOUSEMOTION, pos=end, rel=(1, 0), buttons=(1, 0, 0), touch=False))
    frames(app, 2)
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONUP, pos=end, button=1, touch=False))
    frames(app, 2)


def assert_nothing_is_nan(app):
    params = app.session.trainer.model.params
    assert all(np.isfinite(p).all() for p in params.values())
    snap = app.session.snapshot()
    assert len(snap.loss_values) and np.isfinite(snap.loss_values).all() and np.isfinite(snap.loss_smooth).all()
    assert np.isfinite(snap.next_probs).all() and np.isfinite(snap.sample.probs).all()
    assert math.isfinite(snap.lr)
    return snap


def test_the_sliders_top_learning_rate_trains_without_nan(app):
    drag_lr_slider_to_the_top(app)
    assert app.session.trainer.lr == pytest.approx(LR_RANGE[1])
    app.send(cmd.Train())
    frames(app, 80)                                   # 400 steps at the visitor's fastest rate
    snap = assert_nothing_is_nan(app)
    assert snap.step >= 390
    assert float(snap.loss_smooth[-1]) < 3 * math.log(len(snap.vocab)), "it may learn badly, never explode"


@pytest.mark.parametrize("how, lr", [("the curator's config", check_value("lr", 1.0)),
                                     ("a Command", MAX_LR)])
def test_a_learning_rate_that_blows_up_is_undone_and_said_in_plain_words(app, how, lr):
    app.send(cmd.SetLearningRate(lr))
    app.send(cmd.Train())
    frames(app, 20)
    snap = assert_nothing_is_nan(app)
    words = snap.notice.lower()
    assert snap.notice_is_warning and "learning rate was too high" in words and "rewound" in words, snap.notice
    assert snap.lr < lr, f"after {how}'s {lr}, the learning rate was lowered"
    assert app.controls.state.lr == pytest.approx(snap.lr, rel=0.02), "the slider shows the lowered rate"
    steps = snap.step
    frames(app, 10)
    assert app.session.trainer.step_count > steps, "training continues after the recovery"
    assert_nothing_is_nan(app)
