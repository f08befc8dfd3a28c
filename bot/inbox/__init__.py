"""The inbox: inbound events kept durably before their ack, handled once from there."""

from bot.inbox.keeper import DEFAULT_LEASE, Handler, Inbox

__all__ = ["DEFAULT_LEASE", "Handler", "Inbox"]
