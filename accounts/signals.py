"""Keep each user's group membership equal to their role, and write the sign-in part of the audit trail."""

import time

from axes.signals import user_locked_out
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import receiver
from django_celery_beat.models import PeriodicTask
from rest_framework.authtoken.models import Token

from accounts.audit import audit_event
from accounts.backends import PERMISSIONS_VERSION
from accounts.middleware import session_clock_start
from accounts.models import AuditEvent, User
from accounts.roles import ADMIN


@receiver(post_save, sender=User)
def sync_role_group(sender, instance: User, **kwargs):
    if not instance.role:
        return
    group, _ = Group.objects.get_or_create(name=instance.role)
    instance.groups.set([group])
    if instance.role == ADMIN and not (instance.is_staff and instance.is_superuser):
        # The admin role opens everything, the Django admin included.
        User.objects.filter(pk=instance.pk).update(is_staff=True, is_superuser=True)
        instance.is_staff = instance.is_superuser = True


@receiver(m2m_changed, sender=User.groups.through)
@receiver(m2m_changed, sender=User.user_permissions.through)
@receiver(m2m_changed, sender=Group.permissions.through)
@receiver(post_delete, sender=Group)
@receiver(post_delete, sender=Permission)
def permissions_changed(sender, **kwargs):
    """Any change of who holds which permission makes every cached permission set stale."""
    if kwargs.get("action", "post_").startswith("post_"):
        PERMISSIONS_VERSION.bump()


@receiver(user_logged_in)
def start_session_clock(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        session_clock_start(request.session, time.time())


@receiver(user_logged_in)
def audit_login(sender, request, user, **kwargs):
    audit_event(action=AuditEvent.Action.LOGIN, request=request, user=user, target=request.path if request else "")


@receiver(user_logged_out)
def audit_logout(sender, request, user, **kwargs):
    if user is not None:
        audit_event(action=AuditEvent.Action.LOGOUT, request=request, user=user)


def _refused_while_locked(request) -> bool:
    # Set by accounts.lockout.WindowedLockoutHandler before axes counts the attempt.
    return getattr(request, "lockout_already_held", False)


@receiver(user_login_failed)
def audit_login_failed(sender, credentials, request=None, **kwargs):
    refused = request is not None and _refused_while_locked(request)
    audit_event(
        action=AuditEvent.Action.LOGIN_FAILED,
        request=request,
        username=str(credentials.get("username", ""))[:150],
        target=request.path if request else "",
        outcome=AuditEvent.Outcome.DENIED if refused else AuditEvent.Outcome.FAILED,
    )


@receiver(user_locked_out)
def audit_lockout(sender, request, username, **kwargs):
    if not _refused_while_locked(request):
        audit_event(
            action=AuditEvent.Action.LOCKOUT,
            request=request,
            username=str(username or "")[:150],
            target=f"user:{username}",
            outcome=AuditEvent.Outcome.DENIED,
        )


# Beat tasks: who can change a schedule's task or arguments can change what runs with the worker's rights, so every
# change is audited whether it comes through the admin, a command or the shell. Beat's own bookkeeping
# (last run time, run count) is not a change.
SCHEDULE_FIELDS = ("name", "task", "args", "kwargs", "enabled", "interval_id", "crontab_id", "solar_id",
                   "clocked_id", "one_off", "start_time", "expires", "queue", "headers")  # fmt: skip


def _schedule_state(task: PeriodicTask) -> dict:
    return {field: str(getattr(task, field)) for field in SCHEDULE_FIELDS}


@receiver(pre_save, sender=PeriodicTask)
def remember_schedule_state(sender, instance: PeriodicTask, **kwargs):
    before = PeriodicTask.objects.filter(pk=instance.pk).first() if instance.pk else None
    instance._audit_before = _schedule_state(before) if before else None


@receiver(post_save, sender=PeriodicTask)
def audit_schedule_saved(sender, instance: PeriodicTask, created: bool, **kwargs):
    before, after = getattr(instance, "_audit_before", None), _schedule_state(instance)
    if before == after:
        return
    changed = {
        field: [before[field] if before else "", after[field]]
        for field in after
        if not before or before[field] != after[field]
    }
    audit_event(
        action=AuditEvent.Action.SCHEDULE,
        target=f"periodic_task:{instance.pk}",
        params={"change": "add" if created else "change", "fields": changed},
    )


@receiver(post_delete, sender=PeriodicTask)
def audit_schedule_deleted(sender, instance: PeriodicTask, **kwargs):
    audit_event(
        action=AuditEvent.Action.SCHEDULE,
        target=f"periodic_task:{instance.pk}",
        params={"change": "delete", "fields": _schedule_state(instance)},
    )


@receiver(post_save, sender=Token)
def audit_token_issued(sender, instance: Token, created: bool, **kwargs):
    if created:
        audit_event(action=AuditEvent.Action.TOKEN, user=instance.user, target=f"user:{instance.user.username}",
                    params={"change": "issue"})  # fmt: skip


@receiver(post_delete, sender=Token)
def audit_token_revoked(sender, instance: Token, **kwargs):
    audit_event(action=AuditEvent.Action.TOKEN, user=instance.user, target=f"user:{instance.user.username}",
                params={"change": "revoke"})  # fmt: skip
