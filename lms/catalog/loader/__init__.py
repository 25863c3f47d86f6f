"""The loader for `courses/` packages: read and validate completely, then import.

`read_package` touches no database and raises `PackageError` listing every problem found,
each naming the file, the line and the field; `import_package` writes only valid packages.
"""

from lms.catalog.loader.errors import LoadError, PackageError
from lms.catalog.loader.importer import ImportReport, import_packages
from lms.catalog.loader.reader import read_package, read_packages

__all__ = [
    "ImportReport",
    "LoadError",
    "PackageError",
    "import_packages",
    "read_package",
    "read_packages",
]
