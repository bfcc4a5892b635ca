"""Models of learning.reports."""
