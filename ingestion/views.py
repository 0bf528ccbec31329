from django.views.generic import TemplateView

from accounts.permissions import RoleRequiredMixin


class ImportsView(RoleRequiredMixin, TemplateView):
    required_permission = "ingestion.import_data"
    template_name = "placeholder.html"
    extra_context = {"page_title": "Imports"}
