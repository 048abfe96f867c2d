"""Test-wide setup: NDGRAD_FAKE_GPU=1 runs the CUDA tests on a NumPy stand-in for CuPy."""

from __future__ import annotations

import os

if os.environ.get("NDGRAD_FAKE_GPU") == "1":
    from fake_gpu import FakeGPU
    from ndgrad import _backend

    _backend.use_gpu(FakeGPU())
