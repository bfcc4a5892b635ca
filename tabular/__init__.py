"""Tabular uploads (rosters, question banks, member registries): reading .xlsx/.xls/.csv safely,
staging for preview.

A top-level package below learning/ and party/ (both call it); it imports nothing from learning/,
party/ or cms/ (tests/tabular/test_boundaries.py).
"""
