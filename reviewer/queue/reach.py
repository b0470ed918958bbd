"""Which teams and projects a person may see in the queue: what their key reaches.

The upstream decides what a key opens, and says nothing about the rest (a 404 for "no access",
contract §1), so the console learns it: each task a person's key opened, and each listing it
made, records that team and project for that person and that key (a Reach row, dropped from
the count when the key is replaced). A person's profile defaults (team and project) count too,
so that a new reviewer has somewhere to start. Reviewers see those projects; leads see every
project of those teams; admins see the whole queue.
"""

from __future__ import annotations

from django.db.models import Q

from reviewer.accounts.roles import profile_of
from reviewer.queue.models import Reach

NOTHING = Q(pk__in=[])


def learn(user, team_id: str, project_id: str) -> None:
    """Record that `user`'s current key reached this team and project."""
    profile = profile_of(user)
    Reach.objects.update_or_create(
        user=user, team_id=team_id, project_id=project_id, defaults={"key_set_at": profile.key_set_at}
    )


def learned(user) -> set[tuple[str, str]]:
    """The (team, project) pairs the person's current key was seen to reach."""
    profile = profile_of(user)
    rows = (
        Reach.objects.filter(user=user, key_set_at=profile.key_set_at) if profile.key_set_at else Reach.objects.none()
    )
    return set(rows.values_list("team_id", "project_id"))


def visible(user, prefix: str = "") -> Q:
    """A filter on entries (or on rows with `<prefix>team_id`, `<prefix>project_id`) for what `user` may see."""
    if user.has_perm("accounts.manage_people"):
        return Q()
    profile = profile_of(user)
    pairs = learned(user)
    if profile.team_id and profile.project_id:
        pairs.add((profile.team_id, profile.project_id))
    if user.has_perm("accounts.release_claims"):  # a lead: their teams, every project
        teams = {team for team, _ in pairs} | ({profile.team_id} if profile.team_id else set())
        return Q(**{f"{prefix}team_id__in": sorted(teams)}) if teams else NOTHING
    q = NOTHING
    for team, project in sorted(pairs):
        q |= Q(**{f"{prefix}team_id": team, f"{prefix}project_id": project})
    return q
