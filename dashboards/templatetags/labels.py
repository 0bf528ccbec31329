"""Users' words in templates: `{{ incident.category|category_label }}`, `{{ incident.source|source_label }}`."""

from django import template

from dashboards import labels

register = template.Library()
register.filter("category_label", labels.category_label)
register.filter("source_label", labels.source_label)
