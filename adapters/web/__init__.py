"""The web dashboard: server-rendered pages over the engine's read-side queries, reached only
through signed links that `/interview web` hands out."""
