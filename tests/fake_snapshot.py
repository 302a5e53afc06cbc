"""A realistic Snapshot made without a model, so scenes can be tested on their own."""
import numpy as np

from signet_arcade.snapshot import Sample, Snapshot, frozen_array

VOCAB = tuple(" etaoinshrdlucmwfgypbvk.,\n!?'T")


def make_snapshot(step: int = 1200, seed: int = 0, heads: int = 4, layers: int = 2) -> Snapshot:
    rng = np.random.default_rng(seed)
    V = len(VOCAB)
    n = 300
    steps = np.linspace(0, step, n).astype(np.int64)
    raw = (3.4 * np.exp(-steps / 600) + 1.4 + 0.15 * rng.standard_normal(n)).astype(np.float32)
    smooth = np.copy(raw)
    for i in range(1, n):
        smooth[i] = 0.95 * smooth[i - 1] + 0.05 * raw[i]
    text = "the cat sat on the mat.\nthe dog ran to the log!"
    probs = rng.uniform(0.05, 1.0, len(text)).astype(np.float32)
    alts = tuple(tuple((VOCAB[j], float(p)) for j, p in zip(rng.choice(V, 3, replace=False), (0.5, 0.3, 0.1)))
                 for _ in text)
    next_probs = rng.dirichlet(np.full(V, 0.3)).astype(np.float32)
    N = 16
    big = rng.dirichlet(np.full(N, 0.2), size=N).astype(np.float32)
    t = 24
    att = rng.random((layers, heads, t, t)).astype(np.float32)
    att *= np.tril(np.ones((t, t), np.float32))
    att /= att.sum(-1, keepdims=True)
    return Snapshot(
        step=step, running=True, text_name="Nursery songs", text_length=5000, vocab=VOCAB,
        param_count=28_000, heads=heads, layers=layers, embed=32, context=32,
        loss_steps=frozen_array(steps), loss_values=frozen_array(raw), loss_smooth=frozen_array(smooth),
        baseline_loss=2.4,
        sample=Sample(text=text, probs=frozen_array(probs), alternatives=alts, step=step // 200 * 200),
        next_context="the ca", next_probs=frozen_array(next_probs),
        embedding_xy=frozen_array(rng.uniform(-1, 1, (V, 2)).astype(np.float32)),
        bigram_chars=VOCAB[:N], bigram_probs=frozen_array(big),
        bigram_sentences=("After 'q' the model is sure a 'u' comes next.",
                          "After 't' it usually expects 'h'."),
        attention_text=text[:t], attention=frozen_array(att),
    )
