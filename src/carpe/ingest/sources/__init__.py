"""Importers for the exports people already have (HubSpot, Zendesk, Stripe, ...).

Each system is a declared column map (a TOML file in this package, the same
form ``carpe import --mapping`` reads) applied by :mod:`.convert` into the
interchange format, then imported by the usual all-or-nothing import.
"""

from carpe.ingest.sources.convert import Converted, convert_exports, translate_problems
from carpe.ingest.sources.mapping import SYSTEMS, SourceMap, builtin_map, load_map_file

__all__ = [
    "SYSTEMS",
    "Converted",
    "SourceMap",
    "builtin_map",
    "convert_exports",
    "load_map_file",
    "translate_problems",
]
