from django.urls import path

from dashboards.api import VIEWS

urlpatterns = [path(route, view.as_view(), name=name) for route, view, name in VIEWS]
