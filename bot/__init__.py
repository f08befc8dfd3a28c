"""The platform-neutral engine of interview-bot: commands in, ChatPort calls out."""
