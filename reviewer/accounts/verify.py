"""Verify a person's Send.ai API key against the upstream, without changing anything there.

Reading: the key must read the person's default project (the task list where the
upstream offers it, otherwise a GET of a task that does not exist, which a valid
key answers with 404). Acting: an unlock of a task that does not exist is
refused with 403 when the key lacks task.edit and with 404 when it has it; no
task can change, since none has that ID.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from reviewer import sendai
from reviewer.accounts import crypto
from reviewer.accounts.models import KeyEvent, KeyState, Profile

PROBE_TASK = "reviewer-key-check"


@dataclass(frozen=True)
class Verdict:
    state: str | None  # the new KeyState, or None when nothing could be learned
    sentence: str


def check_key(raw: str, team: str, project: str) -> Verdict:
    client = sendai.Client(raw)
    try:
        try:
            client.list(team, project, limit=1)
        except sendai.NotFound:
            return Verdict(
                KeyState.SET,
                _(
                    "Send.ai accepted the key, but it has no access to project %(project)s of team %(team)s, "
                    "or they do not exist. Check the default team and project."
                )
                % {"project": project, "team": team},
            )
        except sendai.ListingUnavailable:
            with contextlib.suppress(sendai.NotFound):
                client.get(team, project, PROBE_TASK)
        try:
            client.unlock(team, project, PROBE_TASK)
        except (sendai.NotFound, sendai.Refused):
            pass
        except sendai.MissingScope:
            return Verdict(KeyState.READ_ONLY, _("The key works for reading only: it lacks the task.edit scope."))
    except sendai.InvalidKey:
        return Verdict(KeyState.REJECTED, _("Send.ai rejected the key: it is unknown or revoked."))
    except sendai.MissingScope:
        return Verdict(KeyState.REJECTED, _("The key cannot read tasks: it lacks the task.read scope."))
    except (sendai.Unavailable, sendai.ProtocolError) as e:
        return Verdict(None, _("Send.ai could not be reached, so the key was not checked. %(reason)s") % {"reason": e})
    return Verdict(KeyState.VERIFIED, _("The key works for reading and acting."))


def verify(profile: Profile, actor) -> Verdict:
    """Check the profile's key, store the verdict and record it."""
    if not profile.has_key:
        return Verdict(None, _("There is no key to verify."))
    if not (profile.team_id and profile.project_id):
        return Verdict(None, _("Set a default team and project first: the key is checked against them."))
    try:
        verdict = check_key(profile.api_key(), profile.team_id, profile.project_id)
    except crypto.UndecryptableKey as e:
        verdict = Verdict(KeyState.UNREADABLE, str(e))
    if verdict.state:
        profile.key_state = verdict.state
        profile.key_checked_at = timezone.now()
        profile.save(update_fields=["key_state", "key_checked_at"])
    KeyEvent.record(actor, profile.user, KeyEvent.Action.VERIFIED, verdict.sentence[:200])
    return verdict
