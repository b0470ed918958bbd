"""Two languages (docs/i18n.md): every string of the product is in the Dutch catalogue, and a
Dutch browser, or a person who chose Dutch, gets Dutch words, dates and numbers.

The completeness check runs Django's makemessages (the project's own, which looks only at the
product's code) on a copy of the code and the catalogues, so that the repository's .po files
are never rewritten by a test, and lists every string the catalogue lacks, leaves fuzzy or
keeps though the code no longer has it, and every translation whose placeholders differ from
the English. Both domains: django (Python and templates) and djangojs (static/js).
"""

from __future__ import annotations

import ast
import datetime as dt
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import translation

from reviewer.accounts.roles import profile_of
from reviewer.audit import charts
from reviewer.audit.templatetags.audit import ratio, seconds
from reviewer.review import corrections

ROOT = Path(settings.BASE_DIR)
DOMAINS = ("django", "djangojs")
LANGUAGE = "nl"
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\w*\}")


@dataclass
class Entry:
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    fuzzy: bool = False
    obsolete: bool = False

    def __str__(self) -> str:
        return f"{self.msgctxt}|{self.msgid}" if self.msgctxt else self.msgid


def read_po(path: Path) -> list[Entry]:
    """The entries of a .po file (blocks separated by blank lines), the header left out."""
    entries = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        entry, current = Entry(), None
        for raw in block.splitlines():
            line = raw
            if line.startswith("#~"):
                entry.obsolete = True
                line = line[2:].lstrip()
            if line.startswith("#,"):
                entry.fuzzy = entry.fuzzy or "fuzzy" in line
                continue
            if line.startswith("#") or not line.strip():
                continue
            keyword, _, rest = line.partition(" ")
            if line.startswith('"'):
                keyword, rest = current, line
            value = ast.literal_eval(rest)
            if keyword == "msgid":
                entry.msgid = value if current != "msgid" else entry.msgid + value
            elif keyword == "msgctxt":
                entry.msgctxt = (entry.msgctxt or "") + value
            elif keyword == "msgid_plural":
                entry.msgid_plural = (entry.msgid_plural or "") + value
            elif keyword.startswith("msgstr"):
                n = int(keyword[7:-1]) if "[" in keyword else 0
                entry.msgstr[n] = entry.msgstr.get(n, "") + value
            current = keyword
        if current is not None and entry.msgid:
            entries.append(entry)
    return entries


def _problems(entries: list[Entry]) -> list[str]:
    problems = []
    for e in entries:
        if e.obsolete:
            problems.append(f"in the catalogue, but no longer in the code: {e}")
        elif e.fuzzy:
            problems.append(f"fuzzy (check the translation, then drop the flag): {e}")
        elif not e.msgstr or not all(e.msgstr.values()):
            problems.append(f"not translated: {e}")
        else:
            for n, text in e.msgstr.items():
                english = e.msgid if n == 0 or e.msgid_plural is None else e.msgid_plural
                if sorted(PLACEHOLDER.findall(text)) != sorted(PLACEHOLDER.findall(english)):
                    problems.append(f"placeholders differ from the English in msgstr[{n}]: {e}")
    return problems


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory) -> Path:
    """A copy of the code and the catalogues, its catalogues brought up to date by makemessages."""
    copy = tmp_path_factory.mktemp("i18n")
    skip = shutil.ignore_patterns("__pycache__", "*.pyc", "*.mo")
    for name in ("reviewer", "templates", "locale"):
        if (ROOT / name).exists():
            shutil.copytree(ROOT / name, copy / name, ignore=skip)
    if (ROOT / "static" / "js").exists():
        shutil.copytree(ROOT / "static" / "js", copy / "static" / "js", ignore=skip)
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(copy)
        patch.setattr(settings, "LOCALE_PATHS", [copy / "locale"])
        for domain in DOMAINS:
            call_command("makemessages", locale=[LANGUAGE], domain=domain, keep_pot=True, verbosity=0)
    return copy


@pytest.mark.parametrize("domain", DOMAINS)
def test_every_string_is_translated(regenerated, domain):
    po = regenerated / "locale" / LANGUAGE / "LC_MESSAGES" / f"{domain}.po"
    pot = regenerated / "locale" / f"{domain}.pot"
    if not pot.exists():  # the code has no string in this domain: the catalogue must have none either
        kept = [str(e) for e in read_po(po) if not e.obsolete] if po.exists() else []
        assert not kept, f"locale/{LANGUAGE}/LC_MESSAGES/{domain}.po holds strings the code no longer has: {kept}"
        return
    assert po.exists(), f"No catalogue locale/{LANGUAGE}/LC_MESSAGES/{domain}.po: run `make messages`."
    problems = _problems(read_po(po))
    assert not problems, (
        f"The Dutch catalogue {domain}.po is not complete; run `make messages`, then translate "
        f"(docs/i18n.md):\n  " + "\n  ".join(problems)
    )
    check = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(po)], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr


def test_the_checks_find_what_is_missing(tmp_path):
    """The completeness check itself: each kind of problem is named."""
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n\n'
        'msgid "Saved."\nmsgstr ""\n\n'
        '#, fuzzy, python-format\nmsgid "Saved %(name)s."\nmsgstr "%(name)s opgeslagen."\n\n'
        'msgid "Hello %(name)s."\nmsgstr "Hallo %(naam)s."\n\n'
        'msgid "%(count)s task"\nmsgid_plural "%(count)s tasks"\nmsgstr[0] "%(count)s taak"\nmsgstr[1] ""\n\n'
        '#~ msgid "Gone."\n#~ msgstr "Weg."\n',
        encoding="utf-8",
    )
    assert _problems(read_po(po)) == [
        "not translated: Saved.",
        "fuzzy (check the translation, then drop the flag): Saved %(name)s.",
        "placeholders differ from the English in msgstr[0]: Hello %(name)s.",
        "not translated: %(count)s task",
        "in the catalogue, but no longer in the code: Gone.",
    ]


# The language of a page: the person's choice, else the cookie, else the browser ----------------


def _revoke(client, **headers) -> str:
    """The message after revoking a key one does not have: a sentence from Python."""
    response = client.post("/account/key/revoke/", follow=True, headers=headers)
    assert response.status_code == 200
    return response.content.decode()


NO_KEY_EN = "There was no key to revoke."
NO_KEY_NL = "Er was geen sleutel om in te trekken."


def test_a_dutch_browser_gets_dutch(client, people):
    client.force_login(people.reviewer)
    page = _revoke(client, accept_language="nl-NL,nl;q=0.9,en;q=0.5")
    assert NO_KEY_NL in page
    assert NO_KEY_EN not in page


def test_an_english_or_unknown_browser_gets_english(client, people):
    client.force_login(people.reviewer)
    assert NO_KEY_EN in _revoke(client, accept_language="en-GB,en;q=0.9")
    assert NO_KEY_EN in _revoke(client, accept_language="fr-FR,fr;q=0.9")
    assert NO_KEY_EN in _revoke(client)


def test_the_persons_choice_wins_over_the_browser(client, people):
    profile = profile_of(people.reviewer)
    profile.language = "nl"
    profile.save()
    client.force_login(people.reviewer)
    response = client.post("/account/key/revoke/", follow=True, headers={"accept-language": "en"})
    assert NO_KEY_NL in response.content.decode()
    assert response["Content-Language"] == "nl"
    profile.language = "en"
    profile.save()
    assert NO_KEY_EN in _revoke(client, accept_language="nl")


def test_the_language_cookie_speaks_for_a_signed_out_browser(client):
    """Before signing in there is no person: the cookie (set by the language switch) decides."""
    headers = {"hx-request": "true", "accept": "application/json"}
    english = client.get("/queue/", headers=headers).json()["error"]
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nl"
    dutch = client.get("/queue/", headers=headers).json()["error"]
    assert english.startswith("Your session has ended")
    assert dutch.startswith("Je sessie is afgelopen")


def test_a_form_error_from_python_is_in_dutch(client, people, settings):
    settings.LOGIN_FAILURE_LIMIT = 1
    client.post("/accounts/login/", {"username": "rita", "password": "wrong"})
    response = client.post(
        "/accounts/login/", {"username": "rita", "password": "wrong"}, headers={"accept-language": "nl"}
    )
    assert "Te veel mislukte inlogpogingen" in response.content.decode()


# Dates and numbers ------------------------------------------------------------------------------


def test_days_and_figures_follow_the_language():
    days = [dt.date(2026, 3, 1), dt.date(2026, 3, 2)]
    with translation.override("en"):
        english = charts.stacked_bars("c", "T", days, [("Complete", [1, 2])])
        assert "3 actions from 2026-03-01 to 2026-03-02" in english
        assert (seconds(4.5), seconds(12.0), ratio(1.25)) == ("4.5 s", "12 s", "1.2")
    with translation.override("nl"):
        dutch = charts.stacked_bars("c", "T", days, [("Afronden", [1, 2])])
        assert "3 acties van 1-3-2026 tot 2-3-2026" in dutch
        assert (seconds(4.5), seconds(12.0), ratio(1.25)) == ("4,5 s", "12 s", "1,2")


def test_limits_in_messages_are_grouped_for_the_language():
    too_long = "x" * (corrections.MAX_CONTENT + 1)
    with translation.override("en"), pytest.raises(corrections.CorrectionError) as english:
        corrections.check_content(too_long)
    with translation.override("nl"), pytest.raises(corrections.CorrectionError) as dutch:
        corrections.check_content(too_long)
    limit = corrections.MAX_CONTENT
    assert f"at most {limit:,} characters" in str(english.value)
    assert f"hoogstens {limit:,} tekens".replace(",", ".") in str(dutch.value)


# Scripts ------------------------------------------------------------------------------------------


def test_the_javascript_catalogue_is_served_in_the_language(client):
    english = client.get("/jsi18n/", headers={"accept-language": "en"})
    dutch = client.get("/jsi18n/", headers={"accept-language": "nl"})
    assert english.status_code == dutch.status_code == 200
    assert english["Content-Type"].startswith("text/javascript")
    assert '"DECIMAL_SEPARATOR": "."' in english.content.decode()
    assert '"DECIMAL_SEPARATOR": ","' in dutch.content.decode()
