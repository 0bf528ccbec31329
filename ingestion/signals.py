"""What ingestion announces. It imports nothing of the apps that listen: analytics refreshes the months and areas
an import touched (analytics.signals), and any other app may listen without ingestion knowing of it."""

from django.dispatch import Signal

# Sent once a run's rows are committed, with `run` (the ImportRun: months_touched, areas_touched, source).
import_finished = Signal()


def import_finished_send(*, run) -> None:
    import_finished.send(sender=type(run), run=run)
