"""The service types of the service system (服务内容, seed §四)."""

from __future__ import annotations

SERVICES: dict[str, str] = {
    "maintenance": "维保 maintenance",
    "remote": "远程技术支持 remote support (phone and remote login)",
    "onsite": "现场技术支持 on-site support",
    "inspection": "巡检 inspection",
    "non_product": "非产品故障现场支持 on-site support for non-product faults",
    "training": "培训 product and maintenance training",
    "standby": "现场值守 on-site standby / major-event assurance",
    "optimization": "系统优化 system optimization",
    "dr_drill": "灾难演练 disaster-recovery drill",
    "consultation": "技术咨询 technical consultation",
}

# A technical consultation (技术咨询, seed §四(1) phone support): a question answered by phone or
# remotely; nothing is broken. Every contract in force covers it, whatever its level lists.
CONSULTATION = "consultation"
IN_EVERY_LEVEL: frozenset[str] = frozenset({CONSULTATION})
# What a consultation that turns out to be a fault becomes (`ticket convert`).
FAULT_SERVICES: tuple[str, ...] = ("remote", "onsite", "non_product")

# What a contract term grants each year, and the service each kind of use belongs to.
ENTITLEMENTS: dict[str, str] = {
    "inspections": "inspection",
    "trainings": "training",
    "standby_days": "standby",
}
