from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts import views as account_views
from crimedash.admin_modules import register_admin_modules
from dashboards.transparency_views import about_the_models
from dashboards.views import help_page

register_admin_modules()
# The admin signs in through the site's login view: the same per-address throttle and `next` checks.
admin.site.login = account_views.AdminLoginView.as_view()

urlpatterns = [
    path("", account_views.home, name="home"),
    path("health/", account_views.health, name="health"),
    path("help/", help_page, name="help"),
    path("about-the-models/", about_the_models, name="about_the_models"),
    path("accounts/login/", account_views.CrimedashLoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", include("accounts.urls")),
    path("dashboards/", include("dashboards.urls")),
    path("actions/", include("investigations.urls")),
    path("imports/", include("ingestion.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/", include("crimedash.api_urls")),
    path("admin/", admin.site.urls),
]
