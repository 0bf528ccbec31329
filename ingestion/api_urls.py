from django.urls import path
from rest_framework.routers import DefaultRouter

from ingestion import api

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False

urlpatterns = [
    path("dispatch/", api.DispatchView.as_view(), name="ingestion-dispatch"),
    path("dispatch/recent/", api.DispatchRecentView.as_view(), name="ingestion-dispatch-recent"),
    path("imports/runs/<int:pk>/", api.ImportRunView.as_view(), name="ingestion-import-run"),
    *router.urls,
]
