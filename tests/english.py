"""A few KB of original English prose, and a small model trained on it, for the nn tests."""
from pathlib import Path

from signet_arcade.nn import GPTConfig, Trainer

ENGLISH = (Path(__file__).parent / "data" / "lighthouse.txt").read_text(encoding="utf-8")


def trained_on_english(heads: int, layers: int, steps: int) -> Trainer:
    """A context-16, embed-32 model after `steps` steps at a brisk learning rate."""
    trainer = Trainer(ENGLISH, GPTConfig(vocab_size=2, context=16, embed=32, heads=heads, layers=layers),
                      lr=3e-3, batch_size=16)
    for _ in range(steps):
        trainer.step()
    return trainer
