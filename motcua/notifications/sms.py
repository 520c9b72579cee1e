"""SMS adapter. The contract (docs/notifications.md): ``send(to, text, reference) -> str``
returns the provider's message id or raises ``SmsError``; it must be idempotent on ``reference``
where the provider allows it. The default backend writes to a local outbox file, so a closed
network loses nothing: a gateway adapter reads or replaces it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from motcua.core.privacy import private_directory


class SmsError(Exception):
    pass


class SmsBackend(Protocol):
    def send(self, *, to: str, text: str, reference: str) -> str: ...


class FileSmsBackend:
    """One JSON line per message in ``<data dir>/outbox/sms/YYYY-MM-DD.jsonl``."""

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory or Path(settings.DATA_DIR) / "outbox" / "sms"

    def send(self, *, to: str, text: str, reference: str) -> str:
        now = timezone.now()
        private_directory(self.directory)
        line = json.dumps(
            {"at": now.isoformat(), "to": to, "text": text, "reference": reference},
            ensure_ascii=False,
        )
        with (self.directory / f"{now:%Y-%m-%d}.jsonl").open("a", encoding="utf-8") as outbox:
            outbox.write(line + "\n")
        return reference


def sms_backend() -> SmsBackend:
    backend: type[SmsBackend] = import_string(settings.MOTCUA_SMS_BACKEND)
    return backend()
