"""Periodic maintenance jobs run by the task worker itself, so production needs no cron."""
