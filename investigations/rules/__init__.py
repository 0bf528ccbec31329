"""The deadline rules, one module each. Every module exposes RULE and `actions(case, *, today, conf)`."""

from datetime import date

from investigations.conf import RuleSettings
from investigations.rules import bail, cdi, reviews, rui, surrender, time_limits, victims_code
from investigations.rules.facts import ActionSpec, CaseFacts

RULES = [bail, rui, surrender, time_limits, victims_code, reviews, cdi]


def case_actions(case: CaseFacts, *, today: date, conf: RuleSettings) -> list[ActionSpec]:
    return [spec for rule in RULES for spec in rule.actions(case, today=today, conf=conf)]
