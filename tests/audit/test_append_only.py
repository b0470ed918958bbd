"""The log is append-only: no view, admin page or URL edits or deletes a record."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db.models import ProtectedError
from django.test import RequestFactory
from django.urls import get_resolver

from reviewer.audit.models import Sample, SampleItem
from reviewer.review.models import ActionRecord
from tests.audit.conftest import rec


def test_it_refuses_to_save_an_existing_record_again(people):
    record = rec()
    record.outcome = "refused"
    with pytest.raises(PermissionError, match="append-only"):
        record.save()
    assert ActionRecord.objects.get().outcome == "ok"


def test_it_refuses_to_delete_a_record(people):
    record = rec()
    with pytest.raises(PermissionError, match="prune_records"):
        record.delete()
    assert ActionRecord.objects.count() == 1


def test_a_sampled_record_cannot_be_deleted_under_its_sample(people):
    record = rec()
    sample = Sample.objects.create(created_by_name="leo", period_start="2026-03-01", period_end="2026-03-31", size=1)
    SampleItem.objects.create(sample=sample, record=record, team_id="t", project_id="p", task_id="x", approver="rita")
    with pytest.raises(ProtectedError):
        ActionRecord.objects.filter(pk=record.pk).delete()


def test_no_audit_url_edits_or_deletes():
    audit = [p for p in get_resolver().url_patterns if "audit" in str(getattr(p, "urlconf_name", ""))]
    routes = [str(p.pattern) for include in audit for p in include.url_patterns]
    assert routes == [
        "audit/approvals/",
        "audit/activity/",
        "audit/task/<str:team_id>/<str:project_id>/<str:task_id>/",
        "audit/figures/",
        "audit/samples/",
        "audit/samples/<int:sample_id>/",
        "audit/samples/items/<int:item_id>/verdict/",
    ]


def test_the_log_views_refuse_every_writing_method(lead_client, people):
    record = rec()
    for url in ("/audit/approvals/", "/audit/activity/", "/audit/task/team_123456/proj_123456/task_1/"):
        for method in ("post", "put", "patch", "delete"):
            assert getattr(lead_client, method)(url).status_code == 405
    assert ActionRecord.objects.get() == record


def test_the_admin_shows_records_but_cannot_add_change_or_delete_them(client, people):
    record = rec()
    boss = get_user_model().objects.create_superuser("boss", "boss@example.com", "correct horse battery staple")
    model_admin = admin.site._registry[ActionRecord]
    request = RequestFactory().get("/admin/")
    request.user = boss
    assert model_admin.has_view_permission(request)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, record)
    assert not model_admin.has_delete_permission(request, record)
    assert not model_admin.get_actions(request)  # no "delete selected"

    client.force_login(boss)
    assert client.get("/admin/review/actionrecord/").status_code == 200
    assert client.get(f"/admin/review/actionrecord/{record.pk}/change/").status_code == 200  # read-only view
    assert client.post(f"/admin/review/actionrecord/{record.pk}/change/", {"outcome": "refused"}).status_code == 403
    assert client.post(f"/admin/review/actionrecord/{record.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.get("/admin/review/actionrecord/add/").status_code == 403
    assert ActionRecord.objects.get().outcome == "ok"
