"""The ports: what the engine needs from the world (chat, clock, storage), in its own terms."""
