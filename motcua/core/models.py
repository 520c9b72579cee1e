"""Counters that tell every process when cached reference data changed."""

from __future__ import annotations

from django.db import models


class DataVersion(models.Model):
    """One version per kind of cached data, replaced in the transaction that changes the data.

    Unlike the largest id or time of the rows, the row is replaced in commit order (the UPDATE
    locks it until the transaction ends), so a reader never sees the new version before the
    change itself, nor a change without a new version. A version is a random token, never a
    count: a rolled-back change (whose version a process may have cached from inside its own
    transaction) could otherwise hand its number to a later, different change.
    """

    name = models.CharField(max_length=40, primary_key=True)
    value = models.CharField(max_length=32)

    class Meta:
        verbose_name = "phiên bản dữ liệu"
        verbose_name_plural = "phiên bản dữ liệu"

    def __str__(self) -> str:
        return f"{self.name}: {self.value}"
