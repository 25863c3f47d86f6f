"""Scheduled jobs, run by `flask lms scheduler` in a process of their own."""
