"""The inspection summary report (巡检总结报告与系统优化建议), as Markdown or self-contained HTML.

The report reads like the paper one: who, where, which systems, each section's results, the findings
with their recommendations, and what changed since the previous inspection (firmware, capacity).

Every value in it comes from people (names, answers, notes, the summary) or from template files:
control characters are made visible (`xhsvc.core.text.display`), HTML is escaped, and in Markdown
the characters that would make markup (emphasis, links, raw HTML, a table's `|`) are escaped.
"""

from __future__ import annotations

import re
from html import escape
from typing import Any

from xhsvc.core.context import Context
from xhsvc.core.contracts import today_of
from xhsvc.core.text import display
from xhsvc.core.visits import previous_completed, show_visit
from xhsvc.errors import InvalidInput
from xhsvc.i18n import _
from xhsvc.store import queries

FORMATS = ("md", "html")
RESULT_LABELS = {"ok": "正常 OK", "warn": "注意 WARN", "fail": "异常 FAIL", "na": "不适用 N/A", None: ""}
# What the "change since the previous inspection" part compares.
TRACKED_SECTIONS = ("firmware", "capacity")


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
        title = visit["sections"].get(item["section"], item["section"])
        if not sections or sections[-1][0] != title:
            sections.append((title, []))
        sections[-1][1].append(item)
    return {
        "visit": visit,
        "previous": previous,
        "customer": customer,
        "site": site,
        "contract": contract.number if contract else None,
        "level": level,
        "assets": assets,
        "engineer": engineer,
        "sections": sections,
        "changes": changes,
    }


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


def _dates(visit: dict[str, Any]) -> str:
    done = visit["completed_on"]
    return f"{visit['planned_for']}" + (f"（完成 completed {done}）" if done else "")


# What Markdown could take for markup inside a line: escapes, code, emphasis, links, raw HTML
# and entities, table cells, strikethrough.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&])")


def _md(value: Any) -> str:
    """A value inside a Markdown line: on one line, control characters visible, markup escaped."""
    text = display(value, multiline=True).replace("\n", " ").replace("\t", " ")
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def _md_block(value: str) -> list[str]:
    """A multi-line text (the summary) as Markdown lines, each escaped like `_md`."""
    return [_md(line) for line in display(value, multiline=True).split("\n")]


def _markdown(data: dict[str, Any]) -> str:
    visit = data["visit"]
    m = _md
    site, engineer = data["site"], data["engineer"]
    lines = [
        f"# {m(visit['title'])} — 巡检总结报告与系统优化建议",
        "",
        f"- 巡检编号 Visit: **{m(visit['key'])}** ({m(visit['status'])})",
        f"- 客户 Customer: {m(data['customer'].name)}",
        f"- 站点 Site: {m(site.name + ' ' + (site.address or '')) if site else '—'}",
        f"- 合同 Contract: {m(data['contract'] or '—')} ({m(data['level'] or '—')})",
        f"- 工程师 Engineer: {m(engineer.name + ' (' + engineer.handle + ')') if engineer else '—'}",
        f"- 日期 Date: {m(_dates(visit))}",
        "",
        "## 设备 Systems",
        "",
        "| 型号 Model | 序列号 Serial | 固件 Firmware |",
        "|---|---|---|",
        *[f"| {m(a.model)} | {m(a.serial)} | {m(a.firmware or '—')} |" for a in data["assets"]],
    ]
    for section, items in data["sections"]:
        lines += [
            "",
            f"## {m(section)}",
            "",
            "| 项目 Item | 结果 Value | 判定 Result | 备注 Note |",
            "|---|---|---|---|",
        ]
        lines += [
            f"| {m(i['label'])} | {m(_value(i))} | {RESULT_LABELS[i['result']]} | {m(i['note'] or '')} |"
            for i in items
        ]
    lines += ["", "## 发现与建议 Findings and recommendations", ""]
    if visit["findings"]:
        for f in visit["findings"]:
            ticket = f" — 跟进工单 follow-up {m(f['ticket'])}" if f["ticket"] else ""
            lines.append(f"- **{RESULT_LABELS[f['severity']]}** {m(f['text'])}{ticket}")
            if f["recommendation"]:
                lines.append(f"  - 建议 Recommendation: {m(f['recommendation'])}")
    else:
        lines.append(
            "无 None."
            if visit["status"] == "completed"
            else "（巡检完成后生成 made when the visit completes）"
        )
    lines += ["", "## 与上次巡检相比 Changes since the previous inspection", ""]
    previous = data["previous"]
    if previous is None:
        lines.append("首次巡检 First inspection: nothing to compare.")
    elif not data["changes"]:
        lines.append(f"与 {m(previous['key'])} 相比无变化 No change since {m(previous['key'])}.")
    else:
        lines.append(f"上次 Previous: {m(previous['key'])} ({m(previous['planned_for'])})")
        lines.append("")
        lines += ["| 项目 Item | 上次 Before | 本次 Now | 变化 Change |", "|---|---|---|---|"]
        lines += [
            f"| {m(c['label'])} | {m(c['before'])} | {m(c['after'])} {m(c['unit'] or '')} "
            f"| {m(c['delta'] or '更新 changed')} |"
            for c in data["changes"]
        ]
    if visit["summary"]:
        lines += ["", "## 总结 Summary", "", *_md_block(visit["summary"])]
    return "\n".join(lines) + "\n"


CSS = """
body { font-family: "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif; margin: 2em auto;
       max-width: 60em; color: #222; line-height: 1.45; }
h1 { font-size: 1.5em; border-bottom: 3px solid #1d4e89; padding-bottom: .3em; }
h2 { font-size: 1.15em; color: #1d4e89; margin-top: 1.6em; }
table { border-collapse: collapse; width: 100%; margin: .5em 0; }
th, td { border: 1px solid #bbb; padding: .3em .5em; text-align: left; vertical-align: top; }
th { background: #eef2f7; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: .2em 1em; }
dl.meta dt { font-weight: bold; }
.result { font-weight: bold; white-space: nowrap; }
.ok { color: #1a7f37; } .warn { color: #9a6700; } .fail { color: #cf222e; } .na { color: #666; }
.finding { border-left: 4px solid #9a6700; padding: .2em .8em; margin: .5em 0; }
.finding.fail { border-color: #cf222e; }
.summary { white-space: pre-line; }
@media print { body { margin: 0; max-width: none; font-size: 10.5pt; }
  h2 { break-after: avoid; } table, .finding { break-inside: avoid; } }
@page { size: A4; margin: 18mm 15mm; }
"""


def _h(value: Any) -> str:
    """A value in HTML: escaped, control characters visible (newlines and tabs are only spaces
    there, except in the summary, which keeps its lines)."""
    return escape(display(value, multiline=True))


def _html(data: dict[str, Any]) -> str:
    visit = data["visit"]
    e = _h
    meta = [
        ("巡检编号 Visit", f"{visit['key']} ({visit['status']})"),
        ("客户 Customer", data["customer"].name),
        ("站点 Site", f"{data['site'].name} {data['site'].address or ''}" if data["site"] else "—"),
        ("合同 Contract", f"{data['contract'] or '—'} ({data['level'] or '—'})"),
        (
            "工程师 Engineer",
            f"{data['engineer'].name} ({data['engineer'].handle})" if data["engineer"] else "—",
        ),
        ("日期 Date", _dates(visit)),
    ]
    parts = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN"><head><meta charset="utf-8">',
        f"<title>{e(visit['key'])} {e(visit['title'])}</title>",
        f"<style>{CSS}</style></head><body>",
        f"<h1>{e(visit['title'])} — 巡检总结报告与系统优化建议</h1>",
        '<dl class="meta">',
        *[f"<dt>{e(k)}</dt><dd>{e(v)}</dd>" for k, v in meta],
        "</dl>",
        "<h2>设备 Systems</h2><table><tr><th>型号 Model</th><th>序列号 Serial</th><th>固件 Firmware</th></tr>",
        *[
            f"<tr><td>{e(a.model)}</td><td>{e(a.serial)}</td><td>{e(a.firmware or '—')}</td></tr>"
            for a in data["assets"]
        ],
        "</table>",
    ]
    for section, items in data["sections"]:
        parts.append(
            f"<h2>{e(section)}</h2><table><tr><th>项目 Item</th><th>结果 Value</th><th>判定 Result</th><th>备注 Note</th></tr>"
        )
        for i in items:
            css = i["result"] or ""
            parts.append(
                f"<tr><td>{e(i['label'])}</td><td>{e(_value(i))}</td>"
                f'<td class="result {css}">{e(RESULT_LABELS[i["result"]])}</td><td>{e(i["note"] or "")}</td></tr>'
            )
        parts.append("</table>")
    parts.append("<h2>发现与建议 Findings and recommendations</h2>")
    if visit["findings"]:
        for f in visit["findings"]:
            ticket = f" — 跟进工单 follow-up <strong>{e(f['ticket'])}</strong>" if f["ticket"] else ""
            advice = f"<br>建议 Recommendation: {e(f['recommendation'])}" if f["recommendation"] else ""
            parts.append(
                f'<div class="finding {e(f["severity"])}"><span class="result {e(f["severity"])}">'
                f"{e(RESULT_LABELS[f['severity']])}</span> {e(f['text'])}{ticket}{advice}</div>"
            )
    else:
        parts.append("<p>无 None.</p>" if visit["status"] == "completed" else "<p>（巡检完成后生成）</p>")
    parts.append("<h2>与上次巡检相比 Changes since the previous inspection</h2>")
    if data["previous"] is None:
        parts.append("<p>首次巡检 First inspection: nothing to compare.</p>")
    elif not data["changes"]:
        parts.append(f"<p>与 {e(data['previous']['key'])} 相比无变化 No change.</p>")
    else:
        parts.append(
            f"<p>上次 Previous: {e(data['previous']['key'])} ({e(str(data['previous']['planned_for']))})</p>"
        )
        parts.append(
            "<table><tr><th>项目 Item</th><th>上次 Before</th><th>本次 Now</th><th>变化 Change</th></tr>"
        )
        parts += [
            f"<tr><td>{e(c['label'])}</td><td>{e(c['before'])}</td><td>{e(c['after'])} {e(c['unit'] or '')}</td>"
            f"<td>{e(c['delta'] or '更新 changed')}</td></tr>"
            for c in data["changes"]
        ]
        parts.append("</table>")
    if visit["summary"]:
        parts.append(f'<h2>总结 Summary</h2><p class="summary">{e(visit["summary"])}</p>')
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def visit_report(ctx: Context, *, key: str, fmt: str = "md") -> str:
    if fmt not in FORMATS:
        raise InvalidInput(_("format {format!r}: must be md or html").format(format=fmt))
    data = _report_data(ctx, key)
    return _markdown(data) if fmt == "md" else _html(data)
