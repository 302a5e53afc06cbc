"""The session: every command, bad input as notices, the snapshot, a sample every 200 steps."""
import numpy as np
import pytest

from signet_arcade import commands as cmd
from signet_arcade.session import MAX_TEXT_CHARS, NEW_ARCHITECTURE, SAMPLE_EVERY, Session
from signet_arcade.settings import Settings

SMALL = cmd.SetArchitecture(heads=2, layers=1, embed=16, context=16)
TEXT = "the cat sat on the mat. the dog sat on the log. " * 40


@pytest.fixture
def session():
    s = Session(Settings(preset="patterns", seed=3))
    s.apply(SMALL)
    return s


def arch(s):
    c = s.trainer.cfg
    return c.heads, c.layers, c.embed, c.context


def test_train_pause_step_once_and_reset(session):
    assert session.train(5, 1.0) == 0, "paused: no training"
    session.apply(cmd.Train())
    assert session.running and session.train(3, None) == 3
    session.apply(cmd.Pause())
    assert not session.running
    session.apply(cmd.StepOnce())
    assert session.trainer.step_count == 4
    session.apply(cmd.Reset())
    assert session.trainer.step_count == 0 and "from scratch" in session.notice
    assert arch(session) == (2, 1, 16, 16)


def test_budgeted_training_runs_at_least_one_step_and_stops_on_time(session):
    session.apply(cmd.Train())
    assert session.train(1000, 0.0) == 1
    assert session.train(4, 10.0) == 4


def test_architecture_change_resets_the_model_and_says_so(session):
    session.train(5, None)
    session.apply(cmd.SetArchitecture(heads=4, layers=2, embed=32, context=24))
    assert arch(session) == (4, 2, 32, 24)
    assert session.trainer.step_count == 0
    assert session.notice == NEW_ARCHITECTURE and not session.notice_is_warning


def test_training_settings_apply_live(session):
    session.train(3, None)
    session.apply(cmd.SetLearningRate(1e-3))
    session.apply(cmd.SetTemperature(0.9))
    session.apply(cmd.SetSpeed(7))
    assert session.trainer.lr == pytest.approx(1e-3)
    assert session.trainer.step_count == 3, "live settings keep the model"
    snap = session.snapshot()
    assert (snap.lr, snap.temperature, snap.speed) == (pytest.approx(1e-3), 0.9, 7)


def test_new_text_keeps_the_architecture(session):
    session.apply(cmd.SetText(TEXT, "cats"))
    assert session.text_name == "cats" and session.trainer.text.startswith("the cat")
    assert arch(session) == (2, 1, 16, 16)
    session.apply(cmd.SetPreset("sums"))
    assert session.text_name == "sums" and arch(session) == (2, 1, 16, 16)


def test_dropped_file_becomes_the_text(session, tmp_path):
    path = tmp_path / "story.txt"
    path.write_text(TEXT, encoding="utf-8")
    session.apply(cmd.LoadTextFile(str(path)))
    assert session.text_name == "story.txt" and "story.txt" in session.notice


@pytest.mark.parametrize("bad", [
    cmd.SetText(""), cmd.SetText("   \n"), cmd.SetText("aaaaaaaa"), cmd.SetText("x"),
    cmd.LoadTextFile("/no/such/file.txt"), cmd.SetPreset("no such preset"),
    cmd.SetArchitecture(heads=3, layers=1, embed=16, context=16),       # 16 % 3 != 0
    cmd.SetArchitecture(heads=2, layers=99, embed=16, context=16),
    cmd.SetLearningRate(float("nan")), cmd.SetLearningRate(-1.0),
    cmd.SetTemperature(0), cmd.SetSpeed(0),
])
def test_bad_input_is_a_notice_and_changes_nothing(session, bad):
    session.train(2, None)
    before = (session.text, arch(session), session.trainer.step_count, session.trainer.lr,
              session.temperature, session.speed)
    session.apply(bad)
    assert session.notice_is_warning and session.notice
    assert (session.text, arch(session), session.trainer.step_count, session.trainer.lr,
            session.temperature, session.speed) == before


def test_binary_file_is_refused(session, tmp_path):
    path = tmp_path / "picture.txt"
    path.write_bytes(bytes(range(256)) * 10)
    session.apply(cmd.LoadTextFile(str(path)))
    assert session.notice_is_warning and session.text_name == "patterns"


def test_huge_paste_is_cut_and_said(session):
    huge = ("abc def\n" * (MAX_TEXT_CHARS // 8 + 1000))
    session.apply(cmd.SetText(huge, "huge"))
    assert len(session.text) == MAX_TEXT_CHARS and "first 2,000,000" in session.notice


def test_emoji_and_any_unicode_train(session):
    session.apply(cmd.SetText("héllo 🌍 wörld, مرحبا, 你好! " * 30, "unicode"))
    assert session.text_name == "unicode" and not session.notice_is_warning
    session.train(3, None)
    assert "🌍" in session.snapshot().vocab


def test_short_text_gets_a_shorter_context(session):
    session.apply(cmd.SetText("hello there", "short"))
    assert session.text_name == "short" and session.trainer.cfg.context < 16
    assert "looks back" in session.notice


def test_snapshot_shows_everything_the_panels_need(session):
    session.apply(cmd.SetText(TEXT, "cats"))
    session.train(30, None)
    snap = session.snapshot()
    V = len(snap.vocab)
    assert snap.step == 30 and snap.text_name == "cats" and snap.param_count == session.trainer.model.num_params()
    assert (snap.heads, snap.layers, snap.embed, snap.context) == (2, 1, 16, 16)
    assert len(snap.loss_values) == len(snap.loss_smooth) == len(snap.loss_steps) == 30
    assert snap.baseline_loss is not None and 0 < snap.baseline_loss < np.log(V)
    assert snap.sample is not None and len(snap.sample.text) == len(snap.sample.probs) == len(snap.sample.alternatives)
    assert snap.next_probs.shape == (V,) and snap.next_probs.sum() == pytest.approx(1, abs=1e-4)
    assert snap.next_context and snap.sample.text.endswith(snap.next_context)
    assert snap.embedding_xy.shape == (V, 2) and np.abs(snap.embedding_xy).max() <= 1.0001
    n = len(snap.bigram_chars)
    assert snap.bigram_probs.shape == (n, n) and snap.bigram_chars == snap.vocab[:n]
    t = len(snap.attention_text)
    assert t >= 2 and snap.attention.shape == (1, 2, t, t)
    assert not snap.loss_values.flags.writeable and not snap.attention.flags.writeable


def test_a_new_sample_every_200_steps(session):
    session.train(SAMPLE_EVERY - 1, None)
    assert session.snapshot().sample.step == 0
    session.train(1, None)
    assert session.snapshot().sample.step == SAMPLE_EVERY
    first = session.snapshot().sample
    session.train(SAMPLE_EVERY + 50, None)
    latest = session.snapshot().sample
    assert latest.step == 2 * SAMPLE_EVERY and latest.text != first.text


def test_snapshot_is_rebuilt_only_a_few_times_a_second(session):
    first = session.snapshot(now=10.0)
    session.train(2, None)
    assert session.snapshot(now=10.05) is first
    assert session.snapshot(now=10.5).step == 2
    session.apply(cmd.SetSpeed(3))
    assert session.snapshot(now=10.55).speed == 3, "a command shows at once"


def test_divergence_is_said_in_words(session):
    session.apply(cmd.SetText(TEXT, "cats"))
    session.apply(cmd.SetLearningRate(1000.0))
    session.train(60, None)
    snap = session.snapshot()
    assert np.isfinite(snap.loss_values).all()
    assert snap.lr < 1000.0
    assert snap.notice_is_warning and "learning rate" in snap.notice
