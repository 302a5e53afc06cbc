"""The sample helper process: the same samples as in-process, and never a hang when it fails."""
import gc
import os
import signal
import time

import numpy as np
import pytest

from signet_arcade import sample_worker
from signet_arcade.nn import GPTConfig, Trainer
from signet_arcade.sample_worker import BackgroundSampleWriter, SampleWorkerPool
from signet_arcade.sample_writer import SampleWriter
from signet_arcade.session import SAMPLE_LENGTH, Session
from signet_arcade.settings import Settings

TEXT = "the cat sat on the mat.\nthe dog ran to the log.\n" * 20


@pytest.fixture
def trainer():
    t = Trainer(TEXT, GPTConfig(vocab_size=2, context=8, embed=16, heads=2, layers=1), lr=3e-2)
    for _ in range(5):
        t.step()
    return t


@pytest.fixture
def pool():
    p = SampleWorkerPool()
    yield p
    p.close()


def local_writer(t):
    return SampleWriter(t.model, t.tokenizer, t.data[:1], 0.7, seed=4, step=t.step_count)


def wait_ready(w, seconds=30.0):
    end = time.monotonic() + seconds
    while not w.ready() and time.monotonic() < end:
        time.sleep(0.01)
    assert w.ready()


def same(a, b):
    assert a.text == b.text and a.step == b.step and a.alternatives == b.alternatives
    np.testing.assert_array_equal(a.probs, b.probs)


def test_the_helper_writes_the_sample_the_main_process_would(trainer, pool):
    expected = local_writer(trainer)
    expected.write(40)
    w = BackgroundSampleWriter(local_writer(trainer), 40, pool)
    trainer.step()                                   # training goes on meanwhile: no effect
    wait_ready(w)
    assert pool.failures == 0
    for n in (4, 4, 32):
        w.write(n)
    same(w.sample(), expected.sample())


def test_a_dead_helper_means_the_sample_is_written_here_and_the_helper_is_reaped(trainer, pool):
    expected = local_writer(trainer)
    expected.write(40)
    first = BackgroundSampleWriter(local_writer(trainer), 40, pool)
    wait_ready(first)                                # the helper is up
    helper = pool.worker()
    helper.process.kill()
    helper.process.wait(10)
    w = BackgroundSampleWriter(local_writer(trainer), 40, pool)
    wait_ready(w)
    assert pool.failures == 1 and helper.process.returncode is not None
    w.write(40)
    same(w.sample(), expected.sample())
    assert pool.worker() is not helper               # a fresh helper for the next sample


def test_a_stuck_helper_times_out_and_is_stopped(trainer, pool, monkeypatch):
    monkeypatch.setattr(sample_worker, "TIMEOUT", 0.0)
    w = BackgroundSampleWriter(local_writer(trainer), 40, pool)
    helper = pool.worker()
    assert w.ready()                                 # late at once: written here from now on
    assert pool.failures == 1 and helper.process.poll() is not None
    w.write(40)
    assert len(w.sample().text) == 40


def test_characters_wanted_before_the_answer_are_written_here_at_once(trainer, pool):
    expected = local_writer(trainer)
    expected.write(40)
    w = BackgroundSampleWriter(local_writer(trainer), 40, pool)
    w.write(40)                                      # no waiting for the helper
    same(w.sample(), expected.sample())
    assert pool.failures == 0


def test_after_repeated_failures_samples_are_always_written_here(trainer, pool, monkeypatch):
    monkeypatch.setattr(sample_worker, "TIMEOUT", 0.0)
    for _ in range(sample_worker.MAX_FAILURES):
        assert BackgroundSampleWriter(local_writer(trainer), 40, pool).ready()
    assert pool.worker() is None


def test_live_training_gets_its_samples_from_the_helper_and_closes_it():
    session = Session(Settings(autotrain=True, speed=50))
    try:
        end = time.monotonic() + 60
        while session.trainer.step_count < 450 and time.monotonic() < end:
            session.train(50, budget_seconds=0.02)
        session.train(50, budget_seconds=0.02)
        while session._writer is not None and time.monotonic() < end:
            session.train(1, budget_seconds=0.001)
        sample = session.snapshot().sample
        assert sample.step >= 400 and len(sample.text) == SAMPLE_LENGTH
        helper = session._helpers.worker()
        assert session._helpers.failures == 0
    finally:
        session.close()
    assert helper.process.poll() is not None


def test_a_dropped_session_stops_its_helper():
    session = Session(Settings(autotrain=True, speed=50))
    helper = session._helpers.worker()
    del session
    gc.collect()
    assert helper.process.wait(10) is not None


def test_a_frozen_helper_never_blocks_the_frame(trainer, pool, monkeypatch):
    monkeypatch.setattr(sample_worker, "TIMEOUT", 0.3)
    wait_ready(BackgroundSampleWriter(local_writer(trainer), 40, pool))
    helper = pool.worker()
    os.kill(helper.process.pid, signal.SIGSTOP)      # alive, but reads nothing any more
    writers = [BackgroundSampleWriter(local_writer(trainer), 40, pool) for _ in range(3)]
    assert not writers[0].ready()                    # the pipe fills; the frame goes on
    time.sleep(0.4)
    assert writers[0].ready() and pool.failures == 1
    assert helper.process.poll() is not None         # killed and reaped
    writers[1].write(40)
    assert len(writers[1].sample().text) == 40 and pool.failures == 1   # one helper lost, counted once


def test_a_sample_the_helper_cannot_write_is_written_here_without_losing_the_helper(trainer, pool):
    broken = local_writer(trainer)
    broken.temperature = -1.0                        # generate_from refuses it, in the helper and here
    w = BackgroundSampleWriter(broken, 40, pool)
    wait_ready(w)
    assert pool.failures == 0 and pool.worker().process.poll() is None
    with pytest.raises(ValueError):
        w.write(40)                                  # the session's watchdog deals with it, as before
