"""Keep each user's group membership equal to their role."""

from django.contrib.auth.models import Group
from django.db.models.signals import post_save
from django.dispatch import receiver

from accounts.models import User
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
