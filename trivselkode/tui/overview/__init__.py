"""The overview screen (Oversigt): sources, theme bars and the way into every other screen."""
