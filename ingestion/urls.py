from django.urls import path

from ingestion import views

app_name = "ingestion"

urlpatterns = [
    path("", views.ImportsView.as_view(), name="imports"),
    path("uploads/<int:pk>/status/", views.UploadStatusView.as_view(), name="upload-status"),
    path("runs/<int:pk>/rejected.csv", views.RejectedRowsCsvView.as_view(), name="rejected-csv"),
]
