"""Keep each user's group membership equal to their role, and write the sign-in part of the audit trail."""

import time

from axes.signals import user_locked_out
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

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
