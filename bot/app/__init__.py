"""The application: composition root, settings, command line, scheduler, metrics."""
