"""Run independent pieces of database work side by side: on PostgreSQL, each in a thread with a connection of its
own, so one piece's queries run while another's Python does (a 2-core machine has a core for each); elsewhere one
after the other on this connection.

Each thread starts in a copy of the caller's context, so what the caller set in context variables (the next cache
generation while warming, crimedash.caching) holds in the threads too.
"""

from concurrent.futures import ThreadPoolExecutor
from contextvars import copy_context

from django.db import connection, connections


def side_by_side_possible() -> bool:
    """PostgreSQL, outside a transaction: inside one, another connection could not see its uncommitted rows (and a
    test's transaction holds every row it made); SQLite takes one writer at a time anyway."""
    return connection.vendor == "postgresql" and not connection.in_atomic_block


def side_by_side(tasks) -> list:
    """Each task's result, in order. Two or more tasks, where side_by_side_possible(), run at once, each on its own
    connection (each commits on its own; the connection is closed when it ends); a single one runs here."""
    if len(tasks) < 2 or not side_by_side_possible():
        return [task() for task in tasks]
    contexts = [copy_context() for _task in tasks]  # a context is entered by one thread at a time: a copy each
    with ThreadPoolExecutor(max_workers=len(tasks)) as pool:
        return list(pool.map(lambda context, task: context.run(_on_own_connection, task), contexts, tasks))


def _on_own_connection(task):
    try:
        return task()
    finally:
        connections.close_all()  # this thread's connections only
