"""What practice adds up to: points, streaks, study groups, boards, stats."""
