"""A lead cannot second-review their own approvals: the one access check refuses it."""

from __future__ import annotations

from reviewer.audit.models import SampleItem, Verdict
from tests.audit.conftest import T0, rec
from tests.audit.test_samples import MARCH


def test_a_lead_cannot_give_a_verdict_on_their_own_approval(lead_client, people):
    rec("leo", "approve", at=T0, task="t_own", user=people.lead)
    rec("rita", "approve", at=T0, task="t_other", user=people.reviewer)
    assert lead_client.post("/audit/samples/", MARCH).status_code == 302
    own, other = SampleItem.objects.get(task_id="t_own"), SampleItem.objects.get(task_id="t_other")
    response = lead_client.post(f"/audit/samples/items/{own.pk}/verdict/", {f"item{own.pk}-verdict": "agreed"})
    assert response.status_code == 403
    assert "This is your own approval" in response.content.decode()
    own.refresh_from_db()
    assert own.verdict == Verdict.NONE
    ok = lead_client.post(f"/audit/samples/items/{other.pk}/verdict/", {f"item{other.pk}-verdict": "agreed"})
    assert ok.status_code == 302


def test_another_lead_can(client, people):
    from tests.conftest import make_person

    rec("leo", "approve", at=T0, task="t_own", user=people.lead)
    other_lead = make_person("lena", "lead")
    client.force_login(other_lead)
    client.post("/audit/samples/", MARCH)
    own = SampleItem.objects.get(task_id="t_own")
    assert (
        client.post(f"/audit/samples/items/{own.pk}/verdict/", {f"item{own.pk}-verdict": "agreed"}).status_code == 302
    )
