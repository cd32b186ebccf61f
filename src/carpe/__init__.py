"""carpe: customer retention through micro-experiences.

The public API: the running instance, its settings, the errors, and the
interchange import and export. Everything else is reached through its package
(``carpe.memory``, ``carpe.analytics``, ``carpe.services``, ...).
"""

from carpe.config import Settings, load_settings
from carpe.context import Carpe
from carpe.errors import CarpeError, ImportDataError, NotFoundError, RowProblem
from carpe.ingest import export_folder, import_folder

__version__ = "0.1.0"

__all__ = [
    "Carpe",
    "CarpeError",
    "ImportDataError",
    "NotFoundError",
    "RowProblem",
    "Settings",
    "__version__",
    "export_folder",
    "import_folder",
    "load_settings",
]
