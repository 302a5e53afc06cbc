"""The model world: a character-level GPT in NumPy, its training, sampling and introspection.

Nothing here imports pygame; the app reads the trainer through snapshots.
"""
from signet_arcade.nn.baseline import bigram_baseline_loss
from signet_arcade.nn.checkpoint import CheckpointError, load_checkpoint, save_checkpoint
from signet_arcade.nn.config import DEFAULT_BATCH_SIZE, LIMITS, GPTConfig
from signet_arcade.nn.introspect import attention_weights, embedding_projection, learned_bigrams
from signet_arcade.nn.model import GPT
from signet_arcade.nn.optim import AdamW, clip_grad_norm
from signet_arcade.nn.sampling import GeneratedText, generate, next_char_probs
from signet_arcade.nn.tokenizer import MAX_VOCAB, UNKNOWN, CharTokenizer, clean_text
from signet_arcade.nn.trainer import Trainer

__all__ = [
    "AdamW", "CharTokenizer", "CheckpointError", "DEFAULT_BATCH_SIZE", "GPT", "GPTConfig",
    "GeneratedText", "LIMITS", "MAX_VOCAB", "Trainer", "UNKNOWN", "attention_weights",
    "bigram_baseline_loss", "clean_text", "clip_grad_norm", "embedding_projection", "generate",
    "learned_bigrams", "load_checkpoint", "next_char_probs", "save_checkpoint",
]
