from typing import Any

from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "motcua.documents"
    label = "documents"
    verbose_name = "Biểu mẫu, giấy tờ"

    def ready(self) -> None:
        from motcua.dossiers.signals import event_recorded

        event_recorded.connect(freeze_on_issue, dispatch_uid="documents.freeze")


# The transitions that issue a numbered notice: Mẫu 02 (supplement request), 03 (refusal), 04
# (apology), 05 of TT 03/2025 (stop notice). Frozen, and numbered, when issued rather than at their
# first print (issue 7 item 10); a receipt (Mẫu 01) is printed at the counter as it is issued.
NOTICE_EVENTS = frozenset(
    {"supplement_requested", "refused_at_intake", "apology_issued", "stopped"}
)


def freeze_on_issue(sender: object, dossier_id: int, event_type: str, **kwargs: Any) -> None:
    if event_type in NOTICE_EVENTS:
        from motcua.documents.tasks import freeze_notices

        freeze_notices.enqueue(dossier_id)
