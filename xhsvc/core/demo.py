"""Demo data: a service center with branches across China and tickets at every stage of the flow.

Everything goes through the same core services a user calls, so the demo's history is real.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from contextlib import suppress
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from xhsvc.core import (
    approvals,
    contracts,
    customers,
    knowledge,
    organization,
    parts,
    people,
    ticket_views,
    tickets,
    worklogs,
)
from xhsvc.core.context import Context
from xhsvc.errors import Conflict
from xhsvc.i18n import _
from xhsvc.store import queries

PEOPLE: list[dict[str, Any]] = [
    {"handle": "admin", "name": "系统管理员", "role": "admin", "region": "杭州"},
    {"handle": "zhoujian", "name": "周建", "role": "manager", "region": "杭州"},
    {"handle": "qianhong", "name": "钱红", "role": "manager", "region": "北京"},
    {"handle": "wangfang", "name": "王芳", "role": "agent", "region": "杭州"},
    {"handle": "zhaoli", "name": "赵丽", "role": "agent", "region": "杭州"},
    {"handle": "sunyan", "name": "孙燕", "role": "agent", "region": "北京"},
    {"handle": "lijun", "name": "李军", "role": "engineer", "tier": "L1", "region": "杭州"},
    {"handle": "zhangwei", "name": "张伟", "role": "engineer", "tier": "L1", "region": "北京"},
    {"handle": "liuyang", "name": "刘洋", "role": "engineer", "tier": "L1", "region": "上海"},
    {"handle": "chenjie", "name": "陈杰", "role": "engineer", "tier": "L1", "region": "广州"},
    {"handle": "yangfan", "name": "杨帆", "role": "engineer", "tier": "L1", "region": "成都"},
    {"handle": "huangtao", "name": "黄涛", "role": "engineer", "tier": "L1", "region": "南京"},
    {"handle": "zhoumin", "name": "周敏", "role": "engineer", "tier": "L1", "region": "武汉"},
    {"handle": "wuhao", "name": "吴昊", "role": "engineer", "tier": "L2", "region": "杭州"},
    {"handle": "xuqiang", "name": "徐强", "role": "engineer", "tier": "L2", "region": "北京"},
    {"handle": "sunli", "name": "孙立", "role": "expert", "region": "杭州"},
]

CUSTOMERS: list[tuple[str, str, str]] = [
    ("浙江省第一人民医院", "杭州", "医疗"),
    ("杭州市西湖区政务数据中心", "杭州", "政府"),
    ("北京海淀区社保中心", "北京", "政府"),
    ("北京华信证券数据中心", "北京", "金融"),
    ("上海浦江城市商业银行", "上海", "金融"),
    ("上海申通物流信息中心", "上海", "物流"),
    ("广州市妇女儿童医疗中心", "广州", "医疗"),
    ("广州南沙港务集团", "广州", "交通"),
    ("成都天府软件园运营中心", "成都", "IT"),
    ("四川省教育考试院", "成都", "教育"),
    ("南京江宁区教育局", "南京", "教育"),
    ("武汉光谷生物医药研究院", "武汉", "科研"),
]

# Customer index -> (contract number, level, start and end in days from today); renewed ones get
# an earlier term first. 四川省教育考试院 (9) has no contract: its on-site request goes to the manager.
CONTRACTS: dict[int, tuple[str, str, int, int]] = {
    0: ("HT-2025-0101", "platinum", -400, 330),
    1: ("HT-2025-0102", "gold", -300, 65),
    2: ("HT-2025-0103", "silver", -200, 165),
    3: ("HT-2025-0104", "gold", -330, 35),
    4: ("HT-2025-0105", "platinum", -100, 265),
    5: ("HT-2025-0106", "silver", -345, 20),
    6: ("HT-2024-0107", "gold", -425, -60),
    7: ("HT-2025-0108", "basic", -180, 185),
    8: ("HT-2025-0109", "basic", -355, 10),
    10: ("HT-2025-0111", "gold", -150, 215),
    11: ("HT-2025-0112", "silver", -60, 305),
}
RENEWED = {0}
MODELS = ["XS-5000 统一存储", "XS-8000 全闪存阵列", "XB-300 备份一体机", "XS-3000 入门存储"]

DEMO_INSPECTION: dict[str, Any] = {
    "plan.scope": "XS-5000 统一存储，杭州主数据中心",
    "plan.window": "ok",
    "environment.temperature": 24,
    "environment.humidity": 48,
    "environment.power": "ok",
    "environment.cabinet": "良好 good",
    "firmware.controller_version": "V3.0.0",
    "firmware.controller": "fail",
    "firmware.disk": "ok",
    "firmware.hba": "ok",
    "firmware.multipath": "warn",
    "config.raid": "ok",
    "config.hot_spares": 2,
    "config.multipath_paths": "ok",
    "config.snapshots": "ok",
    "network.latency": 6.5,
    "network.errors": 0,
    "capacity.used_tb": 82,
    "capacity.total_tb": 100,
    "capacity.growth_tb_month": 3.5,
    "summary.overall": "需关注 attention",
    "summary.advice": "升级控制器固件至 V3.2.1；规划扩容 50TB",
}
DEMO_NOTES = {"firmware.controller": "V3.0.0，推荐 V3.2.1（已知缓存缺陷）"}

# A partner company and its engineer, who works tickets of 成都 only; and the project support
# teams of three customers (customer index -> (engineer, tier, primary)).
PARTNER = {"name": "蜀信科技", "regions": ["成都"], "contact": "王经理", "phone": "028-8555 0101"}
PARTNER_ENGINEER = {"handle": "wangpeng", "name": "王鹏", "role": "engineer", "tier": "L1"}
TEAMS: dict[int, list[tuple[str, str, bool]]] = {
    0: [("lijun", "L1", True), ("wuhao", "L2", True)],
    4: [("liuyang", "L1", True)],
    8: [("yangfan", "L1", True), ("wangpeng", "L1", False)],
}

# The engineer in each branch city who answers first.
FIRST_LINE = {
    "杭州": "lijun",
    "北京": "zhangwei",
    "上海": "liuyang",
    "广州": "chenjie",
    "成都": "yangfan",
    "南京": "huangtao",
    "武汉": "zhoumin",
}

TITLES = [
    ("存储阵列控制器B告警，性能下降", "remote"),
    ("双活集群心跳中断，业务切换至单站点", "onsite"),
    ("备份任务连续三晚失败，报错 media full", "maintenance"),
    ("多路径软件升级后部分LUN不可见", "remote"),
    ("硬盘故障灯亮，热备盘已接管", "maintenance"),
    ("快照空间不足，自动删除旧快照", "remote"),
    ("年度系统优化评估申请", "optimization"),
    ("灾备切换演练支持请求", "dr_drill"),
    ("数据库卷写延迟超过50ms", "remote"),
    ("机房空调故障后存储温度告警", "non_product"),
    ("复制链路中断，RPO超标", "remote"),
    ("新管理员产品培训申请", "training"),
    ("系统上线期间现场值守", "standby"),
    ("固件版本过旧，申请升级评估", "maintenance"),
]

REPORT = """服务报告 / Service report
客户: {customer}
工单: {key}
工作内容: 现场检查控制器及硬盘状态，更换故障部件，复核多路径与业务读写。
结果: 系统恢复正常，客户现场确认签字。
工程师: {engineer}
"""


class _DemoClock:
    """A clock the demo moves forward by hand, so the history reads like real days."""

    def __init__(self, start: datetime, real: Callable[[], datetime]) -> None:
        self.now = start
        self.real = real

    def __call__(self) -> datetime:
        # Never in the future: the last steps may bunch up at the present moment.
        return min(self.now, self.real())

    def advance(self, minutes: float) -> None:
        self.now += timedelta(minutes=minutes)


def load_demo(ctx: Context, *, seed: int = 2026) -> dict[str, Any]:
    """Fill a fresh database; refuses one that already has tickets."""
    with ctx.reading() as tx:
        if queries.count_tickets(tx.conn):
            raise Conflict(_("demo: this database already has tickets; use a fresh one (--db or XHSVC_HOME)"))
        existing = {p.handle for p in queries.list_people(tx.conn)}
    rng = random.Random(seed)
    clock = _DemoClock(ctx.now() - timedelta(days=12), ctx.clock)

    def as_(handle: str) -> Context:
        return replace(ctx, actor_handle=handle, clock=clock)

    admin_ctx = as_("admin")
    people.register_self(replace(ctx, actor_handle=None, clock=clock), **PEOPLE[0])
    # The branches first: everyone works at the branch of their city.
    organization.add_default_branches(admin_ctx)
    branch_of = {b["city"]: b["code"] for b in organization.list_branches(admin_ctx)}
    for spec in PEOPLE[1:]:
        if spec["handle"] not in existing:
            people.add_person(admin_ctx, **spec, branch=branch_of.get(spec.get("region", "")))
    if PARTNER_ENGINEER["handle"] not in existing:
        organization.add_partner(admin_ctx, **PARTNER)
        people.add_person(admin_ctx, **PARTNER_ENGINEER, partner=PARTNER["name"])
    desk = as_("wangfang")
    today = contracts.local_today(ctx)
    for index, (name, region, industry) in enumerate(CUSTOMERS):
        with ctx.reading() as tx:
            known = queries.get_customer(tx.conn, name) is not None
        if known:
            continue
        customers.add_customer(desk, name=name, region=region, industry=industry)
        site = f"{region}主数据中心"
        customers.add_site(
            desk, customer=name, name=site, address=f"{region}市高新区科技路{100 + index}号", city=region
        )
        customers.add_contact(
            desk,
            customer=name,
            name=f"{'陈王李赵刘张杨黄周吴徐孙'[index]}主任",
            phone=f"0{571 + index}-8{index:03d}{rng.randint(1000, 9999)}",
            role="信息科负责人",
        )
        customers.add_contact(
            desk,
            customer=name,
            name=f"{'赵钱孙李周吴郑王冯陈褚卫'[index]}工",
            phone=f"139{index:02d}{rng.randint(100000, 999999)}",
            email=f"ops{index}@example.cn",
            role="系统管理员",
        )
        serials = []
        for n in range(1 + index % 2):
            serial = f"XS{2023 + index % 3}-{index:02d}{n:02d}{rng.randint(100, 999)}"
            customers.add_asset(
                desk,
                customer=name,
                model=MODELS[(index + n) % len(MODELS)],
                serial=serial,
                firmware=f"V3.{index % 4}.{n}",
                site=site,
            )
            serials.append(serial)
        if index in CONTRACTS:
            number, level, start, end = CONTRACTS[index]
            first = today + timedelta(days=start)
            if index in RENEWED:
                contracts.add_contract(
                    desk, number=number, customer=name, level="gold", start=first, end=first + timedelta(days=364),
                    assets=serials, notes="首年金牌，次年升级白金",
                )  # fmt: skip
                contracts.renew_contract(desk, number=number, level=level, end=today + timedelta(days=end))
            else:
                contracts.add_contract(
                    desk, number=number, customer=name, level=level, start=first, end=today + timedelta(days=end),
                    assets=serials,
                )  # fmt: skip

    for index, members in TEAMS.items():
        for handle, tier, primary in members:
            # Conflict: a database the demo was loaded into before it had tickets.
            with suppress(Conflict):
                organization.add_team_member(
                    desk, customer=CUSTOMERS[index][0], person=handle, tier=tier, primary=primary
                )

    made: list[str] = []

    def call(customer_index: int, title_index: int, impact: int, urgency: int, **kw: Any) -> str:
        name, _region, _ = CUSTOMERS[customer_index % len(CUSTOMERS)]
        title, service = TITLES[title_index % len(TITLES)]
        agent = kw.pop("agent", rng.choice(["wangfang", "zhaoli", "sunyan"]))
        with ctx.reading() as tx:
            owner = queries.get_customer(tx.conn, name)
            owned = queries.list_assets(tx.conn, customer_id=owner.id) if owner else []
        kw.setdefault("asset", owned[0].serial if owned else None)
        opened = tickets.open_ticket(
            as_(agent),
            customer=name,
            title=title,
            impact=impact,
            urgency=urgency,
            service=service,
            contact=kw.pop(
                "contact", f"{rng.choice('张王李赵刘陈杨黄')}工/139{rng.randint(10000000, 99999999)}"
            ),
            **kw,
        )
        made.append(opened.ticket.key)
        clock.advance(rng.randint(3, 25))
        return opened.ticket.key

    def engineer_for(key: str) -> str:
        data = ticket_views.show_ticket(ctx, key=key)
        with ctx.reading() as tx:
            customer = queries.get_customer(tx.conn, data["customer"])
        return FIRST_LINE.get(customer.region if customer else "", "lijun")

    def worked(key: str) -> str:
        engineer = engineer_for(key)
        tickets.assign_ticket(as_("wangfang"), key=key, assignee=engineer)
        clock.advance(rng.randint(5, 40))
        tickets.respond_ticket(as_(engineer), key=key, note="已电话联系客户，远程登录检查日志")
        clock.advance(rng.randint(10, 90))
        return engineer

    def finish(key: str, engineer: str, *, onsite: bool) -> None:
        # The time it took, for the service report, `worklog totals` and `report workload`: each
        # span (kind, minutes, what was done) ends where the next begins, the last one now.
        spans = (
            [("travel", 60, "往返客户机房"), ("onsite", 150, "现场处理并复核业务")]
            if onsite
            else [("remote", 45, "远程分析日志并指导处理")]
        )
        began = clock.now - timedelta(minutes=sum(minutes for _kind, minutes, _note in spans))
        for kind, minutes, note in spans:
            worklogs.log_work(as_(engineer), key=key, duration=f"{minutes}m", kind=kind, note=note, at=began)
            began += timedelta(minutes=minutes)
        tickets.resolve_ticket(as_(engineer), key=key, resolution="更换故障部件并复核业务，系统恢复正常")
        clock.advance(rng.randint(30, 240))
        tickets.confirm_ticket(as_("wangfang"), key=key, by="客户信息科 陈主任")
        clock.advance(rng.randint(10, 60))
        data = ticket_views.show_ticket(ctx, key=key)
        report = REPORT.format(customer=data["customer"], key=key, engineer=engineer) if onsite else None
        tickets.close_ticket(as_("wangfang"), key=key, report=report)

    steps: list[Callable[[], None]] = []

    # Closed, with on-site work and a signed service report: the whole flow.
    def closed_onsite() -> None:
        key = call(0, 1, 2, 2)
        engineer = worked(key)
        approvals.request_onsite(as_(engineer), key=key, reason="需更换控制器B电池模块")
        clock.advance(15)
        approvals.approve_request(as_("wangfang"), key=key, note="维保合同期内")
        clock.advance(180)
        parts.record_part(
            as_(engineer),
            key=key,
            part="BBU-8000",
            description="控制器B电池模块",
            removed="BBU2023A0107",
            installed="BBU2026K0311",
        )
        finish(key, engineer, onsite=True)

    # Escalated to tier 2; tier-2 on-site work confirmed by the manager; closed.
    def escalated_closed() -> None:
        key = call(3, 10, 2, 1)
        engineer = worked(key)
        approvals.escalate_ticket(as_(engineer), key=key, to="L2", reason="复制软件缺陷，需二线分析")
        clock.advance(20)
        approvals.approve_request(as_("sunyan"), key=key, assign="xuqiang")
        clock.advance(30)
        tickets.respond_ticket(as_("xuqiang"), key=key, note="已接手，分析复制日志")
        clock.advance(120)
        approvals.request_onsite(as_("xuqiang"), key=key, reason="需现场重建复制链路")
        clock.advance(30)
        approvals.approve_request(as_("qianhong"), key=key, note="同意二线现场支持")
        clock.advance(300)
        finish(key, "xuqiang", onsite=True)
        # What was learnt, for the next engineer with the same trouble (`kb search 复制`).
        knowledge.add_note(
            as_("xuqiang"),
            ticket=key,
            symptom="复制链路中断，RPO 超标",
            cause="复制软件缺陷：链路闪断后未自动重连",
            fix="现场重建复制链路；升级复制软件到修复版本",
        )

    # A major incident, reviewed and closed.
    def major_closed() -> None:
        key = call(4, 8, 1, 1)
        engineer = worked(key)
        tickets.resolve_ticket(as_(engineer), key=key, resolution="回退异常固件，业务恢复")
        clock.advance(60)
        tickets.review_ticket(
            as_("zhoujian"),
            key=key,
            root_cause="固件升级未做兼容性验证",
            actions="升级前在测试环境验证；更新变更流程",
        )
        clock.advance(30)
        tickets.close_ticket(as_("wangfang"), key=key)
        knowledge.add_note(
            as_(engineer),
            ticket=key,
            symptom="固件升级后卷写延迟升高，业务中断",
            cause="固件升级未做兼容性验证",
            fix="回退固件；升级前在测试环境验证",
        )

    steps += [closed_onsite, escalated_closed, major_closed]
    for step in steps:
        step()
        clock.advance(rng.randint(120, 600))

    # Remote tickets resolved and closed without on-site work.
    for i in range(6):
        key = call(i + 5, i + 2, rng.choice([3, 4]), rng.choice([2, 3, 4]))
        engineer = worked(key)
        finish(key, engineer, onsite=False)
        clock.advance(rng.randint(60, 600))

    # Reopened: the customer said it was not fixed.
    key = call(6, 3, 2, 2)
    engineer = worked(key)
    tickets.resolve_ticket(as_(engineer), key=key, resolution="重新扫描LUN")
    clock.advance(200)
    tickets.confirm_ticket(as_("zhaoli"), key=key, by="刘科长", unresolved=True, note="重启后LUN再次丢失")
    clock.advance(rng.randint(60, 300))

    # Cancelled: the customer found it was their own network.
    key = call(7, 9, 3, 3)
    tickets.cancel_ticket(as_("zhaoli"), key=key, reason="客户确认为其网络交换机故障，非存储问题")
    clock.advance(rng.randint(60, 300))

    # Bring the clock close to now for the open queue.
    clock.now = max(clock.now, ctx.now() - timedelta(hours=30))

    # A major incident still open at tier 2: the managers were told at once.
    key = call(1, 1, 1, 1)
    engineer = worked(key)
    approvals.escalate_ticket(as_(engineer), key=key, to="L2", reason="双活仲裁异常，需二线介入")
    clock.advance(10)
    approvals.approve_request(as_("wangfang"), key=key, assign="wuhao")
    clock.advance(15)
    tickets.respond_ticket(as_("wuhao"), key=key, note="二线已接手，远程指导一线")
    clock.advance(40)
    approvals.request_onsite(as_("wuhao"), key=key, reason="需二线工程师到现场处理仲裁")
    clock.advance(30)

    # A major incident resolved, waiting for its review before it may close.
    key = call(11, 8, 1, 2)
    engineer = worked(key)
    tickets.resolve_ticket(as_(engineer), key=key, resolution="扩容缓存并调整QoS策略")
    clock.advance(60)

    # On-site request waiting for the agent.
    key = call(2, 4, 2, 3)
    engineer = worked(key)
    approvals.request_onsite(as_(engineer), key=key, reason="热备盘已用，需现场更换故障盘")
    clock.advance(20)

    # On-site request out of the desk's hands: referred to the manager.
    key = call(9, 9, 3, 2)
    engineer = worked(key)
    approvals.request_onsite(as_(engineer), key=key, reason="非产品故障，客户要求现场协助排查")
    clock.advance(10)
    approvals.refer_request(as_("sunyan"), key=key, reason="非产品故障现场支持，需经理审批")
    clock.advance(20)

    # Escalation to tier 2 waiting for the desk.
    key = call(8, 3, 2, 2)
    engineer = worked(key)
    approvals.escalate_ticket(as_(engineer), key=key, to="L2", reason="多路径问题一线无法定位")
    clock.advance(25)

    # On-site work approved and under way.
    key = call(10, 4, 3, 2)
    engineer = worked(key)
    approvals.request_onsite(as_(engineer), key=key, reason="更换故障硬盘")
    clock.advance(15)
    approvals.approve_request(as_("zhaoli"), key=key)
    clock.advance(30)

    # Waiting on the customer.
    key = call(5, 2, 3, 3)
    engineer = worked(key)
    tickets.wait_ticket(as_(engineer), key=key, reason="等待客户提供备份软件日志")
    clock.advance(30)

    # Resolved, waiting for the customer's confirmation.
    key = call(0, 5, 3, 3)
    engineer = worked(key)
    tickets.resolve_ticket(as_(engineer), key=key, resolution="调整快照保留策略，释放空间")
    clock.advance(30)

    # A direct call to an engineer: the agents are told.
    name = CUSTOMERS[1][0]
    opened = tickets.open_ticket(
        as_("lijun"),
        customer=name,
        title="客户直接来电：存储管理界面无法登录",
        impact=3,
        urgency=2,
        channel="direct",
    )
    made.append(opened.ticket.key)
    clock.advance(20)

    # Fresh calls: some assigned, some still new.
    for i in range(8):
        key = call(
            rng.randrange(len(CUSTOMERS)),
            rng.randrange(len(TITLES)),
            rng.choice([2, 3, 4]),
            rng.choice([2, 3]),
        )
        if i % 2 == 0:
            tickets.assign_ticket(as_("wangfang"), key=key, assignee=engineer_for(key))
        clock.advance(rng.randint(5, 40))

    # Entitlements used this term.
    contracts.use_entitlement(
        as_("lijun"),
        number=CONTRACTS[0][0],
        kind="inspections",
        on=today - timedelta(days=40),
        note="季度巡检",
    )
    contracts.use_entitlement(as_("zhaoli"), number=CONTRACTS[4][0], kind="trainings", note="新管理员培训")
    contracts.use_entitlement(
        as_("zhoujian"), number=CONTRACTS[4][0], kind="standby_days", quantity=3, note="核心系统割接值守"
    )

    # Inspections: a year planned for a platinum contract, one done with findings and a follow-up,
    # one due this week; a disaster-recovery drill planned.
    from xhsvc.core import visits

    planned = visits.plan_visits(as_("wangfang"), contract=CONTRACTS[0][0])
    done = visits.add_visit(
        as_("wangfang"), contract=CONTRACTS[0][0], kind="inspection", on=today - timedelta(days=3)
    )
    visits.assign_visit(as_("wangfang"), key=done.key, engineer="lijun")
    visits.start_visit(as_("lijun"), key=done.key)
    visits.record_items(as_("lijun"), key=done.key, answers=DEMO_INSPECTION, notes=DEMO_NOTES)
    visits.complete_visit(
        as_("lijun"),
        key=done.key,
        summary="控制器固件需升级；备份容量半年内将写满",
        open_tickets=["firmware.controller"],
    )
    visits.assign_visit(as_("wangfang"), key=planned[0].key, engineer="lijun")
    visits.add_visit(
        as_("wangfang"), contract=CONTRACTS[4][0], kind="dr_drill", on=today + timedelta(days=10)
    )

    # The nightly sweep has run: late tickets have warned, escalated and told the managers.
    from xhsvc.core.sweep import sweep

    swept = sweep(replace(ctx, actor_handle="wangfang"))

    with ctx.reading() as tx:
        return {
            "rules_fired": len(swept.fired),
            "people": len(queries.list_people(tx.conn)),
            "customers": len(queries.list_customers(tx.conn)),
            "contracts": len(queries.list_contracts(tx.conn)),
            "tickets": queries.count_tickets(tx.conn),
            "user": "wangfang",
            "keys": made,
        }
