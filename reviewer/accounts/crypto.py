"""Encryption at rest for the users' Send.ai API keys (Fernet, with rotation).

`FERNET_KEYS` lists keys newest first: the first encrypts, all decrypt. When it
is unset a key is derived from SECRET_KEY, so that a local run needs no
configuration (system check reviewer.W002 asks production to set it).
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.utils.translation import gettext_lazy as _

UNREADABLE = _(
    "The stored Send.ai API key cannot be read by Reviewer (the server's encryption keys changed): set it again."
)


class UndecryptableKey(Exception):
    """The stored key was encrypted under a Fernet key that is no longer configured."""

    def __init__(self) -> None:
        super().__init__(UNREADABLE)


def _derived_key() -> bytes:
    digest = hashlib.sha256(b"reviewer.accounts.crypto:" + settings.SECRET_KEY.encode()).digest()
    return base64.urlsafe_b64encode(digest)


def fernet() -> MultiFernet:
    keys = settings.FERNET_KEYS or [_derived_key().decode()]
    return MultiFernet([Fernet(k.encode()) for k in keys])


def encrypt(secret: str) -> str:
    return fernet().encrypt(secret.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise UndecryptableKey from None


def rotate(token: str) -> str:
    """Re-encrypt a token under the newest key."""
    try:
        return fernet().rotate(token.encode()).decode()
    except InvalidToken:
        raise UndecryptableKey from None
