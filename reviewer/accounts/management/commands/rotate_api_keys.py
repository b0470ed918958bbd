from django.core.management.base import BaseCommand
from django.db import transaction

from reviewer.accounts import crypto
from reviewer.accounts.models import KeyEvent, Profile


class Command(BaseCommand):
    help = (
        "Re-encrypt every stored Send.ai API key under the newest of FERNET_KEYS. "
        "Afterwards the older Fernet keys can be removed from FERNET_KEYS."
    )

    def handle(self, *args, **options):
        rotated = failed = 0
        for pk in Profile.objects.exclude(encrypted_key="").values_list("pk", flat=True):
            with transaction.atomic():
                profile = Profile.objects.select_for_update().select_related("user").get(pk=pk)
                if not profile.encrypted_key:
                    continue
                try:
                    profile.encrypted_key = crypto.rotate(profile.encrypted_key)
                except crypto.UndecryptableKey:
                    failed += 1
                    self.stderr.write(f"{profile.user.get_username()}: the key cannot be decrypted; set it again.")
                    continue
                profile.save(update_fields=["encrypted_key"])
                KeyEvent.record(None, profile.user, KeyEvent.Action.ROTATED)
                rotated += 1
        self.stdout.write(f"Re-encrypted {rotated} key(s) under the newest Fernet key; {failed} could not be read.")
