from django.urls import path

from investigations import views

app_name = "investigations"

urlpatterns = [
    path("", views.ActionsView.as_view(), name="actions"),
    path("rollup/", views.RollupView.as_view(), name="rollup"),
    path("upcoming/", views.UpcomingView.as_view(), name="upcoming"),
    path("<int:pk>/complete/", views.ActionCompleteView.as_view(), name="complete"),
    path("<int:pk>/close/", views.ActionCloseView.as_view(), name="close"),
    path("investigations/<int:pk>/", views.InvestigationView.as_view(), name="investigation"),
    path("investigations/<int:pk>/reassign/", views.ReassignView.as_view(), name="reassign"),
]
