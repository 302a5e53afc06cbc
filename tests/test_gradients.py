"""Every parameter's analytic gradient against central finite differences, in float64."""
import numpy as np
import pytest

from signet_arcade.nn.config import GPTConfig
from signet_arcade.nn.model import GPT

CONFIGS = [  # (config, batch, length): heads=1, layers=1, vocab 2, t < context are all covered
    (GPTConfig(vocab_size=2, context=4, embed=8, heads=1, layers=1), 2, 3),
    (GPTConfig(vocab_size=5, context=6, embed=8, heads=2, layers=2), 3, 6),
    (GPTConfig(vocab_size=7, context=9, embed=12, heads=3, layers=1), 1, 5),
    (GPTConfig(vocab_size=3, context=5, embed=8, heads=4, layers=3), 2, 2),
]
ENTRIES_PER_PARAM = 6
STEP = 1e-5


def _perturbed_model(cfg, seed):
    """A float64 model moved away from its init, so that LayerNorm gains, biases and attention
    patterns are all non-trivial and no gradient vanishes by symmetry."""
    model = GPT(cfg, seed=seed, dtype=np.float64)
    rng = np.random.default_rng(seed + 100)
    for p in model.params.values():
        p += rng.normal(0.0, 0.3, p.shape)
    return model


@pytest.mark.parametrize("cfg, B, t", CONFIGS)
def test_every_parameter_gradient_matches_finite_differences(cfg, B, t):
    model = _perturbed_model(cfg, seed=B * 10 + t)
    rng = np.random.default_rng(t)
    idx = rng.integers(0, cfg.vocab_size, (B, t))
    targets = rng.integers(0, cfg.vocab_size, (B, t))
    _, grads = model.loss_and_grads(idx, targets)
    grads = {k: g.copy() for k, g in grads.items()}   # the model reuses its gradient buffers

    for name, p in model.params.items():
        g = grads[name]
        # a random subset of entries, always including the one with the largest gradient
        picks = set(rng.choice(p.size, min(ENTRIES_PER_PARAM, p.size), replace=False).tolist())
        picks.add(int(np.argmax(np.abs(g))))
        numeric, analytic = [], []
        for j in sorted(picks):
            old = p.flat[j]
            p.flat[j] = old + STEP
            plus = model.loss_and_grads(idx, targets)[0]
            p.flat[j] = old - STEP
            minus = model.loss_and_grads(idx, targets)[0]
            p.flat[j] = old
            numeric.append((plus - minus) / (2 * STEP))
            analytic.append(g.flat[j])
        numeric, analytic = np.array(numeric), np.array(analytic)
        scale = max(np.abs(numeric).max(), np.abs(analytic).max())
        assert scale > 0 or name == "wpe", f"{name}: gradient is zero everywhere sampled"
        rel_error = np.abs(numeric - analytic).max() / max(scale, 1e-12)
        assert rel_error < 1e-5, f"{name}: relative error {rel_error:.2e}"


def test_positions_beyond_the_sequence_get_no_gradient():
    cfg, B, t = CONFIGS[0]
    model = _perturbed_model(cfg, seed=1)
    idx = np.zeros((B, t), int)
    model.loss_and_grads(np.ones((B, cfg.context), int), np.ones((B, cfg.context), int))  # dirty buffers
    _, grads = model.loss_and_grads(idx, idx)
    assert np.all(grads["wpe"][t:] == 0)
    assert np.any(grads["wpe"][:t] != 0)
