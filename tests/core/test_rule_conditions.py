"""A rule's conditions: the sweep asks only whether they hold (`conditions_hold`), `rules explain`
says which do not (`unmet_conditions`); the two must agree on every ticket."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from xhsvc.core.rules import LIST_CONDITIONS, Facts, Rule, conditions_hold, unmet_conditions

# A few values of each fact (None where a ticket may have none), so that conditions often match.
VALUES: dict[str, list[Any]] = {
    "priority": ["P1", "P2", "P3", "P4"],
    "status": ["new", "assigned", "in_progress", "waiting_customer"],
    "tier": ["L1", "L2", "L3"],
    "level": [None, "gold", "silver"],
    "service": ["fault", "consultation"],
    "channel": ["phone", "email"],
    "customer": ["华东银行", "Acme"],
    "region": [None, "杭州", "上海"],
}

facts = st.builds(
    Facts, **{name: st.sampled_from(values) for name, values in VALUES.items()}, major=st.booleans()
)
conditions = st.fixed_dictionaries(
    {},
    optional={
        **{
            name: st.lists(st.sampled_from([v for v in values if v is not None]), min_size=1, unique=True)
            for name, values in VALUES.items()
            if name in LIST_CONDITIONS
        },
        "major": st.booleans(),
    },
)


@given(when=conditions, ticket=facts)
def test_conditions_hold_exactly_when_none_is_unmet(when: dict[str, Any], ticket: Facts) -> None:
    rule = Rule(id="r", title="a rule", when=when)
    assert conditions_hold(rule, ticket) == (unmet_conditions(rule, ticket) == [])


def test_every_condition_a_rule_may_name_is_drawn() -> None:
    assert set(LIST_CONDITIONS) <= set(VALUES)
