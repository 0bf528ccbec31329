from django.urls import path

from investigations import views

app_name = "investigations"

urlpatterns = [
    path("", views.ActionsView.as_view(), name="actions"),
]
