"""The kit every screen shares: dialogs, inert text, worker-failure reporting."""
