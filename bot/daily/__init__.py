"""The daily question: schedules, posting exactly once, answers, reveal."""
