"""The web shell: HTML pages and the JSON API over carpe's services."""

from carpe.web.app import create_app

__all__ = ["create_app"]
