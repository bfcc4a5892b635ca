"""Models of learning.quizzes."""
