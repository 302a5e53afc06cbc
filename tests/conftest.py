"""Test-wide environment, set before anything imports NumPy or pygame."""
import os

# One OpenBLAS thread, as the app runs (see signet_arcade/cli.py): on a shared 2-core machine,
# spinning BLAS threads made a training step ten times slower.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
