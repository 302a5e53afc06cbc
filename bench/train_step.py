"""Milliseconds per training step (forward + backward + clip + AdamW) of the NumPy GPT.

For the kiosk default config and a larger "mid" config it prints ms/step, steps/s, GFLOP/s
against this machine's own float32 matmul peak, and — when PyTorch is importable — the ratio
against the identical model in PyTorch eager (same weights, same thread count), timed
interleaved in the same process so machine noise hits both alike.

The whole table is measured once with 1 BLAS thread and once with 2, each in its own
sub-process (the thread count of OpenBLAS is fixed when NumPy loads). "cpu ms" is the CPU
time per step summed over threads: OpenBLAS workers spin between matmuls, so CPU time above
wall time is taken from whatever else runs on the machine, such as the app's drawing. On a
busy machine wall time includes waiting for a core; the CPU-time ratio is then the steadier one.

    python bench/train_step.py            # both thread counts
    python bench/train_step.py --threads 1
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROUNDS = 7                   # interleaved rounds; the best round is reported
STEP_SECONDS = 0.2           # wall time each implementation gets per round and config


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, help="measure in this process with this many threads")
    parser.add_argument("--results", help="also write {config: [wall s, cpu s]} as JSON to this file")
    args = parser.parse_args()
    if args.threads is None:
        compare_thread_counts()
        return
    os.environ["OPENBLAS_NUM_THREADS"] = str(args.threads)   # NumPy is not imported yet
    results = measure(args.threads)
    if args.results:
        Path(args.results).write_text(json.dumps(results))


def compare_thread_counts():
    by_threads = {}
    with tempfile.TemporaryDirectory() as tmp:
        for threads in (1, 2):
            out = Path(tmp) / f"{threads}.json"
            env = dict(os.environ, OPENBLAS_NUM_THREADS=str(threads), OMP_NUM_THREADS=str(threads))
            subprocess.run([sys.executable, __file__, "--threads", str(threads), "--results", str(out)],
                           env=env, check=True)
            by_threads[threads] = json.loads(out.read_text())
    print("\n=== 2 BLAS threads against 1 ===")
    for label, (wall1, cpu1) in by_threads[1].items():
        wall2, cpu2 = by_threads[2][label]
        print(f"{label:8s} step time x{wall2 / wall1:.2f}, CPU per step x{cpu2 / cpu1:.2f} "
              f"({'faster' if wall2 < wall1 else 'slower'} with 2 threads)")


def measure(threads: int) -> dict[str, list[float]]:
    import numpy as np
    sys.path.insert(0, str(HERE.parent))
    from signet_arcade.nn.config import DEFAULT_BATCH_SIZE, GPTConfig

    torch = _torch(threads)
    peak = _matmul_peak_gflops(np)
    print(f"\n=== {threads} BLAS thread{'s' if threads > 1 else ''} (OPENBLAS_NUM_THREADS="
          f"{os.environ.get('OPENBLAS_NUM_THREADS')}) · float32 matmul peak {peak:.0f} GFLOP/s ===")
    if torch is None:
        print("PyTorch is not importable: NumPy figures only (pip install torch==2.13.0 for the ratio).")
    vocab = 65                                     # a typical English text's distinct characters
    configs = [("default", GPTConfig(vocab_size=vocab), DEFAULT_BATCH_SIZE),
               ("mid", GPTConfig(vocab_size=vocab, context=64, embed=64, heads=4, layers=2), 8)]
    print(f"{'config':34s} {'numpy ms':>9s} {'steps/s':>8s} {'cpu ms':>7s} {'GFLOP/s':>8s} {'% peak':>7s}"
          + (f" {'torch ms':>9s} {'cpu ms':>7s} {'np/torch':>9s} {'cpu ratio':>9s}" if torch else ""))
    results = {}
    for label, cfg, batch in configs:
        numpy_s, numpy_cpu_s, torch_s, torch_cpu_s = _time_config(np, torch, cfg, batch)
        results[label] = [numpy_s, numpy_cpu_s]
        gflops = _train_step_flops(cfg, batch) / numpy_s / 1e9
        name = f"{label} C{cfg.embed} H{cfg.heads} L{cfg.layers} T{cfg.context} B{batch}"
        line = (f"{name:34s} {numpy_s * 1e3:9.3f} {1 / numpy_s:8.0f} {numpy_cpu_s * 1e3:7.3f} "
                f"{gflops:8.1f} {100 * gflops / peak:6.1f}%")
        if torch:
            line += (f" {torch_s * 1e3:9.3f} {torch_cpu_s * 1e3:7.3f} {numpy_s / torch_s:8.2f}x"
                     f" {numpy_cpu_s / torch_cpu_s:8.2f}x")
        print(line, flush=True)
    return results


def _time_config(np, torch, cfg, batch):
    """Per step: numpy wall s, numpy cpu s, torch wall s, torch cpu s; each the best of the
    interleaved rounds, since other work on the machine only ever adds time (torch's are None
    without torch)."""
    from signet_arcade.nn.model import GPT
    from signet_arcade.nn.optim import AdamW, clip_grad_norm

    rng = np.random.default_rng(0)
    idx = rng.integers(0, cfg.vocab_size, (batch, cfg.context))
    targets = rng.integers(0, cfg.vocab_size, (batch, cfg.context))
    model = GPT(cfg, seed=0)
    opt = AdamW(model.params)

    def numpy_step():
        _, grads = model.loss_and_grads(idx, targets)
        clip_grad_norm(grads, 1.0)
        opt.step(grads)

    steps = [numpy_step]
    if torch:
        sys.path.insert(0, str(HERE))
        from torch_reference import TorchGPT
        reference = TorchGPT({k: p.copy() for k, p in model.params.items()}, cfg)
        ref_opt = reference.optimizer(lr=3e-4)
        tidx, ttargets = torch.from_numpy(idx), torch.from_numpy(targets)

        def torch_step():
            loss = reference.loss(tidx, ttargets)
            ref_opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(reference.parameters(), 1.0)
            ref_opt.step()
        steps.append(torch_step)

    n = {}
    for step in steps:                              # warm up, and size the rounds
        t0 = time.perf_counter()
        for _ in range(5):
            step()
        n[step] = max(3, int(STEP_SECONDS / ((time.perf_counter() - t0) / 5)))
    rounds = []
    for _ in range(ROUNDS):
        row = []
        for step in steps:
            wall, cpu = time.perf_counter(), time.process_time()
            for _ in range(n[step]):
                step()
            row += [(time.perf_counter() - wall) / n[step], (time.process_time() - cpu) / n[step]]
        rounds.append(row)
    best = [min(column) for column in zip(*rounds)]
    return tuple(best) if torch else (best[0], best[1], None, None)


def _train_step_flops(cfg, batch) -> float:
    """Matmul FLOPs of one step: forward, and backward at twice the forward."""
    N, C, T, V, H = batch * cfg.context, cfg.embed, cfg.context, cfg.vocab_size, cfg.heads
    per_layer = 2 * N * (3 * C * C + C * C + 8 * C * C) + 2 * 2 * batch * H * T * T * (C // H)
    return 3 * (cfg.layers * per_layer + 2 * N * C * V)


def _matmul_peak_gflops(np) -> float:
    a = np.random.default_rng(0).standard_normal((512, 512), dtype=np.float32)
    out = np.empty_like(a)
    np.matmul(a, a, out=out)
    best = float("inf")
    for _ in range(20):
        t0 = time.perf_counter()
        np.matmul(a, a, out=out)
        best = min(best, time.perf_counter() - t0)
    return 2 * 512 ** 3 / best / 1e9


def _torch(threads: int):
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(threads)
    return torch


if __name__ == "__main__":
    main()
