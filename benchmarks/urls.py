"""The product's URLs plus /bench/bare/: the least a Django view can do under the same middleware.

P4 (benchmarks/review_throughput.py) compares the review page's requests per second with this
view's, under the same gunicorn, the same middleware and the same signed-in session.
"""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.urls import path

from reviewer.urls import urlpatterns as product


@login_not_required
def bare(request):
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path("bench/bare/", bare), *product]
