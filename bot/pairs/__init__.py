"""Peer mock interviews: two members paired, one interviews the other with the bot's rubric."""
