"""Tabular uploads (rosters, question banks): reading .xlsx/.xls/.csv safely, staging for preview.

Used by learning.classes and learning.quizzes; imports nothing from the rest of learning/.
"""
