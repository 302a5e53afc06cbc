"""Every preset gives real, repeatable text; curators' files and visitors' files are handled safely."""
import pytest

from signet_arcade.presets import (DEFAULT_PRESET, TextFileError, UnknownPreset, list_presets,
                                   load_preset, read_text_file)
from signet_arcade.presets import registry, stdlib_code

BUILT_IN = [p.name for p in list_presets()]


def test_there_are_at_least_six_presets_with_descriptions_and_the_default_is_one():
    presets = list_presets()
    assert len(presets) >= 6
    assert DEFAULT_PRESET in BUILT_IN
    assert len(set(BUILT_IN)) == len(BUILT_IN)
    for p in presets:
        assert p.description and "\n" not in p.description


@pytest.mark.parametrize("name", BUILT_IN)
def test_every_preset_loads_non_trivial_text(name):
    text = load_preset(name)
    assert len(text) >= 3000, f"{name} is too small for a model to learn from"
    assert len(set(text)) >= 2
    assert "\r" not in text


def test_generated_presets_are_the_same_every_time():
    from signet_arcade.presets import names, patterns, sums
    for generate in (names.generate, sums.generate, patterns.generate):
        assert generate() == generate()
    assert names.generate(seed=1) != names.generate(seed=2)


def test_sums_are_correct():
    for line in load_preset("sums").splitlines():
        if "=" in line:
            left, right = line.split(" = ")
            a, op, b = left.split()
            assert (int(a) + int(b) if op == "+" else int(a) - int(b)) == int(right)


def test_python_preset_is_read_from_this_interpreter_and_capped():
    text = stdlib_code.load()
    assert "def " in text and "# ---- bisect.py ----" in text
    assert len(text) <= stdlib_code.MAX_CHARS and text.endswith("\n")
    assert text == stdlib_code.load()


def test_python_preset_says_clearly_when_no_library_can_be_read(monkeypatch):
    monkeypatch.setattr(stdlib_code, "_module_source", lambda name: None)
    with pytest.raises(ValueError, match="could not be read"):
        stdlib_code.load()


def test_preset_text_is_loaded_once_and_kept():
    calls = []
    preset = registry.Preset("x", "counting calls", lambda: calls.append(1) or "abc")
    assert preset.load() == preset.load() == "abc"
    assert calls == [1]


def test_an_unknown_name_lists_the_choices():
    with pytest.raises(UnknownPreset) as e:
        load_preset("no-such-text")
    assert isinstance(e.value, ValueError)
    assert "no-such-text" in str(e.value) and DEFAULT_PRESET in str(e.value)


def test_a_curators_folder_adds_presets(tmp_path):
    (tmp_path / "harbour.txt").write_text("# Songs of our harbour\nThe boats come home.\n" * 3)
    (tmp_path / "plain.txt").write_text("Just some words, no description.\n")
    (tmp_path / "notes.md").write_text("ignored: not a .txt file")
    presets = {p.name: p for p in list_presets(tmp_path)}
    assert presets["harbour"].description == "Songs of our harbour"
    assert presets["harbour"].load().startswith("The boats come home.")
    assert presets["plain"].description == "Text from plain.txt"
    assert "notes" not in presets
    assert load_preset("plain", tmp_path) == "Just some words, no description.\n"
    assert [p.name for p in list_presets(tmp_path)][:len(BUILT_IN)] == BUILT_IN


def test_a_curators_file_replaces_a_built_in_of_the_same_name(tmp_path):
    (tmp_path / "rhymes.txt").write_text("Our own rhymes.\n")
    assert load_preset("rhymes", tmp_path) == "Our own rhymes.\n"
    assert len(list_presets(tmp_path)) == len(BUILT_IN)


def test_bad_files_in_a_curators_folder_are_skipped(tmp_path):
    (tmp_path / "picture.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (tmp_path / "good.txt").write_text("fine text\n")
    names = [p.name for p in list_presets(tmp_path)]
    assert "good" in names and "picture" not in names
    assert [p.name for p in list_presets(tmp_path / "missing")] == BUILT_IN


def test_read_text_file_decodes_any_encoding(tmp_path):
    cases = {
        "utf8.txt": "café ☕ שלום 🙂\r\nnext".encode("utf-8"),
        "bom.txt": "\ufeffcafé".encode("utf-8"),
        "utf16.txt": "café".encode("utf-16"),
        "latin1.txt": "café crème".encode("latin-1"),
    }
    expected = {"utf8.txt": "café ☕ שלום 🙂\nnext", "bom.txt": "café", "utf16.txt": "café",
                "latin1.txt": "café crème"}
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
        assert read_text_file(tmp_path / name) == expected[name]


@pytest.mark.parametrize("content, message", [
    (b"\x7fELF\x02\x01\x01\x00\x00\x00", "does not look like text"),
    (bytes(range(1, 32)) * 20, "does not look like text"),
    (b"", "empty"),
    (b" \n\n\t ", "empty"),
])
def test_read_text_file_refuses_non_text_clearly(tmp_path, content, message):
    path = tmp_path / "dropped.txt"
    path.write_bytes(content)
    with pytest.raises(TextFileError, match=message):
        read_text_file(path)


def test_read_text_file_refuses_big_missing_and_folder_paths(tmp_path):
    big = tmp_path / "big.txt"
    big.write_text("a" * 2000)
    with pytest.raises(TextFileError, match="too big"):
        read_text_file(big, max_bytes=1000)
    with pytest.raises(TextFileError, match="Could not find"):
        read_text_file(tmp_path / "nope.txt")
    with pytest.raises(TextFileError, match="folder"):
        read_text_file(tmp_path)
