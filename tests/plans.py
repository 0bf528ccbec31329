"""Reading PostgreSQL query plans in tests: the plan tests assert that a hot read runs on an index."""

import json

from django.db import connection


def relation_scans(sql: str, relation: str, *, analyze: bool = False) -> list[dict]:
    """The plan nodes that scan `relation` in the plan of `sql` (run too with analyze=True, for actual rows)."""
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN ({'ANALYZE, ' if analyze else ''}FORMAT JSON) {sql}")
        plan = cursor.fetchone()[0]
    nodes = [(plan if isinstance(plan, list) else json.loads(plan))[0]["Plan"]]
    scans = []
    while nodes:
        node = nodes.pop()
        nodes.extend(node.get("Plans", []))
        if node.get("Relation Name") == relation:
            scans.append(node)
    return scans
