"""The Discord adapter: app commands, threads, buttons and modals in, engine events out."""
