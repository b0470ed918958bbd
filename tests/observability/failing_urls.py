"""A view that fails while holding a Send.ai key, for the error-reporting tests."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path

KEY = "sk_live_Zq8vN3kW9mXr2Lp7Tg5Hy1Jc4Bd6Fs0A"


@login_not_required
def fails(request):
    headers = {"Authorization": f"Bearer {KEY}", "Accept": "application/json"}
    api_key = KEY
    raise RuntimeError(f"Send.ai refused {api_key} with {headers}")


urlpatterns = [path("fails/", fails)]
