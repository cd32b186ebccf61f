"""carpe: customer retention through micro-experiences."""

__version__ = "0.1.0"
