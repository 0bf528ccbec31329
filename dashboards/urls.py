from django.urls import path

from dashboards import pilot_views, views

app_name = "dashboards"

urlpatterns = [
    path("strategic/", views.StrategicView.as_view(), name="strategic"),
    path("strategic/briefing/", views.BriefingView.as_view(), name="briefing"),
    path("strategic/briefing.pdf", views.briefing_pdf, name="briefing_pdf"),
    path("tactical/", views.TacticalView.as_view(), name="tactical"),
    path("analytical/", views.AnalyticalView.as_view(), name="analytical"),
    path("export/<slug:page>.<slug:fmt>", views.export, name="export"),
    path("alerts/<int:pk>/", views.alert_action, name="alert_action"),
    path("deployment/<int:pk>/accept/", views.deployment_accept, name="deployment_accept"),
    path("pilots/<int:pk>/", pilot_views.pilot_detail, name="pilot"),
    path("incidents/", views.IncidentListView.as_view(), name="incidents"),
    path("incidents/<int:pk>/", views.IncidentDetailView.as_view(), name="incident"),
    path(f"assets/plotly-{views.PLOTLY_VERSION}.min.js", views.plotly_js, name="plotly_js"),
]
