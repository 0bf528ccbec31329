"""ingestion_history_merge(a, b): the SQL twin of ingestion.loader.history_merge, used by the PostgreSQL upsert."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION ingestion_history_merge(a jsonb, b jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(jsonb_agg(e ORDER BY e ->> 'date', o), '[]'::jsonb)
    FROM (
        SELECT e, min(o) AS o
        FROM jsonb_array_elements(coalesce(a, '[]'::jsonb) || coalesce(b, '[]'::jsonb)) WITH ORDINALITY AS t(e, o)
        GROUP BY e
    ) s
$$;
"""
DROP = "DROP FUNCTION IF EXISTS ingestion_history_merge(jsonb, jsonb);"


def _run(sql):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return apply


class Migration(migrations.Migration):
    dependencies = [("ingestion", "0001_initial")]

    operations = [migrations.RunPython(_run(CREATE), _run(DROP))]
