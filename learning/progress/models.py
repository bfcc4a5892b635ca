"""Models of learning.progress."""
