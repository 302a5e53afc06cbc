"""The performance profile: "full" for an ordinary computer, "pi" for a Raspberry Pi or a slow CPU.

`resolve_profile` turns the requested "auto" into one of the two; `apply_profile` gives Settings
the profile's defaults. The CLI applies the profile to the defaults *before* the config file and
the flags, so whatever a curator or user wrote explicitly wins over the profile.
"""
from __future__ import annotations

import dataclasses
import time
from pathlib import Path
from typing import Callable

from signet_arcade.settings import Settings

PI_MODEL_FILE = Path("/proc/device-tree/model")     # "Raspberry Pi 4 Model B Rev 1.4\0" on a Pi

PROBE_SIZE = 128            # (128, 128) @ (128, 128) float32: ~4.2 MFLOP, about the size of a step's matmuls
PROBE_REPEATS = 40
PROBE_BUDGET_SECONDS = 0.03
SLOW_GFLOPS = 30.0
"""Below this the CPU counts as slow. Measured here (AMD EPYC, 1 BLAS thread): 94-97 GFLOP/s in
about 2 ms, and 97 with both cores kept busy by other processes, because the probe keeps its
best repeat. Estimated, not measured: a Pi 4 (Cortex-A72 at 1.5-1.8 GHz, two 128-bit NEON FMA
pipes) peaks at 24-29 GFLOP/s and reaches perhaps 10-15 at this size; a CPU without AVX lands
near 20. A Pi 5 may pass 30, but its model file names it a Pi first."""

PI_DEFAULTS = dict(
    width=800, height=480,      # the official 7" touchscreen; also a light window on an HDMI screen
    fps=30,
    speed=20,                   # a Pi 4 manages an estimated 3-8 steps per 30 fps frame; 20 is headroom
    # Starting model: one layer of embed 48 learned as fast per step as the two-layer default and
    # ran 1.8x the steps/s here (docs/RASPBERRY_PI.md has the figures).
    context=32, embed=48, heads=4, layers=1,
    # The largest model a visitor may pick: one step of (64, 64, 4, 2) took 3-4 ms here, an
    # estimated 15-25 ms on a Pi 4, which still fits one 33 ms frame beside the drawing.
    max_heads=4, max_layers=2, max_embed=64, max_context=64,
)


def raspberry_pi_model(model_file: Path = PI_MODEL_FILE) -> str | None:
    """The board's name when this is a Raspberry Pi, else None."""
    try:
        model = model_file.read_bytes().decode("utf-8", "replace").strip("\0 \n")
    except OSError:
        return None
    return model if "Raspberry Pi" in model else None


def probe_gflops() -> float:
    """Single-core float32 matmul speed in GFLOP/s: the best of up to PROBE_REPEATS runs within
    PROBE_BUDGET_SECONDS, so a busy moment on a shared machine does not make it look slow."""
    # Imported here, not with the module: the CLI imports this module before its environment
    # (BLAS threads) is final, and NumPy reads that environment once, when it loads.
    import numpy as np
    a = np.full((PROBE_SIZE, PROBE_SIZE), 0.5, np.float32)       # (n, n)
    out = np.empty_like(a)
    np.matmul(a, a, out=out)                                      # first call loads BLAS's kernels
    best = float("inf")
    deadline = time.perf_counter() + PROBE_BUDGET_SECONDS
    for _ in range(PROBE_REPEATS):
        start = time.perf_counter()
        np.matmul(a, a, out=out)
        end = time.perf_counter()
        best = min(best, end - start)
        if end > deadline:
            break
    return 2 * PROBE_SIZE ** 3 / max(best, 1e-9) / 1e9


def detect(model_file: Path = PI_MODEL_FILE, probe: Callable[[], float] = probe_gflops) -> tuple[str, str]:
    """("pi" or "full", the reason in a few words) for this machine."""
    model = raspberry_pi_model(model_file)
    if model is not None:
        return "pi", f"this is a {model}"
    gflops = probe()
    if gflops < SLOW_GFLOPS:
        return "pi", f"this CPU multiplies matrices at {gflops:.0f} GFLOP/s, below {SLOW_GFLOPS:.0f}"
    return "full", f"this CPU multiplies matrices at {gflops:.0f} GFLOP/s"


def resolve_profile(requested: str, offline: bool = False) -> tuple[str, str]:
    """("full" or "pi", why) for a requested "auto", "full" or "pi"."""
    if requested in ("full", "pi"):
        return requested, "asked for"
    if requested != "auto":
        raise ValueError(f"profile: expected 'auto', 'full' or 'pi', got {requested!r}")
    if offline:
        return "full", "a rendered video must look the same on every machine"
    return detect()


def apply_profile(settings: Settings) -> Settings:
    """A copy of `settings` with its profile's defaults in place (for "full", the defaults as they are)."""
    if settings.profile == "pi":
        return dataclasses.replace(settings, **PI_DEFAULTS)
    if settings.profile == "full":
        return settings
    raise ValueError(f"resolve the profile {settings.profile!r} first (resolve_profile)")
