
import warnings

import numpy as np
import pytest

from signet_arcade.nn import GPTConfig, Trainer
from signet_arcade.nn.introspect import attention_weights, embedding_projection, learned_bigrams
from signet_arcade.nn.sampling import softmax

from english import ENGLISH, trained_on_english


@pytest.fixture(scope="module")
def trainer():
    return trained_on_english(heads=4, layers=2, steps=100)


def test_bigram_table_rows_are_the_models_guess_after_each_single_character(trainer):
    model, V = trainer.model, trainer.cfg.vocab_size
    table = learned_bigrams(model)
    assert table.shape == (V, V) and table.dtype == np.float32
    np.testing.assert_allclose(table.sum(axis=1), 1.0, atol=1e-5)
    for a in (0, 5, V - 1):
        alone = softmax(model.forward(np.array([[a]]))[0, 0])
        np.testing.assert_allclose(table[a], alone, rtol=1e-4, atol=1e-7)
    # training has taught it something about pairs: rows differ from each other
    assert np.abs(table[0] - table[1]).max() > 0.05


def test_attention_of_a_short_context(trainer):
    ids = trainer.data[:10]
    att = attention_weights(trainer.model, ids)
    assert att.shape == (2, 4, 10, 10) and att.dtype == np.float32
    np.testing.assert_allclose(att.sum(axis=-1), 1.0, atol=1e-5)
    assert np.all(np.triu(att, k=1) == 0)                 # causal: nobody looks ahead
    np.testing.assert_allclose(att, trainer.model.attention_maps(ids[None, :]), rtol=1e-4, atol=1e-6)


def test_attention_of_a_long_text_is_its_last_context(trainer):
    ids = trainer.data[:50]
    att = attention_weights(trainer.model, ids)
    assert att.shape == (2, 4, 16, 16)
    np.testing.assert_allclose(att, attention_weights(trainer.model, ids[-16:]), rtol=1e-5)


def test_embedding_projection_fills_the_square(trainer):
    xy = embedding_projection(trainer.model.params["wte"])
    assert xy.shape == (trainer.cfg.vocab_size, 2) and xy.dtype == np.float32
    np.testing.assert_allclose(np.abs(xy).max(axis=0), 1.0, rtol=1e-6)
    # same picture for the same weights, also with itself as the previous frame
    np.testing.assert_array_equal(xy, embedding_projection(trainer.model.params["wte"]))
    np.testing.assert_allclose(embedding_projection(trainer.model.params["wte"], xy), xy, atol=1e-6)


def nearly_tied_points(spread0: float, spread1: float, first: float, second: float) -> np.ndarray:
    """wte (6, 8) whose two principal axes have nearly the same spread and whose extreme points
    on each axis are nearly as far out as their opposites: the weights that make PCA jump."""
    w = np.zeros((6, 8), np.float32)
    w[:, 0] = [first * spread0, second * spread0, 0, 0, 0.1, -0.1]
    w[:, 1] = [0, 0, first * spread1, second * spread1, 0.05, -0.05]
    return w + 0.3     # an offset PCA must remove


def test_projection_does_not_flip_or_swap_between_frames():
    before = nearly_tied_points(1.02, 1.0, -1.01, 1.0)
    after = nearly_tied_points(1.0, 1.02, -1.0, 1.01)       # a tiny change in the weights
    first = embedding_projection(before)
    alone = embedding_projection(after)
    followed = embedding_projection(after, previous=first)
    # Without memory the fixed rules alone would jump (else this test proves nothing) ...
    assert np.abs(alone - first).max() > 1.0
    # ... with the previous frame every point stays where it was, give or take the small change.
    assert np.abs(followed - first).max() < 0.05


def test_broken_embeddings_keep_the_last_picture():
    w = nearly_tied_points(1.02, 1.0, -1.01, 1.0)
    last = embedding_projection(w)
    w[2, 3] = np.nan
    np.testing.assert_array_equal(embedding_projection(w, previous=last), last)
    assert np.array_equal(embedding_projection(w), np.zeros((6, 2), np.float32))


def test_two_characters_have_one_axis():
    xy = embedding_projection(np.array([[1.0, 2.0, 3.0], [3.0, 2.0, 1.0]], np.float32))
    assert np.isfinite(xy).all() and np.allclose(xy[:, 1], 0) and np.allclose(np.abs(xy[:, 0]), 1)


def test_blown_up_weights_give_finite_panels_without_warnings():
    trainer = Trainer(ENGLISH, GPTConfig(vocab_size=2, context=8, embed=8, heads=2, layers=1))
    trainer.model.params["h0.attn.wqkv"][...] = 1e30
    trainer.model.params["head.w"][...] = 1e30
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        table = learned_bigrams(trainer.model)
        att = attention_weights(trainer.model, trainer.data[:8])
    assert np.isfinite(table).all() and np.allclose(table.sum(axis=1), 1.0)
    assert np.isfinite(att).all()
