"""Model fields shared by the domain apps."""

from __future__ import annotations

from typing import Any

from django.db import models

from motcua.core.text import fold


class FoldedField(models.CharField):
    """The fold (lower case, no diacritics: core.text.fold) of another field of the row, written
    on every insert and save, so that search compares plain text instead of running a regular
    expression over every row, and an index can serve it. Never edited by hand."""

    def __init__(self, *args: Any, source: str = "", **kwargs: Any) -> None:
        self.source = source
        kwargs.setdefault("max_length", 255)
        kwargs.setdefault("default", "")
        # Rows inserted by code that predates the column (a rolling upgrade) get the empty fold.
        kwargs.setdefault("db_default", "")
        kwargs["editable"] = False
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        kwargs.pop("editable", None)
        return name, path, args, kwargs

    def pre_save(self, model_instance: models.Model, add: bool) -> str:
        value = fold(getattr(model_instance, self.source) or "")[: self.max_length]
        setattr(model_instance, self.attname, value)
        return value
