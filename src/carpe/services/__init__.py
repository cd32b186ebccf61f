"""Use cases. The web, the API and the CLI call these and hold no business rules."""
