import math

import numpy as np
import pytest

from signet_arcade.nn import DEFAULT_BATCH_SIZE, GPTConfig, Trainer
from signet_arcade.nn.loss_history import LossHistory

from english import ENGLISH
SMALL = GPTConfig(vocab_size=2, context=16, embed=32, heads=2, layers=1)


def small_trainer(text=ENGLISH, lr=3e-3, seed=0) -> Trainer:
    return Trainer(text, SMALL, lr=lr, batch_size=16, seed=seed)


def test_defaults_come_from_the_text_and_the_kiosk_config():
    trainer = Trainer(ENGLISH)
    V = trainer.tokenizer.vocab_size
    assert trainer.cfg == GPTConfig(vocab_size=V)
    assert trainer.batch_size == DEFAULT_BATCH_SIZE
    assert trainer.lr == 3e-4 and trainer.step_count == 0 and len(trainer.losses) == 0
    assert trainer.model.params["wte"].shape == (V, trainer.cfg.embed)
    assert 0 < trainer.baseline_loss < math.log(V)


def test_the_vocabulary_always_comes_from_the_text():
    trainer = small_trainer()
    assert trainer.cfg.vocab_size == trainer.tokenizer.vocab_size
    assert (trainer.cfg.context, trainer.cfg.embed) == (SMALL.context, SMALL.embed)


@pytest.mark.parametrize("make, words", [
    (lambda: Trainer("abcabc", SMALL), "too short"),
    (lambda: Trainer("", SMALL), "two different characters"),
    (lambda: Trainer("zzzzzzzzzzzzzzzzzzzzzzzzzzzzzz", SMALL), "two different characters"),
    (lambda: Trainer(ENGLISH, GPTConfig(vocab_size=2, embed=30, heads=4)), "divisible"),
    (lambda: Trainer(ENGLISH, {"embed": 32}), "GPTConfig"),
    (lambda: Trainer(ENGLISH, lr=float("nan")), "learning rate"),
    (lambda: Trainer(ENGLISH, lr=-1.0), "learning rate"),
    (lambda: Trainer(ENGLISH, batch_size=0), "batch size"),
    (lambda: Trainer(ENGLISH, batch_size=2.5), "batch size"),
    (lambda: Trainer(ENGLISH, seed=-3), "seed"),
])
def test_bad_input_is_a_clear_value_error(make, words):
    with pytest.raises(ValueError, match=words):
        make()


def test_batches_are_windows_of_the_text_and_their_next_characters():
    trainer = small_trainer()
    idx, targets = trainer._batch()
    assert idx.shape == targets.shape == (16, SMALL.context)
    np.testing.assert_array_equal(idx[:, 1:], targets[:, :-1])
    text_ids = trainer.data.tolist()
    for row, nxt in zip(idx.tolist(), targets[:, -1].tolist()):
        start = next(i for i in range(len(text_ids)) if text_ids[i:i + len(row)] == row)
        assert text_ids[start + len(row)] == nxt


def test_loss_falls_near_zero_on_a_periodic_text():
    trainer = small_trainer("aaab" * 200)
    for _ in range(300):
        trainer.step()
    # Only the first characters of each window lack the context to tell where in "aaab" they are.
    assert np.mean(trainer.losses[-20:]) < 0.1


def test_loss_falls_below_the_bigram_baseline_on_english():
    trainer = small_trainer()
    first = trainer.step()
    for _ in range(300):
        trainer.step()
    assert first > trainer.baseline_loss
    assert np.mean(trainer.losses[-30:]) < trainer.baseline_loss - 0.2


def test_same_seed_same_losses_bit_for_bit():
    a, b, c = small_trainer(seed=1), small_trainer(seed=1), small_trainer(seed=2)
    losses_a = [a.step() for _ in range(15)]
    losses_b = [b.step() for _ in range(15)]
    losses_c = [c.step() for _ in range(15)]
    assert losses_a == losses_b
    assert losses_a != losses_c
    for name, p in a.model.params.items():
        assert np.array_equal(p, b.model.params[name])


def test_training_stays_float32():
    trainer = small_trainer()
    for _ in range(3):
        assert isinstance(trainer.step(), float)
    assert all(p.dtype == np.float32 for p in trainer.model.params.values())
    state = trainer.optimizer.state_dict()
    assert all(a.dtype == np.float32 for k, a in state.items() if k != "step")
    assert trainer.losses.dtype == np.float32


def test_learning_rate_is_live_and_checked():
    trainer = small_trainer()
    trainer.lr = 1e-3
    assert trainer.optimizer.lr == 1e-3
    with pytest.raises(ValueError, match="learning rate"):
        trainer.lr = float("inf")
    assert trainer.lr == 1e-3


def test_an_absurd_learning_rate_is_rewound_never_nan():
    trainer = small_trainer(lr=1e3)
    events, returned = [], []
    for _ in range(40):
        returned.append(trainer.step())
        events += trainer.pop_events()
        assert all(np.isfinite(p).all() for p in trainer.model.params.values())
    assert all(math.isfinite(x) for x in returned)
    assert np.isfinite(trainer.losses).all()
    assert trainer.lr < 1.0
    assert events and "blew up" in events[0] and "lowered the learning rate" in events[0]
    assert trainer.pop_events() == []


def test_broken_weights_are_rewound_to_the_last_good_copy():
    trainer = small_trainer()
    for _ in range(60):
        trainer.step()
    trainer.remember_good()
    good = {k: p.copy() for k, p in trainer.model.params.items()}
    trainer.model.params["wte"][3, 5] = np.nan
    lr, steps = trainer.lr, trainer.step_count
    trainer.step()
    for name, p in trainer.model.params.items():
        np.testing.assert_array_equal(p, good[name])
    assert trainer.lr == pytest.approx(lr / 3) and trainer.step_count == steps
    assert len(trainer.pop_events()) == 1
    trainer.step()                                                    # and it trains on
    assert trainer.step_count == steps + 1


def test_unread_events_stay_bounded():
    trainer = small_trainer()
    for _ in range(30):
        trainer.model.params["head.b"][0] = np.inf
        trainer.step()
    assert len(trainer.pop_events()) <= 8


def test_loss_history_stays_bounded_and_keeps_true_step_numbers():
    history = LossHistory(capacity=100)
    for step in range(1, 100_001):
        history.record(step, 1.0 + 1.0 / step)
    assert len(history) <= 100
    steps = history.steps
    assert steps[0] == 1 and np.all(np.diff(steps) > 0) and steps[-1] > 100_000 - 2 * history.stride
    np.testing.assert_allclose(history.values, 1.0 + 1.0 / steps, rtol=1e-6)
    assert history.smooth.shape == history.values.shape
    assert history.smoothed == pytest.approx(1.0, abs=1e-3) and history.last == pytest.approx(1.0 + 1e-5)
    with pytest.raises(ValueError):
        history.values[0] = 0.0                                       # the chart cannot edit it


def test_smoothed_loss_is_an_exponential_average():
    history = LossHistory()
    history.record(1, 4.0)
    history.record(2, 2.0)
    assert history.smooth[0] == 4.0
    assert history.smooth[1] == pytest.approx(0.98 * 4.0 + 0.02 * 2.0)
