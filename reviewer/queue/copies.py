"""Copies of tasks as Send.ai last showed them, per person and task, for the length of a review.

Switching page, threshold or order on the review screen, and a reload shortly after an open,
show the copy instead of fetching the task again. A copy lives in the shared cache (Redis with
REDIS_URL, else the database: every process and instance sees the same copies) for
QUEUE_LEASE_SECONDS, the length of a claim, and is keyed by the person, their key (a new key
starts afresh) and the task.

The upstream stays the authority. A copy is given out only if nothing newer is known:
`forget(ids)` marks the task changed as of now, and every copy fetched before that mark is
no longer used, whoever's it is. It is called after every action on the task (answered or
refused), when the queue learns a newer status (claims.remember) and on every webhook event.
A full page open uses a copy only within OPEN_SECONDS of its fetch; the viewer's requests (page,
threshold, order) use it for as long as it lives; the PROCESSING poll never does.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from reviewer import sendai

# How old a copy a full page open (a reload, the task "next" fetched ahead) may show.
OPEN_SECONDS = 60


@dataclass(frozen=True)
class Copy:
    """A task as the upstream showed it, and when the upstream was asked."""

    task: sendai.Task
    seen_at: dt.datetime


def _task_key(ids: tuple[str, str, str]) -> str:
    # IDs are up to 128 characters each: hashed, the key stays within every backend's limit.
    return hashlib.sha256("/".join(ids).encode()).hexdigest()[:40]


def _copy_key(user, ids: tuple[str, str, str]) -> str:
    from reviewer.accounts.roles import profile_of  # accounts' models import nothing of the queue

    key = hashlib.sha256(profile_of(user).encrypted_key.encode()).hexdigest()[:12]  # of the ciphertext
    return f"task-copy:{user.pk}:{key}:{_task_key(ids)}"


def _changed_key(ids: tuple[str, str, str]) -> str:
    return f"task-changed:{_task_key(ids)}"


def _lifetime() -> int:
    return settings.QUEUE_LEASE_SECONDS


def keep(user, ids: tuple[str, str, str], task: sendai.Task, seen_at: dt.datetime) -> None:
    """Keep the task the upstream showed `user` when asked at `seen_at`."""
    cache.set(_copy_key(user, ids), Copy(task, seen_at), _lifetime())


def look(user, ids: tuple[str, str, str], *, max_age: float | None = None) -> Copy | None:
    """`user`'s copy of the task, if it is still good: fetched after the task last changed, and
    within `max_age` seconds (by default, as long as copies live). One cache read."""
    key, changed_key = _copy_key(user, ids), _changed_key(ids)
    found = cache.get_many([key, changed_key])
    copy, changed = found.get(key), found.get(changed_key)
    if not isinstance(copy, Copy):
        return None
    if changed is not None and copy.seen_at < changed:
        return None
    if max_age is not None and (timezone.now() - copy.seen_at).total_seconds() > max_age:
        return None
    return copy


def forget(ids: tuple[str, str, str], *, as_of: dt.datetime | None = None) -> None:
    """The task changed (or may have) by `as_of` (default: now): no copy fetched before then is
    used again, anyone's. A copy fetched at `as_of` is the sighting that showed the change.

    The mark only moves forward, and outlives every copy it outdates: a copy is kept at most a
    deadline after it was fetched and lives a lease from then.
    """
    key, lifetime = _changed_key(ids), 2 * _lifetime() + 120
    if as_of is None:  # now is later than every mark
        cache.set(key, timezone.now(), lifetime)
        return
    current = cache.get(key)
    if current is None or current < as_of:
        cache.set(key, as_of, lifetime)


def drop(user, ids: tuple[str, str, str]) -> None:
    """Throw `user`'s copy of the task away."""
    cache.delete(_copy_key(user, ids))


# Page images: kept beside the task copies, with the same scoping (person, key, task) and the
# same invalidation (`forget` outdates them too). An image larger than IMAGE_MAX_BYTES is not
# kept (the shared cache is no file store); it is fetched every time.
IMAGE_MAX_BYTES = 2_000_000


@dataclass(frozen=True)
class Image:
    """A page image as the upstream gave it, its validator, and when the upstream was asked."""

    content: bytes
    content_type: str
    etag: str
    seen_at: dt.datetime


def _image_key(user, ids: tuple[str, str, str], page_id: str) -> str:
    return f"page-image:{_copy_key(user, ids).split(':', 1)[1]}:{_task_key((page_id,))}"


def etag_of(content: bytes) -> str:
    """A strong validator of the image's bytes."""
    return '"' + hashlib.sha256(content).hexdigest()[:32] + '"'


def keep_image(user, ids: tuple[str, str, str], page_id: str, image: sendai.PageImage, seen_at: dt.datetime) -> Image:
    """Keep the page image the upstream gave `user` when asked at `seen_at` (if it is small enough)."""
    kept = Image(image.content, image.content_type, etag_of(image.content), seen_at)
    if len(image.content) <= IMAGE_MAX_BYTES:
        cache.set(_image_key(user, ids, page_id), kept, _lifetime())
    return kept


def look_image(user, ids: tuple[str, str, str], page_id: str) -> Image | None:
    """`user`'s copy of the page image, if fetched after the task last changed. One cache read."""
    key, changed_key = _image_key(user, ids, page_id), _changed_key(ids)
    found = cache.get_many([key, changed_key])
    image, changed = found.get(key), found.get(changed_key)
    if not isinstance(image, Image):
        return None
    if changed is not None and image.seen_at < changed:
        return None
    return image


def drop_image(user, ids: tuple[str, str, str], page_id: str) -> None:
    """Throw `user`'s copy of the page image away."""
    cache.delete(_image_key(user, ids, page_id))
