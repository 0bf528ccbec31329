from django.views.generic import TemplateView

from accounts.permissions import RoleRequiredMixin


class ActionsView(RoleRequiredMixin, TemplateView):
    required_permission = "investigations.view_actions"
    template_name = "placeholder.html"
    extra_context = {"page_title": "Daily actions"}
