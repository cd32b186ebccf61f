"""Reading and writing the interchange format: validate, upsert, export."""

from carpe.ingest.export import ExportReport, export_folder
from carpe.ingest.format import FILES, FILES_BY_NAME, Column, FileSpec, Kind
from carpe.ingest.load import FileReport, ImportReport, import_folder

__all__ = [
    "FILES",
    "FILES_BY_NAME",
    "Column",
    "ExportReport",
    "FileReport",
    "FileSpec",
    "ImportReport",
    "Kind",
    "export_folder",
    "import_folder",
]
