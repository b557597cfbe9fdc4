"""Words for the codes the desk stores: a ticket's status, service and channel, an SLA clock's
target and state, a request's kind and state, a person's role, why a notice was sent, what an event of the log did, what a contract grants each year, a visit's kind and state, a notice's state, a contract's state. In English a word is the code itself, so what one
reads is what options take (`--status in_progress`); other languages say it in their words. The
codes stay what `--json` and the database hold."""

from __future__ import annotations

from collections.abc import Callable

from xhsvc.i18n import pgettext


def _status() -> dict[str, str]:
    return {
        "new": pgettext("ticket status", "new"),
        "assigned": pgettext("ticket status", "assigned"),
        "in_progress": pgettext("ticket status", "in_progress"),
        "waiting_customer": pgettext("ticket status", "waiting_customer"),
        "resolved": pgettext("ticket status", "resolved"),
        "closed": pgettext("ticket status", "closed"),
        "cancelled": pgettext("ticket status", "cancelled"),
    }


def _status_short() -> dict[str, str]:
    # The queue's column is narrow: a long status has a short word there (the ticket screen and
    # the CLI say it whole).
    return {**_status(), "waiting_customer": pgettext("ticket status", "waiting")}


def _service() -> dict[str, str]:
    return {
        "maintenance": pgettext("service", "maintenance"),
        "remote": pgettext("service", "remote"),
        "onsite": pgettext("service", "onsite"),
        "inspection": pgettext("service", "inspection"),
        "non_product": pgettext("service", "non_product"),
        "training": pgettext("service", "training"),
        "standby": pgettext("service", "standby"),
        "optimization": pgettext("service", "optimization"),
        "dr_drill": pgettext("service", "dr_drill"),
        "consultation": pgettext("service", "consultation"),
    }


def _channel() -> dict[str, str]:
    return {
        "hotline": pgettext("channel", "hotline"),
        "direct": pgettext("channel", "direct"),
        "email": pgettext("channel", "email"),
        "other": pgettext("channel", "other"),
    }


def _target() -> dict[str, str]:
    return {
        "response": pgettext("sla target", "response"),
        "onsite": pgettext("sla target", "onsite"),
        "resolution": pgettext("sla target", "resolution"),
    }


def _clock_state() -> dict[str, str]:
    return {
        "running": pgettext("clock state", "running"),
        "warning": pgettext("clock state", "warning"),
        "breached": pgettext("clock state", "breached"),
        "paused": pgettext("clock state", "paused"),
        "met": pgettext("clock state", "met"),
        "late": pgettext("clock state", "late"),
        "cancelled": pgettext("clock state", "cancelled"),
    }


def _request_kind() -> dict[str, str]:
    return {
        "escalation": pgettext("request", "escalation"),
        "onsite": pgettext("request", "onsite"),
        "l2_onsite": pgettext("request", "l2_onsite"),
    }


def _request_state() -> dict[str, str]:
    return {
        "pending": pgettext("request state", "pending"),
        "approved": pgettext("request state", "approved"),
        "denied": pgettext("request state", "denied"),
        "withdrawn": pgettext("request state", "withdrawn"),
    }


def _role() -> dict[str, str]:
    return {
        "agent": pgettext("role", "agent"),
        "engineer": pgettext("role", "engineer"),
        "expert": pgettext("role", "expert"),
        "manager": pgettext("role", "manager"),
        "admin": pgettext("role", "admin"),
    }


def _notice() -> dict[str, str]:
    return {
        "assigned": pgettext("notice", "assigned"),
        "approval_requested": pgettext("notice", "approval_requested"),
        "approval_decided": pgettext("notice", "approval_decided"),
        "approval_referred": pgettext("notice", "approval_referred"),
        "direct_call": pgettext("notice", "direct_call"),
        "major_incident": pgettext("notice", "major_incident"),
        "reopened": pgettext("notice", "reopened"),
        "sla_rule": pgettext("notice", "sla_rule"),
    }


def _work() -> dict[str, str]:
    return {
        "remote": pgettext("work", "remote"),
        "onsite": pgettext("work", "onsite"),
        "travel": pgettext("work", "travel"),
    }


def _event() -> dict[str, str]:
    return {
        "ticket.opened": pgettext("event", "ticket.opened"),
        "ticket.assigned": pgettext("event", "ticket.assigned"),
        "ticket.responded": pgettext("event", "ticket.responded"),
        "ticket.commented": pgettext("event", "ticket.commented"),
        "ticket.waiting": pgettext("event", "ticket.waiting"),
        "ticket.resumed": pgettext("event", "ticket.resumed"),
        "ticket.arrived": pgettext("event", "ticket.arrived"),
        "ticket.reprioritized": pgettext("event", "ticket.reprioritized"),
        "ticket.resolved": pgettext("event", "ticket.resolved"),
        "ticket.converted": pgettext("event", "ticket.converted"),
        "ticket.confirmed": pgettext("event", "ticket.confirmed"),
        "ticket.reviewed": pgettext("event", "ticket.reviewed"),
        "ticket.closed": pgettext("event", "ticket.closed"),
        "ticket.reopened": pgettext("event", "ticket.reopened"),
        "ticket.cancelled": pgettext("event", "ticket.cancelled"),
        "ticket.escalated": pgettext("event", "ticket.escalated"),
        "ticket.onsite_approved": pgettext("event", "ticket.onsite_approved"),
        "ticket.marked_major": pgettext("event", "ticket.marked_major"),
        "approval.requested": pgettext("event", "approval.requested"),
        "approval.approved": pgettext("event", "approval.approved"),
        "approval.denied": pgettext("event", "approval.denied"),
        "approval.withdrawn": pgettext("event", "approval.withdrawn"),
        "approval.referred": pgettext("event", "approval.referred"),
        "sla_clock.started": pgettext("event", "sla_clock.started"),
        "sla_clock.stopped": pgettext("event", "sla_clock.stopped"),
        "sla_clock.paused": pgettext("event", "sla_clock.paused"),
        "sla_clock.resumed": pgettext("event", "sla_clock.resumed"),
        "sla_clock.recomputed": pgettext("event", "sla_clock.recomputed"),
        "sla_clock.breached": pgettext("event", "sla_clock.breached"),
        "notification.queued": pgettext("event", "notification.queued"),
        "rule.fired": pgettext("event", "rule.fired"),
        "part_replacement.recorded": pgettext("event", "part_replacement.recorded"),
        "work_log.logged": pgettext("event", "work_log.logged"),
        "knowledge_note.added": pgettext("event", "knowledge_note.added"),
        "finding.ticket_opened": pgettext("event", "finding.ticket_opened"),
    }


def _entitlement() -> dict[str, str]:
    return {
        "inspections": pgettext("entitlement", "inspections"),
        "trainings": pgettext("entitlement", "trainings"),
        "standby_days": pgettext("entitlement", "standby_days"),
    }


def _visit_kind() -> dict[str, str]:
    return {
        "inspection": pgettext("visit kind", "inspection"),
        "training": pgettext("visit kind", "training"),
        "standby": pgettext("visit kind", "standby"),
        "optimization": pgettext("visit kind", "optimization"),
        "dr_drill": pgettext("visit kind", "dr_drill"),
        "review": pgettext("visit kind", "review"),
    }


def _visit_state() -> dict[str, str]:
    return {
        "planned": pgettext("visit state", "planned"),
        "in_progress": pgettext("visit state", "in_progress"),
        "completed": pgettext("visit state", "completed"),
        "cancelled": pgettext("visit state", "cancelled"),
    }


def _notice_state() -> dict[str, str]:
    return {
        "pending": pgettext("notice state", "pending"),
        "delivered": pgettext("notice state", "delivered"),
        "failed": pgettext("notice state", "failed"),
    }


def _contract_state() -> dict[str, str]:
    return {
        "active": pgettext("contract state", "active"),
        "expired": pgettext("contract state", "expired"),
        "not_started": pgettext("contract state", "not_started"),
        "terminated": pgettext("contract state", "terminated"),
    }


def _labeller(words: Callable[[], dict[str, str]]) -> Callable[[str | None], str]:
    # The words are looked up on each call: the language can change while the process runs.
    def label(code: str | None) -> str:
        if code is None:
            return ""
        return words().get(code, code)

    return label


status_label = _labeller(_status)
status_short_label = _labeller(_status_short)
service_label = _labeller(_service)
channel_label = _labeller(_channel)
target_label = _labeller(_target)
clock_state_label = _labeller(_clock_state)
request_kind_label = _labeller(_request_kind)
request_state_label = _labeller(_request_state)
role_label = _labeller(_role)
notice_label = _labeller(_notice)
work_label = _labeller(_work)
event_label = _labeller(_event)
entitlement_label = _labeller(_entitlement)
visit_kind_label = _labeller(_visit_kind)
visit_state_label = _labeller(_visit_state)
notice_state_label = _labeller(_notice_state)
contract_state_label = _labeller(_contract_state)


def pending_text(pending: dict[str, str] | None) -> str:
    """A ticket's pending request in a listing: its kind and who decides, `二线现场服务 (经理)`."""
    if not pending:
        return ""
    return f"{request_kind_label(pending['kind'])} ({role_label(pending['decider'])})"
