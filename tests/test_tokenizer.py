import numpy as np
import pytest

from signet_arcade.nn import CharTokenizer
from signet_arcade.nn.baseline import bigram_baseline_loss
from signet_arcade.nn.tokenizer import UNKNOWN, clean_text


def test_vocab_is_most_frequent_first_with_ties_by_code_point():
    tok = CharTokenizer.from_text("cabbage cab")
    # a:3 b:3 c:2 ' ':1 e:1 g:1 ; ties broken by code point
    assert tok.chars == ("a", "b", "c", " ", "e", "g")
    assert tok.vocab_size == 6


def test_round_trip_of_any_unicode():
    text = "Café naïve — שלום עולם 🙂👍🏽 日本語\tend\n"
    tok = CharTokenizer.from_text(text)
    ids = tok.encode(text)
    assert ids.dtype == np.int64 and ids.shape == (len(text),)
    assert tok.decode(ids) == text
    assert "🙂" in tok.chars and "ש" in tok.chars


def test_line_ends_become_newlines_and_control_characters_are_dropped():
    text = "a\r\nb\rc\u2028d\x00e\x07f\x1b\x7fg\th"
    assert clean_text(text) == "a\nb\nc\nd" + "efg\th"
    tok = CharTokenizer.from_text(text)
    assert "\r" not in tok.chars and "\x00" not in tok.chars
    assert tok.decode(tok.encode(text)) == clean_text(text)


def test_letter_and_combining_mark_become_one_character():
    tok = CharTokenizer.from_text("e\u0301te\u0301")
    assert tok.chars == ("\u00e9", "t")


def test_lone_surrogates_do_not_crash():
    tok = CharTokenizer.from_text("ab\ud800cd")
    assert tok.decode(tok.encode("ab\ud800cd")) == "abcd"


@pytest.mark.parametrize("text", ["", "aaaa", "\x00\x01\x02", "\r\n\r\n"])
def test_too_few_distinct_characters_is_a_clear_error(text):
    with pytest.raises(ValueError, match="at least two different characters"):
        CharTokenizer.from_text(text)


def test_not_a_string_is_a_clear_error():
    with pytest.raises(ValueError, match="must be text"):
        CharTokenizer.from_text(b"bytes")


def test_large_vocabulary_is_capped_with_an_unknown_symbol():
    common = "etaoin shrdlu"
    rare = "".join(chr(0x4E00 + i) for i in range(300))
    text = common * 50 + rare
    tok = CharTokenizer.from_text(text, max_vocab=40)
    assert tok.vocab_size == 40
    assert tok.chars[-1] == UNKNOWN and tok.unknown_id == 39
    assert set(common) <= set(tok.chars)
    ids = tok.encode(rare)
    assert (ids == tok.unknown_id).sum() >= 300 - 40
    assert tok.decode(tok.encode(common)) == common


def test_unseen_character_without_unknown_symbol_is_a_clear_error():
    tok = CharTokenizer.from_text("abc")
    with pytest.raises(ValueError, match="not one the model knows"):
        tok.encode("abz")


def test_decode_rejects_ids_outside_the_vocabulary():
    tok = CharTokenizer.from_text("abc")
    with pytest.raises(ValueError):
        tok.decode([0, 3])


def test_bigram_baseline_matches_a_direct_count():
    text = "abababbbaab" * 3
    tok = CharTokenizer.from_text(text)
    ids = tok.encode(text)
    V = tok.vocab_size
    counts = np.ones((V, V))
    for a, b in zip(ids[:-1], ids[1:]):
        counts[a, b] += 1
    probs = counts / counts.sum(1, keepdims=True)
    expected = -np.mean([np.log(probs[a, b]) for a, b in zip(ids[:-1], ids[1:])])
    assert bigram_baseline_loss(ids, V) == pytest.approx(expected, rel=1e-9)


def test_bigram_baseline_is_low_for_a_predictable_text():
    ids = CharTokenizer.from_text("abcd" * 500).encode("abcd" * 500)
    assert bigram_baseline_loss(ids, 4) < 0.01
