"""The report's Assistance section: per country, what was asked and offered by the report's
day, what was delivered, and the gaps still uncovered — each line citing the pages its request
and offers came from."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy.orm import Session

from ..analysis.assist.pipeline import Line
from ..domain.accounts import Role, User
from ..domain.assistance import Offer, RequestItem
from ..domain.countries import country_name
from ..domain.sources import Source, SourceKind
from ..services import assist_reads
from .model import AssistanceCountry, AssistanceLine
from .sources import SourceBook

# The report is the operator's, like the CLI: it reads every request and offer.
_READER = User(0, "report", None, Role.COORDINATOR)


def _source(url: str, organisation: str | None, published: str | None) -> Source:
    kind = SourceKind.PRESS if url.startswith(("http://", "https://")) else SourceKind.WEB_FORM
    return Source(kind, url or "sitroom", organisation, published)


def assistance_sections(
    session: Session, codes: Sequence[str], on: date, book: SourceBook
) -> list[AssistanceCountry]:
    view = assist_reads.pipeline_view(session, _READER, on)
    requests = {r.record.ref: r.record for r in assist_reads.requests(session, _READER)}
    offers = {v.offer.ref: v.offer for v in assist_reads.offers(session, _READER)}
    out = []
    for code in codes:
        lines = [x for x in view.pipeline.lines if code in x.recipient.split("+")]
        if not lines:
            continue
        shown = [
            _line(x, requests, offers, book)
            for x in lines
            if x.uncovered or x.delivered or x.accepted or x.in_transit
        ]
        asked = {x.request for x in lines if x.asked_lines and (x.uncovered or x.asked is None)}
        out.append(
            AssistanceCountry(
                code=code,
                name=country_name(code),
                requests_open=len(asked),
                offers=sum(x.offers for x in lines),
                offers_delivered=sum(
                    1
                    for x in lines
                    for ref in x.offer_refs
                    if ref in offers and offers[ref].delivered_on and x.delivered
                ),
                value_eur=sum(x.value_eur for x in lines),
                lines=sorted(shown, key=lambda a: (a.uncovered is None, -(a.uncovered or 0))),
            )
        )
    return out


def _line(
    x: Line, requests: dict[str, RequestItem], offers: dict[str, Offer], book: SourceBook
) -> AssistanceLine:
    numbers = set()
    for req in requests.values():
        if req.request == x.request and req.item.key == x.item.key:
            numbers.add(
                book.cite_source(
                    _source(req.source_url, req.country, req.source_published),
                    req.ref,
                    f"request {req.ref}: {req.description or req.item.label}",
                )
            )
    for ref in x.offer_refs:
        offer = offers.get(ref)
        if offer is not None:
            numbers.add(
                book.cite_source(
                    _source(offer.source_url, offer.provider, offer.source_published),
                    offer.ref,
                    f"offer {offer.ref}: {offer.description or offer.item.label}",
                )
            )
    return AssistanceLine(
        request=x.request,
        item=x.item.label,
        unit=x.item.unit,
        asked=x.asked,
        offered=x.offered,
        committed=x.accepted + x.in_transit,
        delivered=x.delivered,
        uncovered=x.uncovered,
        citations=tuple(sorted(numbers)),
    )
