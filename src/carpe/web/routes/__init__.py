"""Routes: thin shells that validate input, call one service and render."""
