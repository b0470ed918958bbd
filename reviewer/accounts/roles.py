"""The three roles, as groups with permissions, and the one place that reads them."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from reviewer.accounts.models import ROLE_PERMISSIONS, Profile, Role

# What a person without a role is told, at the sign-in form and on every page.
NO_ROLE = _("Your account has no role yet: ask an admin to give you one.")


def ensure_role_groups(**kwargs) -> None:
    """Create the role groups and give each exactly its permissions (after every migrate)."""
    for role, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role.value)
        perms = Permission.objects.filter(content_type__app_label="accounts", codename__in=codenames)
        group.permissions.set(perms)


def role_of(user) -> str | None:
    """The user's role: the highest of the role groups it is in (prefetch `groups` for lists)."""
    names = {g.name for g in user.groups.all()}
    return next((r.value for r in (Role.ADMIN, Role.LEAD, Role.REVIEWER) if r.value in names), None)


def has_role(user) -> bool:
    """Whether the user may sign in to the console's pages: a role, or a superuser."""
    return user.is_superuser or role_of(user) is not None


def create_profile(sender, instance, created: bool, **kwargs) -> None:
    if created:
        Profile.objects.get_or_create(user=instance)


def profile_of(user) -> Profile:
    try:
        return user.profile
    except Profile.DoesNotExist:
        profile, _ = Profile.objects.get_or_create(user=user)
        return profile


@transaction.atomic
def set_role(user, role: str | None) -> None:
    """Put `user` in exactly one role group (or none)."""
    user.groups.remove(*Group.objects.filter(name__in=Role.values))
    if role:
        user.groups.add(Group.objects.get(name=role))
