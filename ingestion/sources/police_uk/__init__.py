"""data.police.uk conventions shared by the archive importer and the API client.

Archive files name categories in words ("Violence and sexual offences") where the API uses slugs ("violent-crime");
both end as the API's slugs, so a crime fetched either way lands in one category.
"""

import re

SOURCE = "police_uk"
ZONE = "Europe/London"  # police.uk dates are in UK time

CATEGORY_SLUGS = {
    "anti-social behaviour": "anti-social-behaviour",
    "bicycle theft": "bicycle-theft",
    "burglary": "burglary",
    "criminal damage and arson": "criminal-damage-arson",
    "drugs": "drugs",
    "other crime": "other-crime",
    "other theft": "other-theft",
    "possession of weapons": "possession-of-weapons",
    "public order": "public-order",
    "public disorder and weapons": "public-disorder-weapons",
    "robbery": "robbery",
    "shoplifting": "shoplifting",
    "theft from the person": "theft-from-the-person",
    "vehicle crime": "vehicle-crime",
    "violence and sexual offences": "violent-crime",
    "violent crime": "violent-crime",
}
# Offences found by police activity rather than reported by the public.
POLICE_GENERATED = {"drugs", "possession-of-weapons", "stop-and-search"}

LONDON_BOROUGH_CODES = {
    "Barking and Dagenham": "E09000002",
    "Barnet": "E09000003",
    "Bexley": "E09000004",
    "Brent": "E09000005",
    "Bromley": "E09000006",
    "Camden": "E09000007",
    "City of London": "E09000001",
    "Croydon": "E09000008",
    "Ealing": "E09000009",
    "Enfield": "E09000010",
    "Greenwich": "E09000011",
    "Hackney": "E09000012",
    "Hammersmith and Fulham": "E09000013",
    "Haringey": "E09000014",
    "Harrow": "E09000015",
    "Havering": "E09000016",
    "Hillingdon": "E09000017",
    "Hounslow": "E09000018",
    "Islington": "E09000019",
    "Kensington and Chelsea": "E09000020",
    "Kingston upon Thames": "E09000021",
    "Lambeth": "E09000022",
    "Lewisham": "E09000023",
    "Merton": "E09000024",
    "Newham": "E09000025",
    "Redbridge": "E09000026",
    "Richmond upon Thames": "E09000027",
    "Southwark": "E09000028",
    "Sutton": "E09000029",
    "Tower Hamlets": "E09000030",
    "Waltham Forest": "E09000031",
    "Wandsworth": "E09000032",
    "Westminster": "E09000033",
}
FORCE_IDS = {"metropolitan police service": "metropolitan", "city of london police": "city-of-london"}
# Great Britain with a margin: anything outside (such as 0,0 off Africa) is a placeholder, not a place.
BOUNDS = (49.8, 60.95, -8.7, 1.8)
_LSOA_SUFFIX = re.compile(r"\s+\d{3}[A-Z]$")


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def category_slug(name: str) -> str:
    """Archive category words -> the API's slug ("Violence and sexual offences" -> "violent-crime")."""
    return CATEGORY_SLUGS.get(name.strip().lower()) or slug(name) or "other-crime"


def origin_for(category: str) -> str:
    return "police_generated" if category in POLICE_GENERATED else "public_report"


def borough_from_lsoa_name(lsoa_name: str) -> str:
    """'Barking and Dagenham 001A' -> 'Barking and Dagenham'."""
    return _LSOA_SUFFIX.sub("", lsoa_name.strip())


def borough_code(name: str) -> str:
    """GSS code of a London borough, else a prefixed slug."""
    return LONDON_BOROUGH_CODES.get(name) or f"puk-borough:{slug(name)}"


def force_code(name_or_id: str) -> str:
    """Force area code from 'Metropolitan Police Service' or the API's force id 'metropolitan'."""
    key = name_or_id.strip().lower()
    return f"puk-force:{FORCE_IDS.get(key) or slug(key.removesuffix(' police'))}"


def in_bounds(latitude: float, longitude: float) -> bool:
    south, north, west, east = BOUNDS
    return south <= latitude <= north and west <= longitude <= east
