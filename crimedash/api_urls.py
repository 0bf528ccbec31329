"""Every app's API lives under /api/; each app owns its `api_urls.py`."""

from django.urls import include, path

urlpatterns = [
    path("", include("ingestion.api_urls")),
    path("", include("analytics.api.urls")),
    path("", include("dashboards.api_urls")),
    path("", include("investigations.api_urls")),
]
