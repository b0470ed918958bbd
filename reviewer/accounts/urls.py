from django.urls import include, path

from reviewer.accounts import views

urlpatterns = [
    path("accounts/login/", views.login, name="login"),
    path("accounts/password_reset/", views.password_reset, name="password_reset"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("account/", views.account, name="account"),
    path("account/preferences/", views.account_preferences, name="account-preferences"),
    path("account/key/verify/", views.account_key_verify, name="account-key-verify"),
    path("account/key/revoke/", views.account_key_revoke, name="account-key-revoke"),
    path("people/", views.people, name="people"),
    path("people/new/", views.person_new, name="person-new"),
    path("people/<int:user_id>/", views.person, name="person"),
    path("people/<int:user_id>/key/", views.person_key, name="person-key"),
    path("people/<int:user_id>/key/revoke/", views.person_key_revoke, name="person-key-revoke"),
    path("people/<int:user_id>/key/verify/", views.person_key_verify, name="person-key-verify"),
]
