"""The demo's forecasting chain: hotspot runs, demand forecasts with their backtests, deployment plans and bias reports
(the weekly beat task), then the demo's pilot. `make demo` serves its pages first and lets the worker run this
(scripts/serve_demo.sh enqueues it once); `import_demo_data` without --forecasts-in-worker runs it in line."""

from analytics.deployment.demo import demo_pilot_create
from analytics.models import DeploymentPlan
from analytics.tasks import run_backtests


def demo_forecasts_run() -> dict:
    return {"forecasts": run_backtests(), "pilot_plan": getattr(demo_pilot_create(), "pk", None)}


def demo_forecasts_done() -> bool:
    """The chain has run to its end: the pilot it finishes with is there."""
    return DeploymentPlan.objects.filter(state=DeploymentPlan.State.ACCEPTED, pilot_start__isnull=False).exists()
