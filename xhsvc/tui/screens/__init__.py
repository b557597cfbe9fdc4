"""The TUI's screens: the queue, a ticket, the intake form, the manager's view, help."""
