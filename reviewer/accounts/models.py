"""People's Send.ai credentials and the record of every change to them.

A user's API key is stored only encrypted (see crypto.py) and is write-only:
pages show its last four characters, when and by whom it was set, its state
and when it was last used. The key itself leaves the database only to be sent
to the upstream, by `Profile.api_key()`.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reviewer.accounts import crypto
from reviewer.sendai.client import ID_PATTERN

ID_VALIDATOR = RegexValidator(
    rf"\A{ID_PATTERN.pattern}\Z",  # the client's rule: what it will send
    _("Use 1 to 128 letters, digits, '_', '.' or '-', starting with a letter or digit."),
)


# key_last_used_at is written at most this often (seconds).
KEY_USE_WRITE_SECONDS = 60


class Role(models.TextChoices):
    REVIEWER = "reviewer", _("Reviewer")
    LEAD = "lead", _("Team lead")
    ADMIN = "admin", _("Admin")


# The permissions each role's group holds (codenames of Profile's permissions).
ROLE_PERMISSIONS = {
    Role.REVIEWER: ["review_tasks"],
    Role.LEAD: ["review_tasks", "audit_work", "release_claims"],
    Role.ADMIN: ["review_tasks", "audit_work", "release_claims", "manage_people"],
}


class KeyState(models.TextChoices):
    NONE = "none", _("No key")
    SET = "set", _("Set, not verified")
    VERIFIED = "verified", _("Verified: reads and acts")
    READ_ONLY = "read_only", _("Verified: reads only")
    REJECTED = "rejected", _("Rejected by Send.ai")
    # The stored key cannot be decrypted with FERNET_KEYS (rotated in the wrong order).
    UNREADABLE = "unreadable", _("Cannot be read: set it again")


class Theme(models.TextChoices):
    AUTO = "", _("As the system")
    LIGHT = "light", _("Light")
    DARK = "dark", _("Dark")


class Language(models.TextChoices):
    # Each language is named in itself, so that anyone finds their own.
    AUTO = "", _("As the browser")
    ENGLISH = "en", "English"
    DUTCH = "nl", "Nederlands"


class Profile(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, models.CASCADE, related_name="profile")
    team_id = models.CharField(_("default team"), max_length=128, blank=True, validators=[ID_VALIDATOR])
    project_id = models.CharField(_("default project"), max_length=128, blank=True, validators=[ID_VALIDATOR])
    encrypted_key = models.TextField(blank=True)
    key_last4 = models.CharField(max_length=4, blank=True)
    key_state = models.CharField(max_length=16, choices=KeyState.choices, default=KeyState.NONE)
    key_set_at = models.DateTimeField(null=True, blank=True)
    key_set_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    key_checked_at = models.DateTimeField(null=True, blank=True)
    key_last_used_at = models.DateTimeField(null=True, blank=True)
    auto_advance = models.BooleanField(
        _("move on by myself"), default=True, help_text=_("After completing or discarding a task, open the next one.")
    )
    # The person's own look and language; empty means "follow the browser".
    theme = models.CharField(_("theme"), max_length=8, choices=Theme.choices, blank=True, default=Theme.AUTO)
    language = models.CharField(_("language"), max_length=8, choices=Language.choices, blank=True, default="")
    # The review screen's view settings (threshold, order, shown kinds, zoom mode), kept as the
    # review screen writes them; reviewer/review validates what it reads back.
    review_prefs = models.JSONField(default=dict, blank=True)

    class Meta:
        permissions = [
            ("review_tasks", _("Can open and act on tasks")),
            ("audit_work", _("Can see the audit views")),
            ("release_claims", _("Can release other people's claims on tasks")),
            ("manage_people", _("Can manage users, roles and API keys")),
        ]

    def __str__(self) -> str:
        return f"Profile of {self.user}"

    @property
    def has_key(self) -> bool:
        return bool(self.encrypted_key)

    @property
    def key_works(self) -> bool:
        """Whether the key may be tried: set and readable.

        A key Send.ai rejected the last time is still tried: the 401 may have been transient,
        and only Send.ai can say whether it still rejects the key (the mark is cleared by the
        next answer that is not a 401: review.acting.key_answered).
        """
        return self.has_key and self.key_state != KeyState.UNREADABLE

    def api_key(self) -> str:
        """The decrypted key, for the one call that sends it. Marks the key as used (at most
        once every KEY_USE_WRITE_SECONDS: the pages show the minute, and an action need not write it).

        Raises crypto.UndecryptableKey when the key cannot be decrypted, and marks it so
        (KeyState.UNREADABLE: the person or an admin must set it again).
        """
        try:
            key = crypto.decrypt(self.encrypted_key)
        except crypto.UndecryptableKey:
            self.key_state = KeyState.UNREADABLE
            Profile.objects.filter(pk=self.pk).update(key_state=self.key_state)
            raise
        now = timezone.now()
        last = self.key_last_used_at
        if last is None or not (0 <= (now - last).total_seconds() < KEY_USE_WRITE_SECONDS):
            self.key_last_used_at = now
            Profile.objects.filter(pk=self.pk).update(key_last_used_at=now)
        return key

    def set_key(self, raw: str, by) -> None:
        self.encrypted_key = crypto.encrypt(raw)
        self.key_last4 = raw[-4:]
        self.key_state = KeyState.SET
        self.key_set_at = timezone.now()
        self.key_set_by = by
        self.key_checked_at = None
        self.key_last_used_at = None

    def revoke_key(self) -> None:
        self.encrypted_key = ""
        self.key_last4 = ""
        self.key_state = KeyState.NONE
        self.key_checked_at = None
        self.key_last_used_at = None


class KeyEvent(models.Model):
    """Who did what to whose key, when. Never the key itself. Append-only."""

    class Action(models.TextChoices):
        SET = "set", _("Set")
        REPLACED = "replaced", _("Replaced")
        REVOKED = "revoked", _("Revoked")
        VERIFIED = "verified", _("Verified")
        # A new key that was not stored: Send.ai rejected it, or could not check it while the
        # key it would replace works (the outcome says which, and that the old key was kept).
        REFUSED = "refused", _("New key not stored")
        ROTATED = "rotated", _("Re-encrypted under the newest key")

    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    actor_name = models.CharField(max_length=150)
    subject = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="key_events")
    subject_name = models.CharField(max_length=150)
    action = models.CharField(max_length=16, choices=Action.choices)
    outcome = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]

    @classmethod
    def record(cls, actor, subject, action: str, outcome: str = "") -> KeyEvent:
        return cls.objects.create(
            actor=actor,
            actor_name=actor.get_username() if actor else "system",
            subject=subject,
            subject_name=subject.get_username(),
            action=action,
            outcome=outcome,
        )
