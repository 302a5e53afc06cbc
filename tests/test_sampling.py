import warnings

import numpy as np
import pytest

from signet_arcade.nn import GPT, GPTConfig, Trainer
from signet_arcade.nn.decode import Decoder
from signet_arcade.nn.sampling import GREEDY_BELOW, generate, next_char_probs, softmax
from signet_arcade.sample_writer import SampleWriter

from english import ENGLISH, trained_on_english


@pytest.fixture(scope="module")
def trained():
    return trained_on_english(heads=2, layers=1, steps=150)


def fixed_distribution_model(logits) -> GPT:
    """A model whose next-character logits are `logits` whatever the context (head.w = 0)."""
    model = GPT(GPTConfig(vocab_size=len(logits), context=4, embed=8, heads=1, layers=1))
    model.params["head.w"][...] = 0
    model.params["head.b"][...] = logits
    return model


class Chars:
    def __init__(self, n):
        self.chars = tuple("abcdefghijklmnop"[:n])

    def decode(self, ids):
        return "".join(self.chars[i] for i in ids)


def test_each_character_comes_with_the_probability_the_model_gave_it(trained):
    prompt = trained.data[:5]
    out = generate(trained.model, trained.tokenizer, prompt, 40, 0.8, np.random.default_rng(1))
    assert len(out.text) == 40 and out.ids.shape == (40,) and out.probs.dtype == np.float32
    assert trained.tokenizer.decode(out.ids) == out.text
    seq = np.concatenate([prompt, out.ids])
    for i in (0, 7, 20, 39):             # 20 and 39: beyond the 16-character context, cropped
        belief = next_char_probs(trained.model, seq[:5 + i])
        assert out.probs[i] == pytest.approx(belief[out.ids[i]], rel=1e-4)
        best = out.alternatives[i]
        assert len(best) == 3 and best[0][1] == pytest.approx(belief.max(), rel=1e-4)
        assert [p for _, p in best] == sorted((p for _, p in best), reverse=True)
        assert best[0][0] == trained.tokenizer.chars[int(np.argmax(belief))]


def test_padded_window_gives_the_same_distribution_as_the_exact_forward(trained):
    ids = trained.data[:6]
    exact = softmax(trained.model.forward(ids[None, :])[0, -1])
    np.testing.assert_allclose(next_char_probs(trained.model, ids), exact, rtol=1e-4, atol=1e-6)
    long = trained.data[:100]
    np.testing.assert_allclose(next_char_probs(trained.model, long),
                               next_char_probs(trained.model, long[-16:]), rtol=1e-4, atol=1e-6)
    assert next_char_probs(trained.model, long).sum() == pytest.approx(1.0, abs=1e-5)


@pytest.mark.parametrize("temperature", [0.0, 1e-12, 1e-4])
def test_zero_or_tiny_temperature_is_greedy(trained, temperature):
    prompt = trained.data[:5]
    out = generate(trained.model, trained.tokenizer, prompt, 30, temperature, np.random.default_rng(0))
    again = generate(trained.model, trained.tokenizer, prompt, 30, temperature, np.random.default_rng(9))
    assert out.text == again.text
    assert all(p == pytest.approx(alts[0][1]) for p, alts in zip(out.probs, out.alternatives))
    greedy = next_char_probs(trained.model, prompt, temperature)
    assert greedy.max() == 1.0 and greedy.sum() == 1.0


def test_the_generator_decides_the_sample(trained):
    prompt = trained.data[:5]
    texts = [generate(trained.model, trained.tokenizer, prompt, 60, 1.0, np.random.default_rng(s)).text
             for s in (4, 4, 5)]
    assert texts[0] == texts[1] != texts[2]


def test_samples_follow_the_tempered_distribution():
    logits = np.log(np.array([0.6, 0.3, 0.1], np.float32))
    model = fixed_distribution_model(logits)
    for temperature in (1.0, 0.5):
        out = generate(model, Chars(3), [0], 2000, temperature, np.random.default_rng(0))
        expected = np.exp(logits / temperature) / np.exp(logits / temperature).sum()
        np.testing.assert_allclose(np.bincount(out.ids, minlength=3) / 2000, expected, atol=0.03)
        np.testing.assert_allclose(out.probs, np.exp(logits)[out.ids], rtol=1e-5)  # belief at temperature 1


def test_broken_weights_never_give_nan_nor_warnings():
    model = fixed_distribution_model(np.array([0.0, np.nan, 1.0], np.float32))
    model.params["wte"][...] = 1e30
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_allclose(next_char_probs(model, [0]), np.full(3, 1 / 3, np.float32))
        out = generate(model, Chars(3), [0], 10, 0.4, np.random.default_rng(0))
    assert np.isfinite(out.probs).all() and len(out.text) == 10


@pytest.mark.parametrize("call, words", [
    (lambda m, t: generate(m, t, [], 5, 1.0, np.random.default_rng()), "at least one character"),
    (lambda m, t: generate(m, t, [99], 5, 1.0, np.random.default_rng()), "outside"),
    (lambda m, t: generate(m, t, [0], 5, -1.0, np.random.default_rng()), "temperature"),
    (lambda m, t: generate(m, t, [0], 5, float("nan"), np.random.default_rng()), "temperature"),
    (lambda m, t: generate(m, t, [0], 10**9, 1.0, np.random.default_rng()), "number of characters"),
    (lambda m, t: next_char_probs(m, np.zeros((2, 2), np.int64)), "at least one character"),
])
def test_bad_requests_are_clear_value_errors(trained, call, words):
    with pytest.raises(ValueError, match=words):
        call(trained.model, trained.tokenizer)


# --- the incremental decoder against the full forward -------------------------------------

def lively_model(cfg: GPTConfig, seed: int = 0) -> GPT:
    """Random weights large enough that every position's attention and output differ."""
    model = GPT(cfg, seed=seed)
    rng = np.random.default_rng(seed)
    for p in model.params.values():
        p += rng.normal(0, 0.3, p.shape).astype(p.dtype)
    return model


def full_forward_probs(model: GPT, ids) -> np.ndarray:
    """(V,) the distribution after ids from one plain forward over their last `context`."""
    window = np.asarray(ids)[-model.cfg.context:]
    return softmax(model.forward(window[None, :])[0, -1])


def reference_generate(model: GPT, prompt, n: int, temperature: float, rng) -> tuple[list, list]:
    """The sampler as a full forward per character: (ids, probability the model gave each)."""
    seq, probs = list(prompt), []
    for _ in range(n):
        belief = full_forward_probs(model, seq)
        if temperature < GREEDY_BELOW:
            choice = int(np.argmax(belief))
        else:
            tempered = (belief / belief.max()) ** (1.0 / temperature)
            cdf = np.cumsum(tempered)
            choice = min(int(np.searchsorted(cdf, rng.random() * cdf[-1], side="right")), belief.size - 1)
        seq.append(choice)
        probs.append(belief[choice])
    return seq[len(prompt):], probs


CONFIGS = [GPTConfig(vocab_size=11, context=8, embed=16, heads=2, layers=2),
           GPTConfig(vocab_size=2, context=5, embed=8, heads=2, layers=3),    # vocab 2
           GPTConfig(vocab_size=7, context=2, embed=12, heads=3, layers=1)]   # the smallest context


@pytest.mark.parametrize("cfg", CONFIGS, ids=lambda c: f"V{c.vocab_size}T{c.context}L{c.layers}")
def test_decoder_gives_the_full_forward_logits_token_by_token_and_past_the_context(cfg):
    model = lively_model(cfg)
    seq = np.random.default_rng(1).integers(0, cfg.vocab_size, 3 * cfg.context + 2)
    decoder = Decoder(cfg, model.params)
    decoder.feed(seq[:1])
    for end in range(1, seq.size):
        logits = model.forward(seq[max(0, end - cfg.context):end][None, :])[0, -1]
        np.testing.assert_allclose(decoder.next_logits(), logits, rtol=1e-5, atol=1e-5)
        decoder.feed(seq[end:end + 1])


@pytest.mark.parametrize("chunks", [[3, 1, 4, 1, 5, 9], [1, 20], [26]])
def test_feeding_tokens_in_any_chunks_gives_the_same_logits(chunks):
    cfg = CONFIGS[0]
    model = lively_model(cfg)
    seq = np.random.default_rng(2).integers(0, cfg.vocab_size, sum(chunks))
    decoder, start = Decoder(cfg, model.params), 0
    for n in chunks:
        decoder.feed(seq[start:start + n])
        start += n
        expected = model.forward(seq[max(0, start - cfg.context):start][None, :])[0, -1]
        np.testing.assert_allclose(decoder.next_logits(), expected, rtol=1e-5, atol=1e-5)


def test_decoder_keeps_the_weights_it_was_made_with():
    cfg = CONFIGS[0]
    model = lively_model(cfg)
    before = model.forward(np.array([[1, 2, 3]]))[0, -1]
    decoder = Decoder(cfg, model.params)
    decoder.feed([1, 2])
    decoder.next_logits()
    for p in model.params.values():
        p *= 1.5                                         # training moves the weights in place
    decoder.feed([3])
    np.testing.assert_allclose(decoder.next_logits(), before, rtol=1e-5, atol=1e-5)


def test_decoder_needs_a_token_first():
    with pytest.raises(ValueError, match="at least one token"):
        Decoder(CONFIGS[0], lively_model(CONFIGS[0]).params).next_logits()


@pytest.mark.parametrize("cfg", CONFIGS, ids=lambda c: f"V{c.vocab_size}T{c.context}L{c.layers}")
@pytest.mark.parametrize("temperature", [1.0, 0.4, 0.05, 1e-4, 0.0])
def test_generate_writes_what_a_full_forward_per_character_writes(cfg, temperature):
    model = lively_model(cfg, seed=3)
    chars = Chars(cfg.vocab_size)
    n = 3 * cfg.context + 3                              # well past the context window
    out = generate(model, chars, [0, 1], n, temperature, np.random.default_rng(5))
    ids, probs = reference_generate(model, [0, 1], n, temperature, np.random.default_rng(5))
    assert out.ids.tolist() == ids
    np.testing.assert_allclose(out.probs, probs, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(next_char_probs(model, np.concatenate([[0, 1], out.ids])),
                               full_forward_probs(model, np.concatenate([[0, 1], out.ids])), rtol=1e-5, atol=1e-6)


def test_a_sample_written_in_chunks_while_training_is_the_one_of_its_step():
    trainer = Trainer(ENGLISH, GPTConfig(vocab_size=2, context=8, embed=16, heads=2, layers=1), lr=3e-2)
    prompt = trainer.data[:1]
    whole = SampleWriter(trainer.model, trainer.tokenizer, prompt, 0.7, seed=4, step=0)
    whole.write(50)
    chunked = SampleWriter(trainer.model, trainer.tokenizer, prompt, 0.7, seed=4, step=0)
    for n in (3, 4, 0, 20, 23):
        chunked.write(n)
        trainer.step()                                   # the model changes between chunks
    a, b = whole.sample(), chunked.sample()
    assert a.text == b.text and len(b.text) == 50 and b.step == 0
    np.testing.assert_array_equal(a.probs, b.probs)
    assert a.alternatives == b.alternatives
