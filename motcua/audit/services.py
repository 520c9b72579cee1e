"""Writing the access log: ``access_record``, the one function that pages, API and commands call
when they show a dossier's personal data (README, "Who saw what").

**Fail closed.** The record is written before the data leaves (after it is built, so a refused or
failed rendering is not logged as seen); if the write fails the exception propagates and the page,
PDF, answer or file is not served. For personal data an access that cannot be accounted for is
one that should not happen; a database that cannot take one small INSERT would not serve the
page either.

**Cheap.** One INSERT per call, however many dossiers (a register lists a unit's month): no read,
no lock, no hash chain. The log is evidence of access, not of the dossier's state.

**No number in clear.** A search by ID number or tax code is stored as a keyed digest of the
number (HMAC-SHA256 under the site's secret key, as the dossier seal): an inspector who is given a
number can tell whether and by whom it was searched (``search_digest``), while whoever reads the
table cannot recover it: a plain hash of a 12-digit number, or its last four digits beside a
date of birth, could be reversed by trying them all. Changing ``MOTCUA_SECRET_KEY`` changes the
digests of later searches.
"""

from __future__ import annotations

import getpass
import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.http import HttpRequest
from django.utils.crypto import salted_hmac

from motcua.accounts.models import User
from motcua.accounts.signin import client_ip
from motcua.audit.models import Access, AccessRecord, Channel, QueryKind
from motcua.core import clock
from motcua.core.acting import acting_client
from motcua.dossiers.models import DOSSIER_CODE_PATTERN, Dossier

# An ID number (CMND 9, CCCD 12 digits) or a tax code (10 digits, or 10-3 for a branch; 13),
# typed with or without spaces and dots.
_IDENTIFIER_RE = re.compile(r"\d{9,13}(-\d{3})?")
_SEPARATORS_RE = re.compile(r"[\s.]")
_CODE_RE = re.compile(DOSSIER_CODE_PATTERN)


def identifier_shaped(text: str) -> bool:
    """Whether a search text is an ID number or a tax code: it must not travel in a URL."""
    return bool(_IDENTIFIER_RE.fullmatch(_SEPARATORS_RE.sub("", text)))


def search_digest(number: str) -> str:
    """The keyed digest the log keeps of a number searched (module docstring)."""
    normalised = _SEPARATORS_RE.sub("", number)
    return salted_hmac("motcua.audit.search", normalised, algorithm="sha256").hexdigest()


def query_kind(text: str) -> QueryKind:
    text = text.strip()
    if not text:
        return QueryKind.FILTERS
    if identifier_shaped(text):
        return QueryKind.ID_NUMBER
    if _CODE_RE.fullmatch(text) or any(char.isdigit() for char in text):
        return QueryKind.CODE
    return QueryKind.NAME


@dataclass(frozen=True)
class Accessor:
    """Who reads, through what, from where."""

    user: User | None
    username: str
    channel: Channel
    client: str = ""
    address: str | None = None


def _address(text: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address((text or "").strip()))
    except ValueError:
        return None


def accessor_from_request(request: HttpRequest, user: User) -> Accessor:
    """The officer of a page, or the officer an API token acts as and its application; the
    address as sign-in throttling counts it (``client_ip``: trusted proxies alike)."""
    client = acting_client()
    return Accessor(
        user=user,
        username=user.get_username(),
        channel=Channel.API if client is not None else Channel.PAGE,
        client=f"{client['name']} ({client['token']})"[:150] if client is not None else "",
        address=_address(client_ip(request)),
    )


def accessor_for_command(command: str) -> Accessor:
    """An administrator's command: the system account that ran it (no officer)."""
    try:
        account = getpass.getuser()
    except (KeyError, OSError):  # pragma: no cover - no name for the process's user
        account = "?"
    return Accessor(user=None, username=account[:150], channel=Channel.COMMAND, client=command)


def access_record(
    *,
    by: Accessor,
    action: Access,
    dossiers: Iterable[Dossier | int] = (),
    what: str = "",
    query: str | None = None,
    results: int | None = None,
    at: datetime | None = None,
) -> int:
    """Record one access: a row per dossier shown (``dossiers``: instances or ids), or one row
    without a dossier (a search: ``query`` and the number of ``results``; a bulk export: ``what``
    and ``results``). One INSERT; raises if it fails (fail closed). Returns the rows written."""
    moment = at or clock.now()
    kind = ""
    digest = ""
    if query is not None:
        kind = query_kind(query)
        if kind == QueryKind.ID_NUMBER:
            digest = search_digest(query.strip())
    common = {
        "at": moment,
        "user": by.user,
        "username": by.username,
        "channel": by.channel,
        "client": by.client,
        "action": action,
        "what": what[:200],
        "query_kind": kind,
        "query_digest": digest,
        "results": results,
        "address": by.address,
    }
    ids = [item if isinstance(item, int) else item.pk for item in dossiers]
    rows = [AccessRecord(dossier_id=pk, **common) for pk in ids] or [AccessRecord(**common)]
    AccessRecord.objects.bulk_create(rows)
    return len(rows)
