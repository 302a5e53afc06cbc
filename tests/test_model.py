"""The GPT's contract: names and shapes, validation, dtypes, determinism, causality, attention maps."""
import sys
from pathlib import Path

import numpy as np
import pytest

from signet_arcade.nn.config import DEFAULT_BATCH_SIZE, LIMITS, GPTConfig
from signet_arcade.nn.model import GPT
from signet_arcade.nn.optim import AdamW, clip_grad_norm

SMALL = GPTConfig(vocab_size=11, context=8, embed=16, heads=2, layers=2)


def _batch(cfg, B, t, seed=0):
    rng = np.random.default_rng(seed)
    return rng.integers(0, cfg.vocab_size, (B, t)), rng.integers(0, cfg.vocab_size, (B, t))


# --- parameters --------------------------------------------------------------------------------

def test_parameter_names_and_shapes_follow_the_issue():
    C, V, T = 16, 11, 8
    expected = {"wte": (V, C), "wpe": (T, C)}
    for i in range(2):
        expected.update({
            f"h{i}.ln1.g": (C,), f"h{i}.ln1.b": (C,), f"h{i}.attn.wqkv": (C, 3 * C), f"h{i}.attn.bqkv": (3 * C,),
            f"h{i}.attn.wo": (C, C), f"h{i}.attn.bo": (C,), f"h{i}.ln2.g": (C,), f"h{i}.ln2.b": (C,),
            f"h{i}.mlp.w1": (C, 4 * C), f"h{i}.mlp.b1": (4 * C,), f"h{i}.mlp.w2": (4 * C, C), f"h{i}.mlp.b2": (C,)})
    expected.update({"lnf.g": (C,), "lnf.b": (C,), "head.w": (C, V), "head.b": (V,)})
    model = GPT(SMALL)
    assert {k: p.shape for k, p in model.params.items()} == expected
    assert all(p.dtype == np.float32 for p in model.params.values())
    per_layer = 12 * C * C + 13 * C
    assert model.num_params() == V * C + T * C + 2 * per_layer + 2 * C + C * V + V


def test_only_float32_or_float64():
    assert GPT(SMALL, dtype=np.float64).params["wte"].dtype == np.float64
    with pytest.raises(ValueError, match="float32"):
        GPT(SMALL, dtype=np.float16)


def test_init_follows_nanogpt():
    model = GPT(GPTConfig(vocab_size=50, context=64, embed=64, heads=4, layers=4), seed=3)
    P = model.params
    assert np.all(P["h0.ln1.g"] == 1) and np.all(P["h0.ln1.b"] == 0) and np.all(P["h2.mlp.b1"] == 0)
    assert abs(P["h1.mlp.w1"].std() - 0.02) < 0.002
    assert abs(P["h1.mlp.w2"].std() - 0.02 / np.sqrt(8)) < 0.001   # residual projection
    assert abs(P["h3.attn.wo"].std() - 0.02 / np.sqrt(8)) < 0.001


# --- configuration -------------------------------------------------------------------------------

def test_default_config_is_valid_and_in_limits():
    cfg = GPTConfig(vocab_size=40)
    for name, (low, high) in LIMITS.items():
        assert low <= getattr(cfg, name) <= high
    assert cfg.embed % cfg.heads == 0
    assert DEFAULT_BATCH_SIZE >= 1


def test_embed_not_divisible_by_heads_is_explained():
    with pytest.raises(ValueError, match=r"embed \(30\) must be divisible by heads \(4\)"):
        GPTConfig(vocab_size=10, embed=30, heads=4)


@pytest.mark.parametrize("name", sorted(LIMITS))
def test_values_out_of_range_are_explained(name):
    low, high = LIMITS[name]
    for bad in (low - 1, high + 1):
        kwargs = {"vocab_size": 10, name: bad}
        with pytest.raises(ValueError, match=f"between {low} and {high}"):
            GPTConfig(**kwargs)


@pytest.mark.parametrize("bad", [2.5, "4", None, True])
def test_non_whole_numbers_are_refused(bad):
    with pytest.raises(ValueError, match="whole number"):
        GPTConfig(vocab_size=10, heads=bad)


def test_numpy_integers_become_plain_ints():
    cfg = GPTConfig(vocab_size=np.int64(10), embed=np.int32(32))
    assert type(cfg.vocab_size) is int and type(cfg.embed) is int


# --- forward -------------------------------------------------------------------------------------

def test_forward_shape_and_dtype():
    model = GPT(SMALL)
    idx, targets = _batch(SMALL, 3, 5)
    logits = model.forward(idx)
    assert logits.shape == (3, 5, 11) and logits.dtype == np.float32
    loss, grads = model.loss_and_grads(idx, targets)
    assert isinstance(loss, float) and abs(loss - np.log(11)) < 0.1   # near-uniform at init
    assert all(grads[k].shape == p.shape and grads[k].dtype == np.float32 for k, p in model.params.items())


@pytest.mark.parametrize("idx", [
    np.zeros((2, 0), int),                # empty
    np.zeros((2, 9), int),                # longer than the context
    np.zeros(5, int),                     # 1-D
    np.zeros((1, 2, 3), int),             # 3-D
    np.zeros((2, 4), np.float32),         # not token ids
    np.full((2, 4), 11),                  # id beyond the vocabulary
    np.full((2, 4), -1),                  # negative id would silently wrap around
])
def test_bad_token_arrays_are_refused(idx):
    model = GPT(SMALL)
    with pytest.raises(ValueError):
        model.forward(idx)
    with pytest.raises(ValueError):
        model.loss_and_grads(idx, idx)


def test_targets_must_match_idx():
    model = GPT(SMALL)
    idx, _ = _batch(SMALL, 2, 5)
    with pytest.raises(ValueError, match="must match"):
        model.loss_and_grads(idx, idx[:, :4])


def test_a_position_never_sees_the_future():
    model = GPT(SMALL, seed=1)
    idx, _ = _batch(SMALL, 2, 8)
    full = model.forward(idx)
    changed = idx.copy()
    changed[:, 5:] = (changed[:, 5:] + 1) % SMALL.vocab_size
    np.testing.assert_array_equal(model.forward(changed)[:, :5], full[:, :5])
    np.testing.assert_allclose(model.forward(idx[:, :5]), full[:, :5], rtol=1e-5, atol=1e-6)


def test_rows_of_a_batch_are_independent():
    model = GPT(SMALL, seed=2)
    idx, _ = _batch(SMALL, 3, 6)
    batched = model.forward(idx)
    for b in range(3):
        np.testing.assert_allclose(model.forward(idx[b:b + 1])[0], batched[b], rtol=1e-5, atol=1e-6)


def test_reused_buffers_do_not_leak_between_shapes():
    """Workspaces are cached per (B, t); interleaving many shapes must not change any result."""
    model, fresh = GPT(SMALL, seed=4), GPT(SMALL, seed=4)
    idx, targets = _batch(SMALL, 2, 7)
    for t in range(1, 9):
        model.loss_and_grads(*_batch(SMALL, 1 + t % 3, t, seed=t))
    loss, grads = model.loss_and_grads(idx, targets)
    fresh_loss, fresh_grads = fresh.loss_and_grads(idx, targets)
    assert loss == fresh_loss
    for k in grads:
        np.testing.assert_array_equal(grads[k], fresh_grads[k])


# --- determinism ---------------------------------------------------------------------------------

def _train(seed, steps=4):
    model = GPT(SMALL, seed=seed)
    opt = AdamW(model.params, lr=1e-2)
    losses = []
    for s in range(steps):
        loss, grads = model.loss_and_grads(*_batch(SMALL, 4, 8, seed=s))
        clip_grad_norm(grads, 1.0)
        opt.step(grads)
        losses.append(loss)
    return model, losses


def test_same_seed_same_params_and_same_losses_bit_for_bit():
    a, losses_a = _train(seed=5)
    b, losses_b = _train(seed=5)
    assert losses_a == losses_b
    assert all(np.array_equal(a.params[k], b.params[k]) for k in a.params)
    c = GPT(SMALL, seed=6)
    assert not np.array_equal(GPT(SMALL, seed=5).params["wte"], c.params["wte"])


def test_float32_stays_float32_through_training():
    model, _ = _train(seed=0, steps=2)
    assert all(p.dtype == np.float32 for p in model.params.values())
    ws = model._workspace(4, 8)
    arrays = [a for a in vars(ws).values() if isinstance(a, np.ndarray)]
    arrays += [a for c in ws.blocks for a in vars(c).values() if isinstance(a, np.ndarray)]
    assert all(a.dtype == np.float32 for a in arrays)


def test_it_learns_a_fixed_batch():
    model = GPT(SMALL, seed=0)
    opt = AdamW(model.params, lr=1e-2)
    idx, targets = _batch(SMALL, 4, 8)
    first = model.loss_and_grads(idx, targets)[0]
    for _ in range(150):
        loss, grads = model.loss_and_grads(idx, targets)
        opt.step(grads)
    assert loss < 0.1 * first


# --- attention maps ------------------------------------------------------------------------------

def test_attention_maps_are_causal_distributions():
    model = GPT(SMALL, seed=7)
    idx = _batch(SMALL, 1, 6)[0][0]
    maps = model.attention_maps(idx)
    assert maps.shape == (2, 2, 6, 6) and maps.dtype == np.float32
    np.testing.assert_allclose(maps.sum(-1), 1.0, rtol=1e-5)
    below = np.tril(np.ones((6, 6), bool))
    assert np.all(maps[..., ~below] == 0) and np.all(maps[..., below] > 0)
    assert maps[0, 0, 0, 0] == pytest.approx(1.0)      # the first character can only look at itself
    np.testing.assert_array_equal(model.attention_maps(idx[None, :]), maps)


def test_attention_maps_take_one_sequence_only():
    with pytest.raises(ValueError, match="one sequence"):
        GPT(SMALL).attention_maps(np.zeros((2, 4), int))


# --- the same function as PyTorch (only where torch is installed) ----------------------------------

def test_matches_a_pytorch_rebuild_from_the_spec():
    torch = pytest.importorskip("torch")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
    from torch_reference import TorchGPT

    cfg = GPTConfig(vocab_size=7, context=8, embed=12, heads=3, layers=2)
    model = GPT(cfg, seed=3, dtype=np.float64)
    reference = TorchGPT(model.params, cfg)
    idx, targets = _batch(cfg, 2, 6)
    opt, ref_opt = AdamW(model.params, lr=1e-2), reference.optimizer(lr=1e-2)
    for _ in range(3):
        loss, grads = model.loss_and_grads(idx, targets)
        ref_loss = reference.loss(torch.tensor(idx), torch.tensor(targets))
        ref_opt.zero_grad()
        ref_loss.backward()
        assert loss == pytest.approx(ref_loss.item(), rel=1e-12)
        for k in grads:
            np.testing.assert_allclose(grads[k], reference[k].grad.numpy(), rtol=1e-9, atol=1e-12)
        opt.step(grads)
        ref_opt.step()
