"""Benchmarks, and the harness they share with the tests (bench.harness).

Tests may import bench.harness; nothing here imports tests, and the app imports neither.
"""
