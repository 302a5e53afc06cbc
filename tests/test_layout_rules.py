"""Rules of the house that code review would otherwise have to remember."""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_model_code_never_imports_pygame():
    files = list((ROOT / "signet_arcade" / "nn").rglob("*.py"))
    offenders = [str(f) for f in files if {"pygame", "pygame_gui"} & _imports(f)]
    assert offenders == []


def test_dependencies_never_name_plain_pygame():
    text = (ROOT / "pyproject.toml").read_text()
    deps = [line.strip().strip('",').lower() for line in text.splitlines() if line.strip().startswith('"')]
    assert not any(d.startswith("pygame") and not d.startswith(("pygame-ce", "pygame_gui")) for d in deps)


def test_snapshot_arrays_are_read_only():
    from signet_arcade.snapshot import Snapshot
    snap = Snapshot()
    assert not snap.loss_values.flags.writeable
