"""A memo that lives for one request: a page asks some questions many times over (which of these codes are forces,
is every incident in the rollups, the rollups' last month) and should ask the database each once.

Nothing is kept from one request to the next, so a request is as cold as one without the memo; outside a request
(a task, a command, warming) a memoized function simply runs each time. A task run inside a request (Celery's eager
mode, where an upload imports and refreshes before it answers) runs outside its memo: it writes what the request's
memo may already hold.
"""

from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps

_memo: ContextVar[dict | None] = ContextVar("request_memo", default=None)


class RequestMemoMiddleware:
    """Opens an empty memo for each request and drops it with the response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with _memo_set_to({}):
            return self.get_response(request)


def outside_request():
    """Inside: no memo, as in a task or a command."""
    return _memo_set_to(None)


@contextmanager
def _memo_set_to(memo: dict | None):
    token = _memo.set(memo)
    try:
        yield
    finally:
        _memo.reset(token)


def request_dict(name) -> dict:
    """A dict kept for the request under `name`, for a memo finer than a function's arguments (one entry per code
    of the sets callers ask about); outside a request a new, empty one each time."""
    memo = _memo.get()
    return {} if memo is None else memo.setdefault(("dict", name), {})


def per_request(function):
    """Memoize `function` (hashable arguments, a result that is a value, not a lazy queryset) for the request."""

    @wraps(function)
    def wrapper(*args, **kwargs):
        memo = _memo.get()
        if memo is None:
            return function(*args, **kwargs)
        key = (function, args, tuple(sorted(kwargs.items())))
        try:
            return memo[key]
        except KeyError:
            memo[key] = result = function(*args, **kwargs)
            return result
        except TypeError:  # an unhashable argument (a list): not memoized
            return function(*args, **kwargs)

    return wrapper
