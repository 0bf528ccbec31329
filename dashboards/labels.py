"""Users' words for what the data calls by slugs: category and source names (the slug stays in exports and the API)."""

from ingestion.taxonomy import category_label

SOURCE_LABELS = {
    "police_uk": "police.uk recorded crime",
    "police_uk_api": "police.uk recorded crime",
    "baltimore_911": "Baltimore 911 calls",
    "cad": "Live dispatch (CAD)",
    "cad_demo": "London CAD calls",
}


def domain_label(domain: str) -> str:
    """An IMD 2019 domain key as its name: 'barriers_to_housing_and_services' -> 'Barriers to housing and services'."""
    return "Index of Multiple Deprivation (overall)" if domain == "imd" else domain.replace("_", " ").capitalize()


def source_label(source: str) -> str:
    return SOURCE_LABELS.get(source) or source.replace("_", " ").replace("-", " ").capitalize()


__all__ = ["category_label", "domain_label", "source_label"]
