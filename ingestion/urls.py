from django.urls import path

from ingestion import views

app_name = "ingestion"

urlpatterns = [
    path("", views.ImportsView.as_view(), name="imports"),
]
