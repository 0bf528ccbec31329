"""Keys for rows that carry no id of their own (police.uk anti-social behaviour and stop-and-search rows, a CAD
export without an id column): a hash of the row's fields plus the occurrence number of that hash in the file, so
identical rows stay separate incidents and a re-import of the file meets the same keys."""

import hashlib
from collections import Counter


def content_key(prefix: str, fields: list[str], occurrences: Counter) -> str:
    """'<prefix>:<hash of the fields>:<n>' for the n-th row of the file with these fields."""
    digest = hashlib.sha1("\x1f".join(fields).encode()).hexdigest()[:32]
    occurrences[digest] += 1
    return f"{prefix}:{digest}:{occurrences[digest]}"
