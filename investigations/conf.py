"""Investigation rule settings. Forces differ on some of these: each reads an environment variable with a
default that works with no environment (the national position as at 2026)."""

from dataclasses import dataclass, field
from datetime import date

from crimedash.env import env_int, env_list, env_str


def _days(name: str, default: int) -> int:
    return env_int(name, default, minimum=0)


@dataclass(frozen=True)
class RuleSettings:
    # Pre-charge bail: the extension decision is due this many days before the bail period ends.
    bail_decision_lead_days: int = field(default_factory=lambda: _days("INV_BAIL_DECISION_LEAD_DAYS", 14))
    bail_warning_days: int = field(default_factory=lambda: _days("INV_BAIL_WARNING_DAYS", 7))
    # Released under investigation: no statutory limit, so the force reviews at these ages (days).
    rui_review_ages: tuple[int, ...] = field(
        default_factory=lambda: tuple(int(v) for v in env_list("INV_RUI_REVIEW_AGES", ["90", "180"]))
    )
    rui_warning_days: int = field(default_factory=lambda: _days("INV_RUI_WARNING_DAYS", 14))
    # Statutory time limits: warn this long before the last day to lay an information.
    time_limit_warning_days: int = field(default_factory=lambda: _days("INV_TIME_LIMIT_WARNING_DAYS", 28))
    # Offences that s39A CJA 1988 covers when they amount to domestic abuse.
    da_extended_offences: tuple[str, ...] = field(
        default_factory=lambda: tuple(env_list("INV_DA_EXTENDED_OFFENCES", ["common_assault", "battery"]))
    )
    # Victims' Code right 6: working days to tell the victim; enhanced-rights victims get the shorter period.
    victim_contact_days: int = field(default_factory=lambda: _days("INV_VICTIM_CONTACT_DAYS", 5))
    victim_contact_days_enhanced: int = field(default_factory=lambda: _days("INV_VICTIM_CONTACT_DAYS_ENHANCED", 1))
    victim_warning_days: int = field(default_factory=lambda: _days("INV_VICTIM_WARNING_DAYS", 2))
    # Supervisor reviews: first within N days of allocation, then every M days.
    review_first_days: int = field(default_factory=lambda: _days("INV_REVIEW_FIRST_DAYS", 7))
    review_interval_days: int = field(default_factory=lambda: _days("INV_REVIEW_INTERVAL_DAYS", 28))
    review_warning_days: int = field(default_factory=lambda: _days("INV_REVIEW_WARNING_DAYS", 3))
    # Crime data integrity: hours to record a crime-bearing incident; days to correct a recorded error.
    cdi_recording_hours: int = field(default_factory=lambda: _days("INV_CDI_RECORDING_HOURS", 24))
    cdi_correction_days: int = field(default_factory=lambda: _days("INV_CDI_CORRECTION_DAYS", 7))
    cdi_warning_days: int = field(default_factory=lambda: _days("INV_CDI_WARNING_DAYS", 1))
    # Failure to surrender: days after the missed appointment to circulate the suspect as wanted.
    surrender_days: int = field(default_factory=lambda: _days("INV_SURRENDER_DAYS", 1))
    # Demand against capacity: open actions one officer can carry (an officer's own figure, set in the admin, wins).
    officer_capacity: int = field(default_factory=lambda: _days("INV_OFFICER_CAPACITY", 25))
    # Demand surge: a team's new allocations in the last 7 days against the 7 before: flagged when at least
    # INV_SURGE_RATIO percent of them and at least INV_SURGE_MIN more.
    surge_ratio_percent: int = field(default_factory=lambda: _days("INV_SURGE_RATIO", 150))
    surge_min_increase: int = field(default_factory=lambda: _days("INV_SURGE_MIN", 3))
    holiday_subdivision: str = field(default_factory=lambda: env_str("INV_HOLIDAY_SUBDIVISION", "ENG"))


# Dates fixed by statute, not by force policy.
PCSC_BAIL_COMMENCEMENT = date(2022, 10, 28)  # Police, Crime, Sentencing and Courts Act 2022 s45 and Sch 4
DA_TIME_LIMIT_COMMENCEMENT = date(2022, 6, 28)  # PCSC Act 2022 s49 (inserting CJA 1988 s39A)


def rule_settings() -> RuleSettings:
    return RuleSettings()
