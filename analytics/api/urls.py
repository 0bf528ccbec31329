from django.urls import path
from rest_framework.routers import DefaultRouter

from analytics.api.forecasting import ROUTES as FORECASTING_ROUTES
from analytics.api.response_times import VIEWS as RESPONSE_TIME_VIEWS
from analytics.api.rollups import ROUTES as CORE_ROUTES
from analytics.api.rollups import VIEWS as CORE_VIEWS

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
for prefix, viewset, basename in CORE_ROUTES + FORECASTING_ROUTES:
    router.register(prefix, viewset, basename=basename)

urlpatterns = router.urls + [
    path(route, view.as_view(), name=name) for route, view, name in CORE_VIEWS + RESPONSE_TIME_VIEWS
]
