"""Benchmarks (`make bench`): each prints its figures beside the baseline measured in the same run."""
