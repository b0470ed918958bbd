from django.apps import AppConfig
from django.db.models.signals import post_migrate, post_save
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "reviewer.accounts"
    label = "accounts"
    verbose_name = _("People and API keys")

    def ready(self) -> None:
        from django.contrib import admin
        from django.contrib.auth import get_user_model

        from reviewer.accounts import checks  # noqa: F401 (registers them)
        from reviewer.accounts.forms import ThrottledAdminAuthenticationForm
        from reviewer.accounts.roles import create_profile, ensure_role_groups

        admin.site.login_form = ThrottledAdminAuthenticationForm  # throttled as our sign-in is

        post_migrate.connect(ensure_role_groups, sender=self)
        post_save.connect(create_profile, sender=get_user_model(), dispatch_uid="accounts.create_profile")
