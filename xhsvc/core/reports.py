"""The report of a visit, titled by what the visit was: an inspection's summary report
(巡检总结报告与系统优化建议), a DR drill's report (容灾演练报告), a training's, a standby's, an
optimization's, a periodic service review's (定期服务回顾报告); as Markdown or self-contained HTML
that prints on A4.

The report reads like the paper one: who, where, which systems, each section's results, the findings
with their recommendations, what changed since the previous visit of the same kind (firmware,
capacity; only where the checklist has those sections) and a block for both sides to sign. The data
is gathered here (a service review's report also summarises the period it reviews: the customer
review's figures, `customer_review.review_data`, for the month before the visit or the month its
checklist names); the templates `visit-report.md.j2` and `visit-report.html.j2` (xhsvc/documents,
through `xhsvc.core.documents`) lay it out, and they make every value safe: control characters
visible, HTML escaped, and in Markdown every character that would make markup escaped.
"""

from __future__ import annotations

import re
from typing import Any

from xhsvc.core.context import Context
from xhsvc.core.contracts import today_of
from xhsvc.core.customer_review import review_data
from xhsvc.core.documents import TEXT_FORMATS, render_document
from xhsvc.core.visits import previous_completed, review_month, show_visit
from xhsvc.errors import InvalidInput, NotAllowed
from xhsvc.i18n import _
from xhsvc.store import queries

FORMATS = TEXT_FORMATS
RESULT_LABELS = {"ok": "正常 OK", "warn": "注意 WARN", "fail": "异常 FAIL", "na": "不适用 N/A", None: ""}
# What the "changes since the previous visit" part compares.
TRACKED_SECTIONS = ("firmware", "capacity")
# Each kind of visit (templates.VISIT_KINDS) by what it is: the report's title, what its number is
# called, and the visit's name in "since the previous ..." (Chinese, English).
KINDS: dict[str, dict[str, str]] = {
    "inspection": {
        "title": "巡检总结报告与系统优化建议 Inspection report",
        "number": "巡检编号 Visit",
        "zh": "巡检",
        "en": "inspection",
    },
    "training": {
        "title": "培训服务报告 Training report",
        "number": "服务编号 Visit",
        "zh": "培训",
        "en": "training",
    },
    "standby": {
        "title": "值守服务报告 Standby report",
        "number": "服务编号 Visit",
        "zh": "值守",
        "en": "standby",
    },
    "optimization": {
        "title": "系统优化报告 System optimization report",
        "number": "服务编号 Visit",
        "zh": "系统优化",
        "en": "optimization",
    },
    "dr_drill": {
        "title": "容灾演练报告 DR drill report",
        "number": "服务编号 Visit",
        "zh": "容灾演练",
        "en": "DR drill",
    },
    "review": {
        "title": "定期服务回顾报告 Service review report",
        "number": "服务编号 Visit",
        "zh": "服务回顾",
        "en": "service review",
    },
}
# The checklist item of a service review that names the month reviewed (filled in at the start).
REVIEW_PERIOD_ITEM = "meeting.period"
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
# A kind a later version adds, read by this one: a plain service report rather than a wrong title.
_OTHER_KIND = {
    "title": "服务报告 Service report",
    "number": "服务编号 Visit",
    "zh": "同类服务",
    "en": "visit of this kind",
}


def _report_data(ctx: Context, key: str) -> dict[str, Any]:
    visit = show_visit(ctx, key=key)
    visit["completed_on"] = today_of(ctx, visit["completed_at"]) if visit["completed_at"] else None
    previous = previous_completed(ctx, key=key)
    with ctx.reading() as tx:
        customer = queries.get_customer(tx.conn, visit["customer"])
        assert customer is not None
        site = queries.get_site(tx.conn, customer.id, visit["site"]) if visit["site"] else None
        contract = queries.get_contract(tx.conn, visit["contract"]) if visit["contract"] else None
        covered = queries.covered_asset_ids(tx.conn, [contract.id])[contract.id] if contract else set()
        assets = [
            a for a in queries.list_assets(tx.conn, customer_id=customer.id) if not covered or a.id in covered
        ]
        engineer = queries.get_person(tx.conn, visit["engineer"]) if visit["engineer"] else None
        level = None
        if contract:
            terms = queries.terms_of(tx.conn, [contract.id])[contract.id]
            level = terms[-1].level if terms else None
    changes = []
    if previous:
        before = {i["id"]: i for i in previous["items"]}
        for item in visit["items"]:
            if item["section"] not in TRACKED_SECTIONS or item["value"] is None:
                continue
            old = before.get(item["id"], {}).get("value")
            if old is not None and old != item["value"]:
                delta = _delta(old, item["value"])
                changes.append(
                    {
                        "label": item["label"],
                        "before": old,
                        "after": item["value"],
                        "unit": item["unit"],
                        "delta": delta,
                    }
                )
    sections: list[tuple[str, list[dict[str, Any]]]] = []
    for item in visit["items"]:
        item["shown"] = _value(item)
        title = visit["sections"].get(item["section"], item["section"])
        if not sections or sections[-1][0] != title:
            sections.append((title, []))
        sections[-1][1].append(item)
    return {
        "kind": KINDS.get(visit["kind"], _OTHER_KIND),
        "results": RESULT_LABELS,
        "visit": visit,
        "previous": previous,
        # Only a checklist with the tracked sections has anything to compare.
        "compares": any(item["section"] in TRACKED_SECTIONS for item in visit["items"]),
        "customer": customer,
        "site": site,
        "contract": contract.number if contract else None,
        "level": level,
        "assets": assets,
        "engineer": engineer,
        "sections": sections,
        "changes": changes,
        "review": _period_review(ctx, visit) if visit["kind"] == "review" else None,
    }


def _period_review(ctx: Context, visit: dict[str, Any]) -> dict[str, Any]:
    """What a service review's report says of the period: the month its checklist names (YYYY-MM),
    else the month before the visit; the figures are the customer review's. Those are for
    managers and admins: anyone else gets the period and why the figures are left out."""
    named = next((i["value"] for i in visit["items"] if i["id"] == REVIEW_PERIOD_ITEM), None)
    month = named.strip() if named and _MONTH.match(named.strip()) else review_month(visit["planned_for"])
    try:
        data = review_data(ctx, customer=visit["customer"], month=month)
    except NotAllowed:
        return {"month": month, "data": None}
    return {"month": month, "data": data}


def _delta(old: str, new: str) -> str | None:
    try:
        diff = float(new) - float(old)
    except ValueError:
        return None
    return f"{diff:+g}"


def _value(item: dict[str, Any]) -> str:
    if item["value"] is None:
        return "—"
    return f"{item['value']} {item['unit']}" if item["unit"] and item["kind"] == "number" else item["value"]


def visit_report(ctx: Context, *, key: str, fmt: str = "md") -> str:
    """Visit `key`'s report, titled by its kind, as Markdown or self-contained HTML."""
    if fmt not in FORMATS:
        raise InvalidInput(_("format {format!r}: must be md or html").format(format=fmt))
    return render_document("visit-report", fmt=fmt, data=_report_data(ctx, key))
