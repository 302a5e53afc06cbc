"""Samples written by a helper process while the main process trains (live mode only).

Writing a sample costs about as much as a tenth of the training; on a machine with a free core a
helper process does it instead. The main process never waits for the helper:

- a job is a pickled in-process SampleWriter (its weights copied when the sample started, its
  random generator seeded), so the helper writes exactly what the main process would have written;
- jobs are handed over by a small thread, so a stuck helper cannot block the frame on a full pipe;
- an answer late by more than TIMEOUT seconds, a dead helper or a broken pipe: the helper is
  stopped (terminated, then killed, and joined: no zombie) and the sample is written in-process
  from the writer that was kept, with the same result. After MAX_FAILURES the helper is given up.

The helper is a fresh interpreter running this module (`python -m signet_arcade.sample_worker FD`),
not a fork (SDL and BLAS threads do not survive one) nor multiprocessing's spawn (which re-runs the
main script, a hazard for any script without a `__main__` guard); it imports nothing from pygame
and ends when its socket closes, so it never outlives the app. Offline rendering never uses it:
it writes samples in-process, in step.
"""
from __future__ import annotations

import logging
import os
import queue
import socket
import subprocess
import sys
import threading
import time
from multiprocessing.connection import Connection
from pathlib import Path

import numpy as np

from signet_arcade.sample_writer import SampleWriter
from signet_arcade.snapshot import Sample, frozen_array

log = logging.getLogger(__name__)

TIMEOUT = 5.0          # s a job may take, the helper's start-up included, before it is written here
MAX_FAILURES = 3       # helpers lost (in a session) before samples are always written in-process
STOP_WAIT = 1.0        # s given to a helper to end on its own, then to a terminate, when closing
KEEP_RESULTS = 8       # answers kept for writers not yet asking (older ones were abandoned)
FAILED = "failed"      # the answer to a job the helper could not write
PENDING = object()


def _serve(conn) -> None:
    """The helper's loop: a job is (key, writer, n); the answer is (key, Sample), or (key, None)
    when writing failed (the main process then writes it and meets the error itself). None ends it."""
    try:
        while True:
            job = conn.recv()
            if job is None:
                return
            key, writer, n = job
            try:
                writer.write(n)
                answer = writer.sample()
            except Exception:
                answer = None
            conn.send((key, answer))
    except (EOFError, OSError, KeyboardInterrupt):     # the main process is gone or going
        return


class SampleWorker:
    """One helper process and the pipe to it. Every method returns at once (bar `close`)."""

    def __init__(self):
        mine, theirs = socket.socketpair()
        env = dict(os.environ)      # the checkout this app runs from, even when not installed
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(Path(__file__).resolve().parents[1]),
                                                          env.get("PYTHONPATH")]))
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "signet_arcade.sample_worker", str(theirs.fileno())],
                pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL, env=env)
        except BaseException:
            mine.close()
            raise
        finally:
            theirs.close()
        self._conn = Connection(mine.detach())
        self._jobs: queue.SimpleQueue = queue.SimpleQueue()
        self._results: dict[int, Sample | None] = {}
        self._next_key = 0
        self.broken = False
        self._sender = threading.Thread(target=self._send_jobs, name="signet-sample-sender", daemon=True)
        self._sender.start()

    def _send_jobs(self) -> None:
        while True:
            job = self._jobs.get()
            try:
                self._conn.send(job)                 # None too: it tells the helper to end
            except (OSError, ValueError):            # closed or broken: the main thread notices
                self.broken = True
                return
            if job is None:
                return

    def submit(self, writer: SampleWriter, n: int) -> int:
        """Queue a job: `writer` writes `n` characters in the helper. Returns the job's key."""
        key = self._next_key
        self._next_key += 1
        self._jobs.put((key, writer, n))
        return key

    def result(self, key: int) -> Sample | None | str:
        """The answer to job `key`: a Sample, None if not arrived (`broken` says if it never will),
        or FAILED if the helper could not write it."""
        if not self.broken:
            try:
                while self._conn.poll():
                    done, sample = self._conn.recv()
                    self._results[done] = sample
            except (EOFError, OSError, ValueError):
                self.broken = True
            if self.process.poll() is not None:
                self.broken = True
            for old in [k for k in self._results if k < self._next_key - KEEP_RESULTS]:
                del self._results[old]
        answer = self._results.pop(key, PENDING)
        return None if answer is PENDING else FAILED if answer is None else answer

    def close(self, patient: bool = True) -> None:
        """Stop the helper and reap it, whatever state it is in: asked, then terminated, then
        killed; a helper that failed is killed at once (the frame is waiting)."""
        self.broken = True
        self._jobs.put(None)                         # sent by the sender: this thread never blocks on the pipe
        p = self.process
        for stop in (None, p.terminate, p.kill) if patient else (p.kill,):
            if stop is not None:
                stop()
            try:
                p.wait(STOP_WAIT)
                break
            except subprocess.TimeoutExpired:
                continue
        self._conn.close()       # a sender blocked on a full pipe now fails and ends
        self._sender.join(STOP_WAIT)


class BackgroundSampleWriter:
    """A SampleWriter whose characters come from the helper; same interface, plus `ready`.

    Until the answer arrives `ready()` is False and the session trains on; when the helper fails or
    is late, or characters are wanted before it answers, the kept writer writes the sample here
    instead, so a sample always comes, and it is the same sample."""

    def __init__(self, writer: SampleWriter, length: int, pool: "SampleWorkerPool"):
        self._local, self._pool, self._total = writer, pool, length
        self.step = writer.step
        self._worker = pool.worker()
        self._key = None if self._worker is None else self._worker.submit(writer, length)
        self._started = time.monotonic()
        self._done: Sample | None = None
        self.length = 0

    def ready(self) -> bool:
        if self._done is None and self._worker is not None:
            self._done = self._worker.result(self._key)
            if self._done is FAILED:          # the model itself fails: written here, where it is handled
                self._done = self._worker = None
            elif self._done is None and (self._worker.broken or time.monotonic() - self._started > TIMEOUT):
                self._pool.failed(self._worker)
                self._worker = None          # from here on, written in-process
        return True if self._worker is None else self._done is not None

    def write(self, n: int) -> None:
        if n <= 0:
            return
        if not self.ready():
            # Wanted before the answer came (the next sample is due, or training paused): written
            # here at once rather than waited for; the helper's late answer is dropped.
            self._worker = None
        if self._done is None:
            self._local.write(n)
        self.length = min(self._total, self.length + n)

    def sample(self) -> Sample:
        if self._done is None:
            return self._local.sample()
        n = self.length
        d = self._done
        return Sample(text=d.text[:n], probs=frozen_array(d.probs[:n], np.float32),
                      alternatives=d.alternatives[:n], step=d.step)


class SampleWorkerPool:
    """The session's helper: started when first needed, replaced when lost, given up after
    MAX_FAILURES, closed with the session."""

    def __init__(self):
        self._worker: SampleWorker | None = None
        self.failures = 0

    def worker(self) -> SampleWorker | None:
        if self._worker is None and self.failures < MAX_FAILURES:
            try:
                self._worker = SampleWorker()
            except (OSError, ValueError) as exc:     # no processes left, or no such interpreter
                log.warning("no helper process for samples (%s): written in-process", exc)
                self.failures = MAX_FAILURES
        return self._worker

    def failed(self, worker: SampleWorker) -> None:
        if worker is not self._worker:               # already replaced: its other jobs say so too
            return
        self.failures += 1
        log.warning("the sample helper failed or was late (%d of %d): written in-process",
                    self.failures, MAX_FAILURES)
        self._worker = None
        worker.close(patient=False)

    def close(self) -> None:
        if self._worker is not None:
            self._worker.close()
            self._worker = None


if __name__ == "__main__":
    _serve(Connection(int(sys.argv[1])))
