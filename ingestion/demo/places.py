"""The demo's geography: five London boroughs, their LSOAs (synthetic codes in the E019xxxxx range, so they never
pass for real ones), populations, deprivation and resources, written in the real reference-file layouts."""

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import Point, mapping, shape

# GSS code, name, centre (lat, lon), radius in km for the fallback outline, LSOAs, relative crime level
BOROUGHS = [
    ("E09000033", "Westminster", (51.5126, -0.1580), 2.3, 24, 2.2),
    ("E09000007", "Camden", (51.5455, -0.1627), 2.4, 22, 1.2),
    ("E09000030", "Tower Hamlets", (51.5150, -0.0350), 2.3, 22, 1.3),
    ("E09000028", "Southwark", (51.4740, -0.0740), 2.8, 22, 1.1),
    ("E09000001", "City of London", (51.5155, -0.0922), 0.8, 6, 1.0),
]
CITY = "E09000001"
IMD_HEADER = [
    "geography code", "LSOA name (2011)", "Local Authority District code (2019)",
    "Local Authority District name (2019)", "Index of Multiple Deprivation (IMD) Score",
    "Index of Multiple Deprivation (IMD) Rank (where 1 is most deprived)",
    "Index of Multiple Deprivation (IMD) Decile (where 1 is most deprived 10% of LSOAs)",
]  # fmt: skip
IMD_DOMAINS = [
    "Income Score (rate)", "Employment Score (rate)", "Education, Skills and Training Score",
    "Health Deprivation and Disability Score", "Crime Score", "Barriers to Housing and Services Score",
    "Living Environment Score",
]  # fmt: skip
DOMAIN_STEMS = [
    "Income", "Employment", "Education, Skills and Training", "Health Deprivation and Disability", "Crime",
    "Barriers to Housing and Services", "Living Environment",
]  # fmt: skip
ENGLAND_LSOAS = 32844


@dataclass
class DemoPlaces:
    outlines: dict[str, object]
    codes: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    borough_of: list[str] = field(default_factory=list)
    centroids: np.ndarray | None = None
    population: np.ndarray | None = None
    imd_score: np.ndarray | None = None
    lsoa_weights: np.ndarray | None = None

    def point_near(self, rng, lsoa: int) -> tuple[float, float]:
        lat, lon = self.centroids[lsoa] + rng.normal(0, (0.0022, 0.0035))
        return float(lat), float(lon)

    def borough_mask(self, gss: str, *, boost: float) -> np.ndarray:
        return np.where(np.array(self.borough_of) == gss, boost, 1.0)

    def force_slug(self, lsoa: int) -> str:
        return "city-of-london" if self.borough_of[lsoa] == CITY else "metropolitan"

    def force_names(self, lsoa: int) -> tuple[str, str]:
        name = "City of London Police" if self.borough_of[lsoa] == CITY else "Metropolitan Police Service"
        return name, name

    def lsoa_code_name(self, lsoa: int) -> tuple[str, str]:
        return self.codes[lsoa], self.names[lsoa]


def demo_places_build(*, seed: int, boundaries_path: Path | None = None) -> DemoPlaces:
    rng = np.random.default_rng(seed)
    places = DemoPlaces(outlines=_outlines(boundaries_path))
    centroids, populations, scores, weights = [], [], [], []
    for index, (gss, name, _centre, _radius, count, level) in enumerate(BOROUGHS):
        hotspots = set(rng.choice(count, size=2, replace=False).tolist())
        for number in range(count):
            places.codes.append(f"E019{index:02d}{number:03d}")
            places.names.append(f"{name} {number // 4 + 1:03d}{'ABCD'[number % 4]}")
            places.borough_of.append(gss)
            centroids.append(_point_inside(rng, places.outlines[gss]))
            populations.append(int(rng.normal(1650, 220)))
            score = float(rng.gamma(4.0, 6.0))
            scores.append(score)
            weights.append(level * (0.4 + score / 25) * (4.0 if number in hotspots else 1.0))
    places.centroids = np.array(centroids)
    places.population = np.array(populations)
    places.imd_score = np.array(scores)
    places.lsoa_weights = np.array(weights)
    return places


def _outlines(boundaries_path: Path | None) -> dict[str, object]:
    """Real borough outlines when a boundary GeoJSON is at hand, else a circle of the borough's size."""
    outlines = {}
    if boundaries_path and boundaries_path.exists():
        for feature in json.loads(boundaries_path.read_text())["features"]:
            outlines[feature["properties"].get("gss_code")] = shape(feature["geometry"])
    for gss, _name, (lat, lon), radius_km, _count, _level in BOROUGHS:
        if gss not in outlines:
            circle = Point(lon, lat).buffer(radius_km / 111.0, quad_segs=16)
            outlines[gss] = shapely.affinity.scale(circle, xfact=1 / np.cos(np.radians(lat)), yfact=1.0)
    return {gss: outlines[gss] for gss, *_ in BOROUGHS}


def _point_inside(rng, outline) -> tuple[float, float]:
    minx, miny, maxx, maxy = outline.bounds
    while True:
        lon, lat = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if outline.contains(Point(lon, lat)):
            return lat, lon


def boroughs_geojson_write(*, path: Path, places: DemoPlaces) -> None:
    features = [
        {"type": "Feature", "properties": {"name": name, "gss_code": gss}, "geometry": mapping(places.outlines[gss])}
        for gss, name, *_ in BOROUGHS
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))


def population_csv_write(*, path: Path, places: DemoPlaces) -> None:
    columns = zip(places.codes, places.names, places.population, strict=True)
    rows = [(code, name, int(population)) for code, name, population in columns]
    _write(path, ["lsoa21_code", "lsoa21_name", "population_2021"], rows)


def deprivation_csv_write(*, path: Path, places: DemoPlaces, seed: int) -> None:
    """IMD 2019 layout: score, rank and decile for the index and each domain (ranks placed among England's)."""
    rng = np.random.default_rng(seed + 1)
    header = list(IMD_HEADER)
    for stem, score_column in zip(DOMAIN_STEMS, IMD_DOMAINS, strict=True):
        header += [score_column, f"{stem} Rank (where 1 is most deprived)",
                   f"{stem} Decile (where 1 is most deprived 10% of LSOAs)"]  # fmt: skip
    names = {gss: name for gss, name, *_ in BOROUGHS}
    rows = []
    for i, code in enumerate(places.codes):
        score = places.imd_score[i]
        row = [code, places.names[i], places.borough_of[i], names[places.borough_of[i]], round(score, 1),
               *_rank_decile(score)]  # fmt: skip
        for _stem in DOMAIN_STEMS:
            domain = max(0.0, score / 100 + rng.normal(0, 0.04))
            row += [round(domain, 3), *_rank_decile(domain * 100)]
        rows.append(row)
    _write(path, header, rows)


def _rank_decile(score: float) -> tuple[int, int]:
    """Where a score of this size would rank among England's LSOAs (1 = most deprived)."""
    share_more_deprived = float(np.exp(-score / 18))
    rank = max(1, min(ENGLAND_LSOAS, int(share_more_deprived * ENGLAND_LSOAS)))
    return rank, min(10, rank * 10 // ENGLAND_LSOAS + 1)


def resources_csv_write(*, path: Path, years: list[int], seed: int) -> None:
    """Borough budget and strength by financial year (layout documented in ingestion/reference.py)."""
    rng = np.random.default_rng(seed + 2)
    rows = []
    for gss, name, _centre, _radius, count, level in BOROUGHS:
        officers = int(count * 28 * level)
        for offset, year in enumerate(years):
            strength = int(officers * (1 + rng.normal(0.01 * offset, 0.02)))
            budget = round(strength * 78_000 * (1.03**offset), 2)
            rows.append((gss, name, year, f"{budget:.2f}", strength, int(strength * 0.45)))
    _write(path, ["area_code", "area_name", "year", "budget_gbp", "officers", "staff"], rows)


def _write(path: Path, header: list[str], rows) -> None:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
