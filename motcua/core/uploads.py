"""Uploaded files, size-limited before they are read (MOTCUA_UPLOAD_MAX_MB).

``UploadLimitHandler`` comes first in ``FILE_UPLOAD_HANDLERS``: a file larger than the limit (by
the request's declared length, or by the bytes counted as they arrive when no length is declared)
is passed to no other handler, so nothing of it is kept in memory or on disk, and the form's
``UploadField`` receives an empty stand-in that it refuses with a clear message naming the limit.
The importers never see it.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.core.files.uploadhandler import FileUploadHandler


def upload_max_bytes() -> int:
    return int(settings.MOTCUA_UPLOAD_MAX_MB) * 1024 * 1024


def too_large_message() -> str:
    return (
        f"Tệp lớn hơn {settings.MOTCUA_UPLOAD_MAX_MB} MB (giới hạn MOTCUA_UPLOAD_MAX_MB) nên "
        "không được đọc; chưa có thay đổi nào được lưu."
    )


class OversizedUpload(SimpleUploadedFile):
    """What a form receives for a file over the limit: its name, no content."""

    def __init__(self, name: str, content_type: str | None) -> None:
        super().__init__(name, b"", content_type or "application/octet-stream")


class UploadLimitHandler(FileUploadHandler):
    def handle_raw_input(
        self,
        input_data: Any,
        META: Any,  # noqa: N803 - Django's name
        content_length: int,
        boundary: Any,
        encoding: Any = None,
    ) -> None:
        self.declared = content_length or 0
        return None

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.oversized = getattr(self, "declared", 0) > upload_max_bytes()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        if self.oversized or start + len(raw_data) > upload_max_bytes():
            self.oversized = True
            return None  # the next handlers (memory, temporary file) never get it
        return raw_data

    def file_complete(self, file_size: int) -> UploadedFile | None:
        if self.oversized:
            return OversizedUpload(self.file_name or "", self.content_type)
        return None


class UploadField(forms.FileField):
    """A file field that refuses what the upload handler held back, or anything over the limit
    that reached it another way."""

    def clean(self, data: Any, initial: Any = None) -> Any:
        if isinstance(data, OversizedUpload):  # before the "empty file" check: it has no content
            raise ValidationError(too_large_message(), code="file_too_large")
        upload = super().clean(data, initial)
        if upload is not None and upload.size > upload_max_bytes():
            raise ValidationError(too_large_message(), code="file_too_large")
        return upload
