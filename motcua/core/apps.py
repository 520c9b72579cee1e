from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "motcua.core"
    label = "core"
    verbose_name = "motcua"

    def ready(self) -> None:
        from pathlib import Path

        from django.conf import settings
        from django.db.backends.signals import connection_created

        from motcua.core.privacy import close_sqlite_file, private_directory

        # Citizens' data lives here (the SQLite file, the outbox, uploads): the owner's alone.
        private_directory(Path(settings.DATA_DIR))
        private_directory(Path(settings.DATA_DIR) / "outbox")
        connection_created.connect(close_sqlite_file, dispatch_uid="core.private_sqlite")
