"""Benchmarks (make bench): measured figures against the goals, never asserted in tests."""
