from django.contrib import admin  # noqa: F401  (models registered as the app grows)
