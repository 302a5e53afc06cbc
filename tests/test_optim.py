"""AdamW and gradient clipping, on plain dicts and on dicts of views of one flat buffer."""
import numpy as np
import pytest

from signet_arcade.nn.flat import flat_buffer, views_of_one_buffer
from signet_arcade.nn.optim import AdamW, clip_grad_norm

SHAPES = {"w": (3, 4), "b": (4,), "g": (2,)}


def _plain(seed, dtype=np.float64):
    rng = np.random.default_rng(seed)
    return {k: rng.normal(size=s).astype(dtype) for k, s in SHAPES.items()}


def _flat(seed, dtype=np.float64):
    views = views_of_one_buffer(SHAPES, dtype)
    for k, a in _plain(seed, dtype).items():
        views[k][...] = a
    return views


def _reference_adamw(params, grads_per_step, lr, betas, eps, wd):
    """AdamW written out element by element from the paper, for comparison."""
    p = {k: v.copy() for k, v in params.items()}
    m = {k: np.zeros_like(v) for k, v in p.items()}
    v2 = {k: np.zeros_like(v) for k, v in p.items()}
    for t, grads in enumerate(grads_per_step, start=1):
        for k in p:
            g = grads[k]
            m[k] = betas[0] * m[k] + (1 - betas[0]) * g
            v2[k] = betas[1] * v2[k] + (1 - betas[1]) * g * g
            if p[k].ndim == 2:
                p[k] = p[k] - lr * wd * p[k]
            m_hat, v_hat = m[k] / (1 - betas[0] ** t), v2[k] / (1 - betas[1] ** t)
            p[k] = p[k] - lr * m_hat / (np.sqrt(v_hat) + eps)
    return p


@pytest.mark.parametrize("make", [_plain, _flat])
def test_adamw_matches_the_written_out_formula(make):
    params, grads = make(0), make(1)
    assert (flat_buffer(params) is not None) == (make is _flat)
    grad_steps = [_plain(s) for s in (1, 2, 3)]
    expected = _reference_adamw(params, grad_steps, lr=0.1, betas=(0.9, 0.99), eps=1e-8, wd=0.5)
    opt = AdamW(params, lr=0.1, weight_decay=0.5)
    for step_grads in grad_steps:
        for k in grads:
            grads[k][...] = step_grads[k]
        opt.step(grads)
    for k in params:
        np.testing.assert_allclose(params[k], expected[k], rtol=1e-12)


def test_weight_decay_touches_matrices_only():
    params = _flat(0)
    before = {k: p.copy() for k, p in params.items()}
    zero = {k: np.zeros_like(p) for k, p in params.items()}
    AdamW(params, lr=0.1, weight_decay=0.5).step(zero)
    np.testing.assert_allclose(params["w"], before["w"] * (1 - 0.05))
    np.testing.assert_array_equal(params["b"], before["b"])
    np.testing.assert_array_equal(params["g"], before["g"])


def test_bias_correction_makes_the_first_step_lr_sized_and_lr_is_settable():
    params = _plain(0)
    start = params["b"].copy()
    opt = AdamW(params, lr=0.01, weight_decay=0.0)
    grads = _plain(5)
    opt.step(grads)
    np.testing.assert_allclose(params["b"] - start, -0.01 * np.sign(grads["b"]), rtol=1e-5)
    opt.lr = 0.0
    after_first = params["b"].copy()
    opt.step(grads)
    np.testing.assert_array_equal(params["b"], after_first)


def test_float32_params_stay_float32_even_with_a_numpy_float64_lr():
    params = _flat(0, np.float32)
    opt = AdamW(params, lr=np.float64(1e-3))
    opt.step(_flat(1, np.float32))
    assert all(p.dtype == np.float32 for p in params.values())
    assert all(a.dtype == np.float32 for a in opt.state_dict().values() if a.ndim)


def test_state_dict_round_trip_continues_identically():
    a_params, b_params = _flat(0), _flat(0)
    a, b = AdamW(a_params, lr=0.05), AdamW(b_params, lr=0.05)
    for s in (1, 2):
        a.step(_plain(s))
        b.step(_plain(s))
    state = a.state_dict()
    assert set(state) == {"m.w", "m.b", "m.g", "v.w", "v.b", "v.g", "step"} and int(state["step"]) == 2
    restored = AdamW(b_params, lr=0.05)
    restored.load_state_dict(state)
    state["m.w"][...] = 123.0                      # a copy: editing it changes nothing inside
    a.step(_plain(3))
    restored.step(_plain(3))
    for k in a_params:
        np.testing.assert_array_equal(a_params[k], b_params[k])


@pytest.mark.parametrize("spoil", [
    lambda s: s.pop("v.b"),
    lambda s: s.update({"extra": np.zeros(1)}),
    lambda s: s.update({"m.w": np.zeros((4, 3))}),
    lambda s: s["v.w"].__setitem__((0, 0), -1.0),
    lambda s: s["m.g"].__setitem__(0, np.nan),
    lambda s: s.update({"step": np.array(-1)}),
])
def test_a_bad_state_is_refused_and_changes_nothing(spoil):
    params = _flat(0)
    opt = AdamW(params)
    opt.step(_plain(1))
    good = opt.state_dict()
    bad = opt.state_dict()
    spoil(bad)
    with pytest.raises(ValueError):
        opt.load_state_dict(bad)
    after = opt.state_dict()
    assert all(np.array_equal(after[k], good[k]) for k in good)


def test_mismatched_gradients_are_refused():
    opt = AdamW(_plain(0))
    with pytest.raises(ValueError):
        opt.step({"w": np.zeros((3, 4)), "b": np.zeros(4)})
    with pytest.raises(ValueError):
        opt.step({"w": np.zeros((4, 3)), "b": np.zeros(4), "g": np.zeros(2)})


@pytest.mark.parametrize("make", [_plain, _flat])
def test_clip_grad_norm_scales_to_the_limit(make):
    grads = make(0)
    norm = np.sqrt(sum(float((g ** 2).sum()) for g in grads.values()))
    before = {k: g.copy() for k, g in grads.items()}
    assert clip_grad_norm(grads, 1e6) == pytest.approx(norm)
    assert all(np.array_equal(grads[k], before[k]) for k in grads)
    assert clip_grad_norm(grads, 0.5) == pytest.approx(norm)
    assert np.sqrt(sum(float((g ** 2).sum()) for g in grads.values())) == pytest.approx(0.5, rel=1e-5)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_clip_grad_norm_reports_non_finite_and_leaves_grads_alone(bad):
    grads = _flat(0)
    grads["b"][1] = bad
    before = {k: g.copy() for k, g in grads.items()}
    assert not np.isfinite(clip_grad_norm(grads, 1.0))
    for k in grads:
        np.testing.assert_array_equal(grads[k], before[k])
