"""The parents' access log: the newest line first, and every older line one link away.

More entries than the old cap of 500, one a minute, so each line carries its own time:
the walk through "Oudere regels" must show every line about this child once, newest
first, and nothing about another child.
"""

from __future__ import annotations

import html
import re
from datetime import timedelta

from gateway.audit import service as audit
from gateway.core import paging
from gateway.web import wording
from tests.support.audit import read_event
from tests.support.gateway import START, Gateway
from tests.support.idp import PARENT, login
from tests.support.portal import CHILD, child_url, make_region, targets

ENTRIES = 520
OTHER_CHILD = "sr_" + "8" * 40


def fill(portal: Gateway, org: str, other_org: str) -> None:
    """One read of the child's data a minute; now and then one of another child."""
    subject_ref = portal.keyring.pseudonyms.subject_ref(CHILD["bsn"])
    with portal.services.db.sessions() as session, session.begin():
        for n in range(ENTRIES):
            portal.clock.advance(timedelta(minutes=1))
            audit.append(session, read_event(org, subject_ref), now=portal.clock.now())
            if n % 25 == 0:
                audit.append(session, read_event(other_org, OTHER_CHILD), now=portal.clock.now())


def log_lines(page: str) -> list[str]:
    found = re.search(r'<ol class="log"[^>]*>(.*?)</ol>', page, re.S)
    assert found, "the page shows no access log"
    return [html.unescape(line) for line in re.findall(r"<li[^>]*>(.*?)</li>", found.group(1))]


def older(page: str) -> str | None:
    links = [url for url in targets(page) if "?eerder=" in url]
    assert len(links) <= 1, links
    return html.unescape(links[0]) if links else None


def test_the_parent_reads_the_newest_line_first_and_pages_to_the_oldest(portal: Gateway) -> None:
    region = make_region(portal, PARENT[1])
    fill(portal, region.vo.id, region.wijkteam.id)
    # The region's four acts (inschrijving, gezag, aanmelding, push) at the start, then
    # one a minute.
    expected = [START + timedelta(minutes=n) for n in range(ENTRIES, 0, -1)] + [START] * 4
    assert login(portal.client, PARENT).status_code == 303
    kid = child_url(portal.client)

    pages = [portal.client.get(kid).text]
    while (link := older(pages[-1])) is not None and len(pages) < 20:
        pages.append(portal.client.get(link).text)

    lines = [line for page in pages for line in log_lines(page)]
    newest = "Da Vinci College las het dossier voor overdracht"
    assert lines[0].startswith(newest) and wording.moment(expected[0]) in lines[0]
    assert [len(log_lines(page)) for page in pages] == [50] * 10 + [24]
    assert len(lines) == len(expected)
    for line, time in zip(lines, expected, strict=True):
        assert f" op {wording.moment(time)}" in line, (line, time)
    assert not any("Wijkteam" in line for line in lines)
    assert "Terug naar de nieuwste regels" not in pages[0]
    assert "Terug naar de nieuwste regels" in pages[-1]


def test_a_forged_cursor_shows_only_this_childs_lines_or_a_dutch_refusal(
    portal: Gateway,
) -> None:
    region = make_region(portal, PARENT[1])
    fill(portal, region.vo.id, region.wijkteam.id)
    assert login(portal.client, PARENT).status_code == 303
    kid = child_url(portal.client)

    beyond = portal.client.get(kid, params={"eerder": paging.encode(10**9)})
    assert beyond.status_code == 200
    assert log_lines(beyond.text) == log_lines(portal.client.get(kid).text)
    assert not any("Wijkteam" in line for line in log_lines(beyond.text))

    broken = portal.client.get(kid, params={"eerder": "not a cursor"})
    assert broken.status_code == 422
    assert "Deze pagina bestaat niet meer" in broken.text
    assert "invalid_cursor" not in broken.text

    past_the_end = portal.client.get(kid, params={"eerder": paging.encode(1)})
    assert "Er zijn geen oudere regels." in past_the_end.text
    assert older(past_the_end.text) is None
