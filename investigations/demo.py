"""A realistic RMS export for the demo BCU (Westminster CID, six teams), written relative to today so the
queues always hold overdue, due-today and due-soon work, and the review history shows a backlog being cleared
(overdue reviews falling over the last three months)."""

import csv
import random
from datetime import date, datetime, time, timedelta
from pathlib import Path

from django.utils import timezone

from investigations.importer import COLUMNS
from investigations.rules.bail import bail_ends_on

BCU = ("westminster", "Westminster")
DEPARTMENT = ("westminster-cid", "Westminster CID")
TEAMS = 6
OFFICERS_PER_TEAM = 9
FIRST = ["Amy", "Ben", "Chloe", "Dev", "Ella", "Femi", "Grace", "Hari", "Isla", "Jack", "Kemi", "Liam", "Maya", "Noah"]
LAST = ["Shah", "Brown", "Okoye", "Nowak", "Evans", "Ali", "Hughes", "Kaur", "Byrne", "Clarke", "Mensah", "Price"]
# (offence code, class, may be domestic abuse, weight)
OFFENCES = [
    ("common_assault", "summary", True, 14),
    ("battery", "summary", True, 6),
    ("harassment", "summary", True, 5),
    ("theft_from_person", "either_way", False, 14),
    ("burglary_dwelling", "either_way", False, 12),
    ("abh", "either_way", True, 12),
    ("fraud_by_false_representation", "either_way", False, 10),
    ("stalking", "either_way", True, 5),
    ("robbery", "indictable", False, 8),
    ("gbh_with_intent", "indictable", True, 4),
]
NOTIFIABLE = {"arrest", "interview", "bail_start", "rui", "charge", "release"}


class DemoWriter:
    def __init__(self, *, seed: int, today: date):
        self.rng = random.Random(seed)
        self.today = today
        self.rows: list[dict] = []
        self.officers = self._officers()

    def _officers(self) -> dict[int, list[tuple[str, str, str]]]:
        teams = {}
        for team in range(1, TEAMS + 1):
            names = [(f"wcid{team}{n:02d}", f"{self.rng.choice(FIRST)} {self.rng.choice(LAST)}", "constable")
                     for n in range(1, OFFICERS_PER_TEAM + 1)]  # fmt: skip
            names[0] = (names[0][0], names[0][1], "sergeant")
            teams[team] = names
        teams[1][:2] = [("supervisor", "Sam Patel", "sergeant"), ("officer", "Olly Reed", "constable")]
        return teams

    def days_ago(self, low: int, high: int) -> date:
        return self.today - timedelta(days=self.rng.randint(low, high))

    def investigation(self, number: int, *, status: str) -> None:
        rng = self.rng
        offence, offence_class, da_possible, _ = rng.choices(OFFENCES, weights=[o[3] for o in OFFENCES])[0]
        team = rng.randint(1, TEAMS)
        # Team 1's demo accounts carry a good share of its work, so their own views are full.
        officer = rng.choice(self.officers[team][:3] if team == 1 and rng.random() < 0.5 else self.officers[team])
        events = self.suspect_events() if rng.random() < 0.6 else []
        offence_date = self.days_ago(3, 170 if offence_class == "summary" else 400)
        if events:
            offence_date = min(offence_date, events[0]["day"] - timedelta(days=rng.randint(0, 10)))
        reported_on = offence_date + timedelta(days=rng.choice([0, 0, 0, 1, 2, 9]))
        reported = datetime.combine(
            min(reported_on, events[0]["day"]) if events else reported_on, time(rng.randint(0, 23))
        )
        recorded = reported + timedelta(hours=rng.choice([1, 2, 3, 5, 8, 20]) if rng.random() > 0.03 else 40)
        if reported.date() >= self.today - timedelta(days=2) and rng.random() < 0.3:
            recorded = None
        allocated = (recorded or reported).date() + timedelta(days=rng.randint(0, 3))
        case = {
            "crime_reference": f"WE/{offence_date.year}/{number:06d}",
            "offence": offence,
            "offence_class": offence_class,
            "domestic_abuse": "yes" if da_possible and rng.random() < 0.4 else "no",
            "offence_date": offence_date.isoformat(),
            "reported_at": reported.isoformat(timespec="minutes"),
            "recorded_at": recorded.isoformat(timespec="minutes") if recorded else "",
            "status": status,
            "allocated_date": allocated.isoformat(),
            "bcu_code": BCU[0], "bcu_name": BCU[1], "department_code": DEPARTMENT[0], "department_name": DEPARTMENT[1],
            "team_code": f"westminster-cid-team-{team}", "team_name": f"Westminster CID Team {team}",
            "officer_id": officer[0], "officer_name": officer[1], "officer_rank": officer[2],
        }  # fmt: skip
        self.close(case, status, events)
        self.emit(case, "")
        for victim in self.victims(case, reported.date(), events):
            self.emit(case, **victim)
        for event in events:
            self.emit(case, **event)
        for day in self.reviews(allocated):
            self.emit(case, "review", day, note="Reviewed: lines of enquiry agreed")
        for day in sorted({self.days_ago(0, max(1, (self.today - allocated).days)) for _ in range(rng.randint(1, 3))}):
            self.emit(
                case,
                "log_update",
                day,
                note=rng.choice(["CCTV requested", "House-to-house done", "Forensics submitted", "Witness traced"]),
            )

    def close(self, case: dict, status: str, events: list[dict]) -> None:
        rng = self.rng
        if status == "closed":
            charged = any(e["event"] == "charge" for e in events)
            case["outcome"] = "1" if charged else rng.choice(["14", "15", "16", "18", "3"])
            case["outcome_date"] = self.days_ago(1, 60).isoformat()
            if rng.random() < 0.03:
                case["outcome"] = ""  # a closure without outcome: a data integrity error
        elif status == "cancelled":
            case["cancelled_date"] = self.days_ago(1, 40).isoformat()
            case["cancellation_avi"] = "Victim's property found at home; no crime" if rng.random() < 0.5 else ""
        elif rng.random() < 0.01:
            case["outcome"], case["outcome_date"] = "3", self.days_ago(1, 20).isoformat()

    def suspect_events(self) -> list[dict]:
        """One suspect, arrested, then on bail (at a stage that makes its end fall around today), RUI, charged
        or released."""
        rng = self.rng
        fate = rng.choices(["bail", "rui", "charge", "release", "arrest"], weights=[35, 30, 15, 10, 10])[0]
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        extensions = rng.choices([0, 1, 2, 3], weights=[55, 30, 12, 3])[0] if fate == "bail" else 0
        arrested = self.arrest_date(fate, extensions)
        base = {"person_ref": "S1", "person_name": name}
        events = [{"event": "arrest", "day": arrested, **base}, {"event": "interview", "day": arrested, **base}]
        after = arrested + timedelta(days=1)
        if fate == "bail":
            events.append({"event": "bail_start", "day": after, **base})
            for step, authority in enumerate(["inspector", "superintendent", "court"][:extensions]):
                ext_day = bail_ends_on(arrested, step) - timedelta(days=rng.randint(2, 12))
                events.append({"event": "bail_extension", "day": ext_day, "authorising_rank": authority, **base})
        elif fate in {"rui", "charge", "release"}:
            events.append({"event": fate, "day": min(after + timedelta(days=rng.randint(0, 3)), self.today), **base})
        return [e for e in events if e["day"] <= self.today]

    def arrest_date(self, fate: str, extensions: int) -> date:
        if fate != "bail":
            return self.days_ago(1, 260)
        length = (bail_ends_on(self.today, extensions) - self.today).days  # the stage's length in days
        return self.today - timedelta(days=length - self.rng.randint(-5, 55))

    def victims(self, case: dict, reported: date, events: list[dict]) -> list[dict]:
        rng = self.rng
        count = rng.choices([0, 1, 2], weights=[6, 91, 3])[0]
        rows = []
        for number in range(1, count + 1):
            enhanced = rng.random() < 0.2 or case["domestic_abuse"] == "yes"
            person = {
                "person_ref": f"V{number}",
                "person_name": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                "enhanced_rights": "yes" if enhanced else "no",
            }
            rows.append({"event": "victim", "day": None, **person})
            if case["domestic_abuse"] == "yes":
                rows.append(
                    {
                        "event": "statement",
                        "day": min(reported + timedelta(days=rng.choice([0, 1, 3, 30, 200])), self.today),
                        **person,
                    }
                )
            rows.extend(self.contacts(events, person))
        return rows

    def contacts(self, events: list[dict], person: dict) -> list[dict]:
        rows = []
        for event in events:
            if event["event"] not in NOTIFIABLE or event["event"] == "interview":
                continue
            age = (self.today - event["day"]).days
            if self.rng.random() < (0.95 if age > 10 else 0.5):
                day = min(event["day"] + timedelta(days=self.rng.choice([0, 1, 1, 2, 3, 4])), self.today)
                rows.append({"event": "victim_contact", "day": day, **person})
        return rows

    def reviews(self, allocated: date) -> list[date]:
        """Review history: three months ago reviews ran weeks late (the backlog); since then, on time, except a
        few stalled cases."""
        rng, days = self.rng, []
        due = allocated + timedelta(days=7)
        stalled = rng.random() < 0.06
        while True:
            late = rng.randint(10, 60) if due < self.today - timedelta(days=75) else rng.randint(-5, 1)
            day = max(due + timedelta(days=late), allocated)
            if day >= self.today or (stalled and due > self.today - timedelta(days=40)):
                return days
            days.append(day)
            due = day + timedelta(days=28)

    def emit(self, case: dict, event: str, day: date | None = None, **extra) -> None:
        row = dict.fromkeys(COLUMNS, "")
        row.update(case)
        row.update(extra)
        row["event"] = event
        row["event_date"] = day.isoformat() if day else ""
        self.rows.append(row)


def investigations_csv_write(*, path, seed: int = 11, open_count: int = 2000, today: date | None = None) -> int:
    """Write DIR/investigations.csv (the RMS export layout of docs/rms-export.md); returns the rows written."""
    writer = DemoWriter(seed=seed, today=today or timezone.localdate())
    statuses = ["open"] * open_count + ["closed"] * (open_count // 6) + ["cancelled"] * (open_count // 60)
    for number, status in enumerate(statuses, start=1):
        writer.investigation(number, status=status)
    directory = Path(path)
    directory.mkdir(parents=True, exist_ok=True)
    with (directory / "investigations.csv").open("w", newline="", encoding="utf-8") as handle:
        out = csv.DictWriter(handle, fieldnames=COLUMNS)
        out.writeheader()
        out.writerows(writer.rows)
    return len(writer.rows)
