"""The three roles, as groups with permissions, and the one place that reads them."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q
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


def _group_names(user) -> set[str]:
    """The names of the user's groups, read once per user object (a request's user: once per request)."""
    if "groups" in getattr(user, "_prefetched_objects_cache", {}):
        return {g.name for g in user.groups.all()}
    if not hasattr(user, "_group_names"):
        user._group_names = set(user.groups.values_list("name", flat=True))
    return user._group_names


def role_of(user) -> str | None:
    """The user's role: the highest of the role groups it is in (prefetch `groups` for lists)."""
    names = _group_names(user)
    return next((r.value for r in (Role.ADMIN, Role.LEAD, Role.REVIEWER) if r.value in names), None)


def has_role(user) -> bool:
    """Whether the user may sign in to the console's pages: a role, or a superuser."""
    return user.is_superuser or role_of(user) is not None


def permissions_of(user) -> set[str]:
    """Every permission the user holds, its own and its groups', as "app_label.codename": one
    query, once per user object (the authentication backend's get_all_permissions)."""
    if not hasattr(user, "_perm_cache"):
        perms = Permission.objects.all()
        if not user.is_superuser:
            perms = perms.filter(Q(user=user) | Q(group__user=user))
        user._perm_cache = {f"{app}.{name}" for app, name in perms.values_list("content_type__app_label", "codename")}
    return user._perm_cache


class PermissionsBackend(ModelBackend):
    """Django's user-and-password backend (after axes' in AUTHENTICATION_BACKENDS, which counts
    and refuses sign-ins), with a person's permissions read in one query instead of two: a
    permission check runs on every request."""

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        return permissions_of(user_obj)


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
    for memo in ("_group_names", "_perm_cache", "_user_perm_cache", "_group_perm_cache"):
        user.__dict__.pop(memo, None)  # what was read of this user object's roles is out of date
    user.groups.remove(*Group.objects.filter(name__in=Role.values))
    if role:
        user.groups.add(Group.objects.get(name=role))
