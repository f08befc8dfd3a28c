"""Adapters: each translates one chat platform to and from the engine's neutral types."""
