"""The system of record: models, engines, migrations and the unit of work."""

from carpe.store import access as _access_tables  # noqa: F401 - registers the tables
from carpe.store import analysis as _analysis_tables  # noqa: F401 - registers the tables
from carpe.store import conflicts as _conflict_tables  # noqa: F401 - registers the tables
from carpe.store import gestures as _gesture_tables  # noqa: F401 - registers the tables
from carpe.store import memory as _memory_tables  # noqa: F401 - registers the tables
from carpe.store import my_week as _my_week_tables  # noqa: F401 - registers the tables
from carpe.store import reminders as _reminder_tables  # noqa: F401 - registers the tables
from carpe.store import stories as _story_tables  # noqa: F401 - registers the tables
from carpe.store.engine import create_store_engine, current_revision, head_revision, migrate
from carpe.store.models import TABLES_BY_FILE, Base
from carpe.store.uow import UnitOfWork

__all__ = [
    "TABLES_BY_FILE",
    "Base",
    "UnitOfWork",
    "create_store_engine",
    "current_revision",
    "head_revision",
    "migrate",
]
