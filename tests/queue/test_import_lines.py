"""Import: a problem names the line of the file (or of the pasted text) it is on."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.queue.conftest import give_import_key


@pytest.fixture(autouse=True)
def _importer_key(people, upstream):
    """An import checks its IDs with the lead's key; none of these tasks exists, which is no matter here."""
    give_import_key(people.lead, ("t1", "p1"))


def test_a_files_bad_line_is_named_by_its_own_number(client, people):
    client.force_login(people.lead)
    upload = SimpleUploadedFile("ids.csv", b"task_ok\nbad/id\n", content_type="text/csv")
    response = client.post("/queue/import/", {"ids": "", "file": upload, "team_id": "t1", "project_id": "p1"})
    page = response.content.decode()
    assert "Line 2: That is not a valid task ID" in page
    assert "Line 3" not in page


def test_a_file_after_pasted_text_continues_its_numbering(client, people):
    client.force_login(people.lead)
    upload = SimpleUploadedFile("ids.csv", b"bad/one\n", content_type="text/csv")
    response = client.post(
        "/queue/import/", {"ids": "task_a\nbad/two", "file": upload, "team_id": "t1", "project_id": "p1"}
    )
    page = response.content.decode()
    assert "Line 2: That is not a valid task ID" in page
    assert "Line 3: That is not a valid task ID" in page


def test_a_quoted_line_break_does_not_shift_the_numbers(client, people):
    client.force_login(people.lead)
    response = client.post("/queue/import/", {"ids": 't1,"p\n1",task_a\nbad/x', "team_id": "t1", "project_id": "p1"})
    assert "Line 3: That is not a valid task ID" in response.content.decode()
