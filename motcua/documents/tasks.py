"""Background work on documents."""

from __future__ import annotations

from django_tasks import task

from motcua.core import clock
from motcua.documents.services import notices_freeze
from motcua.dossiers.models import Dossier


@task()
def freeze_notices(dossier_id: int) -> int:
    """Freeze the notices the dossier's history has issued and that are not frozen yet (their
    number is taken now, in the order they are issued); returns how many."""
    dossier = Dossier.objects.filter(pk=dossier_id).first()
    if dossier is None:  # pragma: no cover - dossiers are never deleted
        return 0
    return notices_freeze(dossier=dossier, now=clock.now())
