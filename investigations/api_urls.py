from rest_framework.routers import DefaultRouter

from investigations.api import ActionViewSet, InvestigationViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("investigations", InvestigationViewSet, basename="investigation")
router.register("actions", ActionViewSet, basename="action")

urlpatterns = router.urls
