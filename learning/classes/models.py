"""Models of learning.classes."""
