"""Audit records are append-only in the database too (PostgreSQL): a trigger refuses UPDATE and DELETE unless the
session flag crimedash.audit_purge is on, which accounts_auditevent_purge() sets for its own DELETE after checking
the retention floor. The one UPDATE allowed is Django's SET NULL of `user` when a user is deleted (the username
stays on the record). TRUNCATE is not covered (Django's test flush uses it): deny the application role TRUNCATE."""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION accounts_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    IF current_setting('crimedash.audit_purge', true) = 'on' THEN
        RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.user_id IS NULL
       AND (NEW.id, NEW.at, NEW.username, NEW.action, NEW.target, NEW.params::text, NEW.ip_address, NEW.outcome)
           IS NOT DISTINCT FROM
           (OLD.id, OLD.at, OLD.username, OLD.action, OLD.target, OLD.params::text, OLD.ip_address, OLD.outcome) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit records are append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER accounts_auditevent_append_only
    BEFORE UPDATE OR DELETE ON accounts_auditevent
    FOR EACH ROW EXECUTE FUNCTION accounts_auditevent_append_only();

CREATE OR REPLACE FUNCTION accounts_auditevent_purge(cutoff timestamptz, floor_days integer) RETURNS bigint AS $$
DECLARE
    deleted bigint;
BEGIN
    IF floor_days < 1 OR cutoff > clock_timestamp() - make_interval(days => floor_days) THEN
        RAISE EXCEPTION 'audit purge refused: records younger than % days are kept', floor_days;
    END IF;
    PERFORM set_config('crimedash.audit_purge', 'on', true);
    DELETE FROM accounts_auditevent WHERE at < cutoff;
    GET DIAGNOSTICS deleted = ROW_COUNT;
    PERFORM set_config('crimedash.audit_purge', 'off', true);
    RETURN deleted;
END
$$ LANGUAGE plpgsql;
"""

BACKWARD = """
DROP TRIGGER IF EXISTS accounts_auditevent_append_only ON accounts_auditevent;
DROP FUNCTION IF EXISTS accounts_auditevent_append_only();
DROP FUNCTION IF EXISTS accounts_auditevent_purge(timestamptz, integer);
"""


def _on_postgres(sql: str):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            with schema_editor.connection.cursor() as cursor:
                cursor.execute(sql)  # no parameters: the % of RAISE stays a plain character

    return run


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_roles_dispatch_and_audit_actions")]

    operations = [migrations.RunPython(_on_postgres(FORWARD), _on_postgres(BACKWARD))]
