from django.apps import AppConfig


class DossiersConfig(AppConfig):
    name = "motcua.dossiers"
    label = "dossiers"
    verbose_name = "Hồ sơ"

    def ready(self) -> None:
        from motcua.calendars.signals import calendar_changed

        calendar_changed.connect(enqueue_recompute, dispatch_uid="dossiers.recompute")


def enqueue_recompute(sender: object, change: object, **kwargs: object) -> None:
    """A calendar change may move open dossiers' due dates: recompute them in the background."""
    from motcua.dossiers.tasks import recompute_due_dates

    recompute_due_dates.enqueue(change.pk)  # type: ignore[attr-defined]
