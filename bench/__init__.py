"""Benchmarks: the same workloads timed with ndgrad, torch and raw NumPy (see run.py)."""
