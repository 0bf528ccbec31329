"""The cells of an action row that are the same on every row but for a few values: its link, its flag, and the
forms that complete it or close it with a reason, written by string formatting.

A queue page shows 50 rows. Through the template engine each row's forms cost two URLs reversed, two CSRF tags
and some forty nodes, half the page's time at force scale; here the URL patterns, the CSRF field, the page to come
back to and each kind's options are built once per page, and a row fills in its own values (escaped). The markup
is the one the forms always had: a label for every field, a named button, the CSRF token, the way back."""

from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from investigations.flags import FLAG_LABELS
from investigations.models import AUTHORITY_CHOICES, Action, CustodyEvent
from investigations.selectors import EVIDENCE_EVENTS
from investigations.services import COMPLETE_PERMISSION, DEFAULT_COMPLETE_PERMISSION, SUPERVISOR_CLOSE_PERMISSION

# The data-integrity checks a completion form can put right (any other is put right in the records system).
CDI_FIELDS = {
    "not_recorded": '<label for="recorded-{pk}">Recorded as a crime at</label>\n'
    '  <input id="recorded-{pk}" name="recorded_at" type="datetime-local" required>',
    "cancellation_without_avi": '<label class="sr-only" for="avi-{pk}">Additional verifiable information</label>\n'
    '  <input id="avi-{pk}" name="avi" type="text" placeholder="Additional verifiable information" required>',
}
CDI_ELSEWHERE = '<span class="muted">Put this right in the records system; it clears at the next import.</span>'
NOTE_PLACEHOLDER = {Action.Kind.REVIEW: "Review note", Action.Kind.VICTIM_CONTACT: "What the victim was told"}
BUTTON = {Action.Kind.REVIEW: "Review done", Action.Kind.VICTIM_CONTACT: "Victim told"}
KIND_LABELS = dict(Action.Kind.choices)


def _options(choices) -> str:
    return "".join(format_html('<option value="{}">{}</option>', value, label) for value, label in choices)


EVIDENCE_OPTIONS = {
    kind: _options((event, CustodyEvent.Kind(event).label) for event in events)
    for kind, events in EVIDENCE_EVENTS.items()
}
AUTHORITY_OPTIONS = _options(AUTHORITY_CHOICES)


def _url_pattern(name: str) -> str:
    """The URL of `name` with `{pk}` where the action's id goes, reversed once."""
    return reverse(name, kwargs={"pk": 0}).replace("/0/", "/{pk}/")


def completable_kinds(user) -> set[str]:
    return {
        kind for kind in Action.Kind.values if user.has_perm(COMPLETE_PERMISSION.get(kind, DEFAULT_COMPLETE_PERMISSION))
    }


class RowControls:
    """One page's action rows: what the user may do and the values every row's forms share."""

    def __init__(self, request, *, today):
        user = request.user
        self.today = today.isoformat()
        self.can_complete = completable_kinds(user)
        self.can_close = user.has_perm(SUPERVISOR_CLOSE_PERMISSION)
        self.hidden = format_html(
            '<input type="hidden" name="csrfmiddlewaretoken" value="{}">\n'
            '  <input type="hidden" name="next" value="{}">',
            get_token(request),
            request.get_full_path(),
        )
        self.complete_url = _url_pattern("investigations:complete")
        self.close_url = _url_pattern("investigations:close")
        self.investigation_url = _url_pattern("investigations:investigation")

    def attach(self, rows: list[Action]) -> list[Action]:
        """Give each row (flagged by selectors.with_flags) its link, labels and the HTML of its last cell."""
        for action in rows:
            action.kind_label = KIND_LABELS.get(action.kind, action.kind)
            action.flag_label = FLAG_LABELS[action.flag]
            action.investigation_url = self.investigation_url.format(pk=action.investigation_id)
            action.controls = self.cell(action)
        return rows

    def cell(self, action: Action) -> SafeString:
        complete = self.complete_form(action) if action.kind in self.can_complete else '<span class="muted">—</span>'
        return mark_safe(complete + (self.close_form(action) if self.can_close else ""))

    def complete_form(self, action: Action) -> str:
        pk, kind = action.pk, action.kind
        fields = self.evidence_fields(action) if kind in EVIDENCE_EVENTS else ""
        if kind == Action.Kind.CDI:
            fields = CDI_FIELDS.get(action.cdi_check, CDI_ELSEWHERE).format(pk=pk)
        if kind != Action.Kind.CDI or action.cdi_check in CDI_FIELDS:
            about = f"{escape(action.kind_label)} on {escape(action.investigation.crime_reference)}"
            fields += (
                f'\n  <label class="sr-only" for="note-{pk}">Note for {about}</label>'
                f'\n  <input id="note-{pk}" name="note" type="text" placeholder="'
                f'{NOTE_PLACEHOLDER.get(kind, "Note (optional)")}">'
                f'\n  <button type="submit">{BUTTON.get(kind, "Record")}</button>'
            )
        url = self.complete_url.format(pk=pk)
        return (
            f'\n<form method="post" action="{url}" class="complete-form" data-action="{pk}">\n  {self.hidden}\n  '
            f"{fields}\n</form>\n"
        )

    def evidence_fields(self, action: Action) -> str:
        pk, kind = action.pk, action.kind
        fields = (
            f'<label class="sr-only" for="evidence-{pk}">What was done</label>\n'
            f'  <select id="evidence-{pk}" name="evidence" required>\n'
            f'    <option value="">What was done…</option>\n    {EVIDENCE_OPTIONS[kind]}\n  </select>\n'
            f'  <label class="sr-only" for="on-{pk}">On</label>\n'
            f'  <input id="on-{pk}" name="on" type="date" value="{self.today}" max="{self.today}" required>'
        )
        if kind == Action.Kind.BAIL:
            fields += (
                f'\n  <label class="sr-only" for="authority-{pk}">Extension authorised by</label>'
                f'\n  <select id="authority-{pk}" name="authority">'
                f'\n    <option value="">Authorised by (extensions)</option>\n    {AUTHORITY_OPTIONS}\n  </select>'
            )
        if kind == Action.Kind.TIME_LIMIT and len(action.suspects) > 1:
            fields += (
                f'\n  <label class="sr-only" for="suspect-{pk}">Suspect</label>'
                f'\n  <select id="suspect-{pk}" name="suspect" required>{_options(action.suspects)}</select>'
            )
        return fields

    def close_form(self, action: Action) -> str:
        pk = action.pk
        return (
            '\n<details class="close-reason"><summary>Close with a reason</summary>'
            f'\n<form method="post" action="{self.close_url.format(pk=pk)}" class="close-form">\n  {self.hidden}'
            f'\n  <label class="sr-only" for="reason-{pk}">Why it is closed without the record</label>'
            f'\n  <input id="reason-{pk}" name="reason" type="text" placeholder="Why (goes to the audit trail)"'
            " required>"
            '\n  <button class="close-button">Close</button>\n</form></details>\n'
        )
