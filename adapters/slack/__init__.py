"""Slack adapter: slash command, threads, Block Kit, modals, HTTP and Socket Mode, OAuth install.

It only translates: Slack payloads become engine events, the engine's neutral messages become
Block Kit. No rule of the game lives here.
"""
