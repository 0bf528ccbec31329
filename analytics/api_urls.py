from rest_framework.routers import DefaultRouter

from analytics.api_forecasting import ROUTES as FORECASTING_ROUTES

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
for prefix, viewset, basename in FORECASTING_ROUTES:
    router.register(prefix, viewset, basename=basename)

urlpatterns = router.urls
