from rest_framework import serializers

from investigations.flags import flag_for
from investigations.models import Action, Investigation
from investigations.selectors import local_today


class InvestigationSerializer(serializers.ModelSerializer):
    team = serializers.SlugRelatedField(slug_field="code", read_only=True)
    officer = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Investigation
        fields = [
            "id",
            "crime_reference",
            "offence",
            "offence_class",
            "domestic_abuse",
            "offence_date",
            "reported_at",
            "recorded_at",
            "status",
            "outcome",
            "outcome_date",
            "allocated_date",
            "dpp_designated",
            "s47zf7_case",
            "team",
            "officer",
        ]


class ActionSerializer(serializers.ModelSerializer):
    crime_reference = serializers.CharField(source="investigation.crime_reference", read_only=True)
    team = serializers.SlugRelatedField(slug_field="code", read_only=True)
    officer = serializers.SlugRelatedField(slug_field="username", read_only=True)
    flag = serializers.SerializerMethodField()

    class Meta:
        model = Action
        fields = [
            "id",
            "investigation",
            "crime_reference",
            "kind",
            "title",
            "due_on",
            "warning_days",
            "state",
            "flag",
            "team",
            "officer",
            "rule",
            "key",
            "completed_at",
            "supervisor_reason",
        ]

    def get_flag(self, action: Action) -> str | None:
        """overdue, due_today, due_soon or upcoming while open; null once done or cancelled."""
        if action.state != Action.State.OPEN:
            return None
        return flag_for(due_on=action.due_on, warning_days=action.warning_days, today=local_today())
