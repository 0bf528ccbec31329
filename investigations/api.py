"""Read-only API over investigations and their actions, scoped like the pages."""

import django_filters
from rest_framework import viewsets

from investigations import selectors
from investigations.models import Action, Investigation
from investigations.serializers import ActionSerializer, InvestigationSerializer


class InvestigationFilter(django_filters.FilterSet):
    team = django_filters.CharFilter(field_name="team__code")
    officer = django_filters.CharFilter(field_name="officer__username")

    class Meta:
        model = Investigation
        fields = ["status", "offence_class", "offence", "domestic_abuse", "team", "officer", "crime_reference"]


class ActionFilter(django_filters.FilterSet):
    team = django_filters.CharFilter(field_name="team__code")
    officer = django_filters.CharFilter(field_name="officer__username")
    due_before = django_filters.DateFilter(field_name="due_on", lookup_expr="lte")
    due_after = django_filters.DateFilter(field_name="due_on", lookup_expr="gte")

    class Meta:
        model = Action
        fields = ["kind", "state", "investigation", "team", "officer", "due_before", "due_after"]


class InvestigationViewSet(viewsets.ReadOnlyModelViewSet):
    """Investigations the caller may see: officer own, supervisor team, commander BCU, admin force."""

    required_permission = "investigations.view_actions"
    serializer_class = InvestigationSerializer
    filterset_class = InvestigationFilter

    def get_queryset(self):
        return selectors.investigations_visible_to(user=self.request.user).select_related("team", "officer")


class ActionViewSet(viewsets.ReadOnlyModelViewSet):
    """Actions on the investigations the caller may see, most urgent first."""

    required_permission = "investigations.view_actions"
    serializer_class = ActionSerializer
    filterset_class = ActionFilter

    def get_queryset(self):
        return (
            selectors.actions_visible_to(user=self.request.user)
            .select_related("investigation", "team", "officer")
            .order_by("due_on", "id")
        )
