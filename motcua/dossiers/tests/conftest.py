"""The dossier fixtures live in ``fixtures.py``, loaded for every test by the root conftest."""

from motcua.dossiers.tests.fixtures import (  # noqa: F401 - re-exported for older imports
    BASE,
    desk,
    full_papers,
    intake_for,
    procedures,
    receive,
    record,
)
