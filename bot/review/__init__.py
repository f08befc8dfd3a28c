"""Spaced review: cards FSRS schedules from graded answers, review rounds and daily nudges."""
