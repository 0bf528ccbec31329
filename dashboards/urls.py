from django.urls import path

from dashboards import views

app_name = "dashboards"

urlpatterns = [
    path("strategic/", views.StrategicView.as_view(), name="strategic"),
    path("tactical/", views.TacticalView.as_view(), name="tactical"),
    path("analytical/", views.AnalyticalView.as_view(), name="analytical"),
]
