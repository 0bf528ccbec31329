"""Fairness checks on allocations: units vs reported demand by deprivation decile, and a feedback-loop simulation.

The simulation is the runaway-feedback argument (Lum & Isaac 2016; Ensign et al. 2018) made concrete: police-generated
records (drugs, weapons, stop and search) appear where officers already are. If hotspots are ranked on ALL recorded
incidents, patrolled areas record more and stay patrolled whatever their real demand; ranked on reported incidents
only, the ranking keeps tracking the public's demand.
"""

from dataclasses import dataclass

import numpy as np

REPORTED, ALL = "reported", "all"


@dataclass(frozen=True)
class AreaShare:
    code: str
    decile: int | None
    demand: float  # reported demand (public reports / calls)
    units: float  # units allocated


def by_decile(rows: list[AreaShare]) -> list[dict]:
    """Per IMD decile (1 = most deprived): share of reported demand, share of units, and their ratio."""
    demand_total = sum(row.demand for row in rows) or 1.0
    units_total = sum(row.units for row in rows) or 1.0
    deciles = sorted({row.decile for row in rows}, key=lambda d: (d is None, d))
    result = []
    for decile in deciles:
        members = [row for row in rows if row.decile == decile]
        demand_share = sum(row.demand for row in members) / demand_total
        units_share = sum(row.units for row in members) / units_total
        result.append(
            {
                "decile": decile,
                "areas": len(members),
                "demand_share": round(demand_share, 4),
                "units_share": round(units_share, 4),
                "ratio": round(units_share / demand_share, 3) if demand_share else None,
            }
        )
    return result


def disparity(rows: list[dict]) -> dict:
    """Largest over- and under-allocation against demand across deciles (ratio 1 = units follow demand)."""
    ratios = [row["ratio"] for row in rows if row["ratio"] is not None]
    if not ratios:
        return {"max_ratio": None, "min_ratio": None}
    return {"max_ratio": max(ratios), "min_ratio": min(ratios)}


def feedback_simulation(
    *, rates: np.ndarray, patrolled: int, rounds: int = 24, presence_effect: float = 1.0, seed: int = 0
) -> dict:
    """Repeat: patrol the top `patrolled` areas by cumulative recorded incidents, then record a period.

    Reported incidents are Poisson(rate) everywhere; police-generated ones Poisson(presence_effect x mean rate) in
    patrolled areas only. Returns, for each ranking basis, the per-round overlap of the patrolled set with the truly
    busiest areas and the share of police-generated records.
    """
    rates = np.asarray(rates, dtype=float)
    truth = set(np.argsort(-rates, kind="stable")[:patrolled].tolist())
    runs = {
        basis: _simulate(rates, patrolled, rounds, presence_effect, seed, basis, truth) for basis in (REPORTED, ALL)
    }
    return {
        "rounds": rounds,
        "patrolled": patrolled,
        "presence_effect": presence_effect,
        "series": runs,
        "drift": {basis: round(1 - run["overlap"][-1], 4) for basis, run in runs.items()},
    }


def _simulate(rates, patrolled, rounds, presence_effect, seed, basis, truth) -> dict:
    # the same random draws for both bases, so any difference comes from the ranking basis alone
    rng = np.random.default_rng(seed)
    cumulative = rng.poisson(rates).astype(float)  # the first period: no patrols yet
    overlap, generated_share = [], []
    for _round in range(rounds):
        chosen = np.argsort(-cumulative, kind="stable")[:patrolled]
        overlap.append(round(len(truth.intersection(chosen.tolist())) / max(patrolled, 1), 4))
        reported = rng.poisson(rates)
        generated = np.zeros_like(rates)
        generated[chosen] = rng.poisson(presence_effect * rates.mean(), size=len(chosen))
        generated_share.append(round(float(generated.sum() / max(reported.sum() + generated.sum(), 1)), 4))
        cumulative += reported + (generated if basis == ALL else 0)
    return {"overlap": overlap, "generated_share": generated_share}
