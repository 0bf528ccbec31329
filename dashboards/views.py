from django.views.generic import TemplateView

from accounts.permissions import RoleRequiredMixin


class PlaceholderPage(RoleRequiredMixin, TemplateView):
    template_name = "placeholder.html"
    page_title = ""

    def get_context_data(self, **kwargs):
        return super().get_context_data(page_title=self.page_title, **kwargs)


class StrategicView(PlaceholderPage):
    required_permission = "dashboards.view_strategic"
    page_title = "Strategic dashboard"


class TacticalView(PlaceholderPage):
    required_permission = "dashboards.view_tactical"
    page_title = "Tactical dashboard"


class AnalyticalView(PlaceholderPage):
    required_permission = "dashboards.view_analytical"
    page_title = "Analytical dashboard"
