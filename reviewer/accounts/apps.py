from django.apps import AppConfig
from django.db.models.signals import post_migrate, post_save


class AccountsConfig(AppConfig):
    name = "reviewer.accounts"
    label = "accounts"
    verbose_name = "People and API keys"

    def ready(self) -> None:
        from django.contrib.auth import get_user_model

        from reviewer.accounts.roles import create_profile, ensure_role_groups

        post_migrate.connect(ensure_role_groups, sender=self)
        post_save.connect(create_profile, sender=get_user_model(), dispatch_uid="accounts.create_profile")
