"""Tests of learning.quizzes (question banks, exams, attempts, grading)."""
