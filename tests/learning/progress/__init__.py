"""Tests of learning.progress (tracking, the 学时 ledger, offline sessions)."""
