"""Beat tasks (names fixed in crimedash/schedule.py)."""

from celery import shared_task

from investigations import services


@shared_task(name="investigations.tasks.compute_actions")
def compute_actions() -> dict:
    return services.actions_compute()


@shared_task(name="investigations.tasks.snapshot_action_counts")
def snapshot_action_counts() -> int:
    return services.action_counts_snapshot()
