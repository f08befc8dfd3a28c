"""A local chat in the terminal: try the bot with no platform tokens at all."""
