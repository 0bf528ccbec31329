"""The Celery application. Tasks take ids and call services; the schedule is in crimedash/schedule.py."""

import os

from celery import Celery, Task

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crimedash.settings")


class OutsideRequestTask(Task):
    """A task runs outside any request's memo, also when run eagerly inside a request."""

    def __call__(self, *args, **kwargs):
        from crimedash.request_memo import outside_request

        with outside_request():
            return super().__call__(*args, **kwargs)


app = Celery("crimedash", task_cls=OutsideRequestTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_finalize.connect
def _load_schedule(sender, **kwargs):
    from crimedash.schedule import BEAT_SCHEDULE

    sender.conf.beat_schedule = BEAT_SCHEDULE
