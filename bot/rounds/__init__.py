"""Mock interview rounds: one question at a time in a thread, graded, scored."""
