"""Tests of learning: classes, progress, quizzes, reports."""
