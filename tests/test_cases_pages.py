"""Practice-case pages: the permission matrix, filters, draft → publish, the form keeping what
was typed, and query budgets for the list and the case page.

Users here read English (language="en"), so the assertions on page text keep holding once the
Dutch translations exist.
"""
import io
import re

import pytest
import sqlalchemy as sa

from community.actions import attachments as attachment_actions
from community.actions import cases as case_actions
from community.actions import communities as community_actions
from community.extensions import db
from community.models import Attachment, Case, Discussion, FeedEntry, Revision
from tests import worlds
from tests.helpers import assert_matrix, png

ROLES = ("anonymous", "outsider", "member", "author", "coordinator", "other_coordinator", "admin")


def _row(*statuses):
    return dict(zip(ROLES, statuses))


def _case(author, community, title, publish=True, **fields):
    fields.setdefault("context", f"De situatie van {title}.")
    return case_actions.create_case(author, community, title=title, publish=publish, **fields)


def _attach(author, case, name="foto.png", data=None):
    return attachment_actions.add_attachment(author, case, name, io.BytesIO(data or png()))


@pytest.fixture
def world(make_client):
    """The two communities of tests.worlds.circles (everyone reads English), each with a published
    case and a draft by the author, both with an image (``world.cases[visibility]``); a browser
    for every role."""
    world = worlds.circles(language="en")
    world.cases = {}
    for visibility in ("public", "private"):
        community = world[visibility]
        published = _case(world.author, community, f"Gepubliceerd {visibility}", tags="cnc")
        draft = _case(world.author, community, f"Concept {visibility}", publish=False)
        world.cases[visibility] = dict(community=community, published=published, draft=draft,
                                       published_file=_attach(world.author, published),
                                       draft_file=_attach(world.author, draft))
    world.clients = worlds.clients(make_client, world.users)
    return world


def _file_url(attachment):
    return f"/attachments/{attachment.id}/{attachment.original_name}"


@pytest.mark.parametrize("which", ["public", "private"])
def test_read_pages_matrix(world, which):
    place = world.cases[which]
    slug, pub, draft = place["community"].slug, place["published"].id, place["draft"].id
    hidden = 404 if which == "private" else 200  # outsiders of a private community see nothing
    refused = 404 if which == "private" else 403
    assert_matrix(world.clients, [
        ("GET", f"/c/{slug}/cases", _row(302, hidden, 200, 200, 200, hidden, 200)),
        ("GET", f"/c/{slug}/cases/new", _row(302, refused, 200, 200, 200, refused, 403)),
        ("GET", f"/cases/{pub}", _row(302, hidden, 200, 200, 200, hidden, 200)),
        ("GET", f"/cases/{pub}/edit", _row(302, refused, 403, 200, 200, refused, 200)),
        ("GET", _file_url(place["published_file"]), _row(302, hidden, 200, 200, 200, hidden, 200)),
        # A draft exists only for its author.
        ("GET", f"/cases/{draft}", _row(302, 404, 404, 200, 404, 404, 404)),
        ("GET", f"/cases/{draft}/edit", _row(302, 404, 404, 200, 404, 404, 404)),
        ("GET", _file_url(place["draft_file"]), _row(302, 404, 404, 200, 404, 404, 404)),
        ("GET", "/cases/999999", _row(302, 404, 404, 404, 404, 404, 404)),
        ("GET", "/cases/99999999999999999999999", _row(302, 404, 404, 404, 404, 404, 404)),
        ("GET", "/attachments/999999/x.png", _row(302, 404, 404, 404, 404, 404, 404)),
        ("GET", "/c/does-not-exist/cases", _row(302, 404, 404, 404, 404, 404, 404)),
    ])


@pytest.mark.parametrize("which", ["public", "private"])
def test_writes_are_refused_to_others(world, which):
    place = world.cases[which]
    slug, pub, draft = place["community"].slug, place["published"].id, place["draft"].id
    refused = 404 if which == "private" else 403
    upload = {"file": (io.BytesIO(png()), "x.png")}
    assert_matrix(world.clients, [
        ("POST", f"/c/{slug}/cases/new", {"anonymous": 302, "outsider": refused, "other_coordinator": refused,
                                          "admin": 403}, {"title": "Gekaapt", "context": "x"}),
        ("POST", f"/cases/{pub}/edit", {"anonymous": 302, "outsider": refused, "member": 403,
                                        "other_coordinator": refused}, {"title": "Gekaapt", "context": "x"}),
        ("POST", f"/cases/{draft}/edit", {"outsider": 404, "member": 404, "coordinator": 404, "admin": 404},
         {"title": "Gekaapt", "context": "x"}),
        ("POST", f"/cases/{draft}/publish", {"anonymous": 302, "outsider": 404, "member": 404, "coordinator": 404,
                                             "other_coordinator": 404, "admin": 404}),
        ("POST", f"/cases/{pub}/publish", {"outsider": refused, "member": 403, "coordinator": 403, "admin": 403}),
        ("POST", f"/cases/{draft}/delete", {"anonymous": 302, "outsider": 404, "member": 404, "coordinator": 404,
                                            "admin": 404}),
        # Published cases stay, for their author too.
        ("POST", f"/cases/{pub}/delete", {"outsider": refused, "member": 403, "author": 403, "coordinator": 403,
                                          "admin": 403}),
        ("POST", f"/attachments/{place['published_file'].id}/remove", {"anonymous": 302, "outsider": refused,
                                                                   "member": 403, "other_coordinator": refused}),
        ("POST", f"/attachments/{place['draft_file'].id}/remove", {"member": 404, "coordinator": 404, "admin": 404}),
    ])
    expected_upload = {"anonymous": 302, "outsider": refused, "member": 403, "other_coordinator": refused}
    for role, expected in expected_upload.items():
        upload = {"file": (io.BytesIO(png()), "x.png")}
        got = world.clients[role].submit(f"/cases/{pub}/attachments", upload,
                                            content_type="multipart/form-data").status_code
        assert got == expected, (role, got)
    for role in ("member", "coordinator", "admin"):
        upload = {"file": (io.BytesIO(png()), "x.png")}
        assert world.clients[role].submit(f"/cases/{draft}/attachments", upload,
                                             content_type="multipart/form-data").status_code == 404
    # Nothing changed.
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(Case.id)).where(Case.title == "Gekaapt")) == 0
    assert db.session.get(Case, draft).status == "draft"
    assert db.session.scalar(sa.select(sa.func.count(Attachment.id))) == 4
    assert db.session.scalar(sa.select(sa.func.count(Case.id))) == 4


@pytest.mark.parametrize("which", ["public", "private"])
def test_allowed_writes(world, which):
    place, clients = world.cases[which], world.clients
    pub, draft_id = place["published"], place["draft"].id
    # A coordinator edits someone else's published case: with a note, organisation kept.
    edit = clients["coordinator"].get(f"/cases/{pub.id}/edit").get_data(as_text=True)
    assert 'name="edit_note"' in edit
    assert 'name="edit_note"' not in clients["author"].get(f"/cases/{pub.id}/edit").get_data(as_text=True)
    data = {"title": "Beter verwoord", "context": "Nieuwe context", "level": "hbo", "edit_note": "typfout"}
    assert clients["coordinator"].submit(f"/cases/{pub.id}/edit", data).status_code == 302
    page = clients["member"].get(f"/cases/{pub.id}").get_data(as_text=True)
    assert "Beter verwoord" in page and "typfout" in page and "edited" in page
    assert db.session.scalar(sa.select(sa.func.count(Revision.id)).where(Revision.target == "case")) == 1
    # The author removes a file of the published case and deletes the draft.
    path = attachment_actions.path_of(place["published_file"])
    assert clients["author"].submit(f"/attachments/{place['published_file'].id}/remove").status_code == 302
    draft_path = attachment_actions.path_of(place["draft_file"])
    assert clients["author"].submit(f"/cases/{draft_id}/delete").status_code == 302
    assert db.session.get(Case, draft_id) is None
    assert db.session.scalar(sa.select(sa.func.count(Attachment.id))) == 2  # the other community's two
    import os
    assert not os.path.exists(path) and not os.path.exists(draft_path)


def test_coordinator_edit_needs_a_note_and_keeps_the_authors_organisation(world, factories):
    place, clients, author = world.cases["public"], world.clients, world.users["author"]
    org = factories.organisation(name="Twentse Onderhoudstechniek")
    factories.member(org, author)
    case = _case(author, place["community"], "Met organisatie", organisation_id=org.id)
    form = clients["coordinator"].get(f"/cases/{case.id}/edit").get_data(as_text=True)
    assert f'<option selected value="{org.id}">Twentse Onderhoudstechniek</option>' in form  # the author's
    data = {"title": "Met organisatie", "context": "Aangepast door coördinator", "organisation_id": str(org.id)}
    response = clients["coordinator"].submit(f"/cases/{case.id}/edit", data)
    assert response.status_code == 400
    assert "Aangepast door coördinator" in response.get_data(as_text=True)
    data["edit_note"] = "aangevuld"
    assert clients["coordinator"].submit(f"/cases/{case.id}/edit", data).status_code == 302
    db.session.expire_all()
    case = db.session.get(Case, case.id)
    assert case.organisation_id == org.id and case.context == "Aangepast door coördinator"
    # But nobody picks an organisation they do not belong to.
    other = factories.organisation(name="Ander Bedrijf")
    data.update(organisation_id=str(other.id))
    assert clients["coordinator"].submit(f"/cases/{case.id}/edit", data).status_code == 400
    assert db.session.get(Case, case.id).organisation_id == org.id


def test_list_shows_published_cases_and_only_my_drafts(world):
    place, clients = world.cases["public"], world.clients
    slug = place["community"].slug
    mine = clients["author"].get(f"/c/{slug}/cases").get_data(as_text=True)
    assert "Gepubliceerd public" in mine and "Concept public" in mine and "Draft" in mine
    theirs = clients["member"].get(f"/c/{slug}/cases").get_data(as_text=True)
    assert "Gepubliceerd public" in theirs and "Concept public" not in theirs
    admin = clients["admin"].get(f"/c/{slug}/cases").get_data(as_text=True)
    assert "Concept public" not in admin
    assert f'href="/cases/{place["published"].id}"' in theirs
    assert f'href="/c/{slug}/cases?tag=cnc"' in theirs  # tags are filter links
    assert f'href="/c/{slug}/cases/new"' in theirs  # members may share
    assert f'href="/c/{slug}/cases/new"' not in clients["outsider"].get(f"/c/{slug}/cases").get_data(as_text=True)
    # The community's tab bar leads here.
    home = clients["member"].get(f"/c/{slug}/").get_data(as_text=True)
    assert f'href="/c/{slug}/cases"' in home


def test_empty_states(factories, make_client):
    admin = factories.admin(language="en")
    coordinator = factories.user(language="en")
    community = community_actions.create_community(admin, name="Lege kring", coordinator=coordinator)
    client = make_client(coordinator)
    html = client.get(f"/c/{community.slug}/cases").get_data(as_text=True)
    assert "No practice cases here yet." in html and f'href="/c/{community.slug}/cases/new"' in html
    html = client.get(f"/c/{community.slug}/cases?tag=niets").get_data(as_text=True)
    assert "No cases match these filters." in html and "Clear filters" in html


@pytest.fixture
def catalogue(factories, make_client):
    """Four published cases that differ in tag, domain, level and organisation."""
    admin = factories.admin(language="en")
    author = factories.user(name="Schrijver", language="en")
    community = community_actions.create_community(admin, name="Filterkring", coordinator=author)
    acme, bolt = factories.organisation(name="Acme Metaal"), factories.organisation(name="Bolt Installatie")
    factories.member(acme, author)
    factories.member(bolt, author)
    _case(author, community, "Lasrobot", tags="lassen, robot", domain="Lastechniek", level="mbo",
          organisation_id=acme.id)
    _case(author, community, "Warmtepomp", tags="warmte", domain="Installatietechniek", level="hbo",
          organisation_id=bolt.id)
    _case(author, community, "Cobot", tags="robot", domain="Mechatronica", level="both")
    _case(author, community, "Stageverslag", tags="stage", domain="Lastechniek", level="na")
    _case(author, community, "Eigen concept", publish=False, tags="robot", domain="Lastechniek")
    reader = factories.user(language="en")
    community_actions.join(reader, community)
    return dict(community=community, acme=acme, bolt=bolt, client=make_client(reader))


ALL = {"Lasrobot", "Warmtepomp", "Cobot", "Stageverslag"}


def _titles(client, url):
    response = client.get(url)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    return {title for title in ALL | {"Eigen concept"} if f">{title}</a>" in html}


@pytest.mark.parametrize("query,expected", [
    ("", ALL),
    ("tag=robot", {"Lasrobot", "Cobot"}),
    ("tag=ROBOT", {"Lasrobot", "Cobot"}),
    ("tag=warmte", {"Warmtepomp"}),
    ("domain=Lastechniek", {"Lasrobot", "Stageverslag"}),
    ("level=mbo", {"Lasrobot"}),
    ("level=both", {"Cobot"}),
    ("tag=robot&domain=Lastechniek", {"Lasrobot"}),
    ("tag=robot&level=hbo", set()),
    ("tag=bestaat-niet", set()),
    ("domain=Onbekend", set()),
    # Values that cannot match anything are dropped, never an error.
    ("level=phd", ALL),
    ("organisation=abc", ALL),
    ("organisation=99999999999999999999999", ALL),
    ("organisation=-1", ALL),
    ("tag=%3Cscript%3E&domain=" + "x" * 500, set()),
    ("page=abc", ALL),
    ("page=999", set()),
])
def test_filters(catalogue, query, expected):
    slug = catalogue["community"].slug
    assert _titles(catalogue["client"], f"/c/{slug}/cases?{query}") == expected


def test_nul_characters_in_filters_are_a_bad_request(catalogue):
    slug = catalogue["community"].slug
    response = catalogue["client"].get(f"/c/{slug}/cases?tag=%00&domain=%00&level=%00&organisation=%00")
    assert response.status_code == 400


def test_organisation_filter_and_filter_options(catalogue):
    slug, client = catalogue["community"].slug, catalogue["client"]
    assert _titles(client, f"/c/{slug}/cases?organisation={catalogue['acme'].id}") == {"Lasrobot"}
    assert _titles(client, f"/c/{slug}/cases?organisation={catalogue['bolt'].id}") == {"Warmtepomp"}
    assert _titles(client, f"/c/{slug}/cases?organisation=999999") == set()
    html = client.get(f"/c/{slug}/cases").get_data(as_text=True)
    for option in ('<option value="robot"', '<option value="Lastechniek"', '<option value="mbo"',
                   f'<option value="{catalogue["acme"].id}"', "Acme Metaal"):
        assert option in html
    assert '<option value="lassen"' in html
    # A selected filter stays selected, and the pager and card links keep the filters.
    html = client.get(f"/c/{slug}/cases?domain=Lastechniek").get_data(as_text=True)
    assert '<option value="Lastechniek" selected>' in html
    assert f'href="/c/{slug}/cases"' in html  # clear filters


def test_draft_then_publish_makes_discussion_and_feed_entry(world):
    place, clients = world.cases["public"], world.clients
    slug, author = place["community"].slug, clients["author"]
    data = {"title": "Trillingen meten", "context": "Bij **Acme** trilde de spindel.", "question": "Waarom?",
            "domain": "Onderhoud", "level": "mbo", "tags": "Trillingen, sensoren"}
    response = author.submit(f"/c/{slug}/cases/new", data)
    assert response.status_code == 302
    case = db.session.scalar(sa.select(Case).where(Case.title == "Trillingen meten"))
    assert response.headers["Location"].endswith(f"/cases/{case.id}")
    assert case.status == "draft" and case.tag_names == ["sensoren", "trillingen"] and case.discussion is None
    page = author.get(f"/cases/{case.id}").get_data(as_text=True)
    assert f'action="/cases/{case.id}/publish"' in page and "<strong>Acme</strong>" in page
    assert "Discuss this case" not in page
    assert clients["member"].get(f"/cases/{case.id}").status_code == 404
    assert author.submit(f"/cases/{case.id}/publish").status_code == 302
    assert author.submit(f"/cases/{case.id}/publish").status_code == 302  # twice: nothing more happens
    db.session.expire_all()
    case = db.session.get(Case, case.id)
    discussion = db.session.scalar(sa.select(Discussion).where(Discussion.case_id == case.id))
    assert case.is_published and discussion is not None and discussion.title == "Trillingen meten"
    entries = db.session.scalars(sa.select(FeedEntry).where(FeedEntry.kind == "case_published",
                                                            FeedEntry.object_id == case.id)).all()
    assert len(entries) == 1
    page = clients["member"].get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Discuss this case" in page and f'href="/d/{discussion.id}"' in page
    assert f'action="/cases/{case.id}/publish"' not in page
    home = clients["member"].get(f"/c/{slug}/").get_data(as_text=True)
    assert "feed-case_published" in home and "Trillingen meten" in home


def test_publish_from_the_form_and_empty_case_cannot_be_published(world):
    place, author = world.cases["public"], world.clients["author"]
    slug = place["community"].slug
    before = db.session.scalar(sa.select(sa.func.count(Case.id)))
    response = author.submit(f"/c/{slug}/cases/new", {"title": "Nog leeg", "tags": "x", "publish": "1"})
    assert response.status_code == 400
    assert "Nog leeg" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Case.id))) == before  # no stray draft
    response = author.submit(f"/c/{slug}/cases/new", {"title": "Meteen live", "approach": "Zo.", "publish": "1"})
    assert response.status_code == 302
    case = db.session.scalar(sa.select(Case).where(Case.title == "Meteen live"))
    assert case.is_published and case.discussion is not None
    # A draft published from its edit form.
    draft = place["draft"]
    response = author.submit(f"/cases/{draft.id}/edit", {"title": "Concept af", "lessons": "Geleerd.",
                                                         "publish": "1"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Case, draft.id).is_published


def test_publishing_an_emptied_draft_says_why(world):
    place, author = world.cases["public"], world.clients["author"]
    draft = place["draft"]
    assert author.submit(f"/cases/{draft.id}/edit", {"title": "Leeg", "context": ""}).status_code == 302
    response = author.submit(f"/cases/{draft.id}/publish")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/cases/{draft.id}/edit")
    page = author.get(response.headers["Location"]).get_data(as_text=True)
    assert "Fill in at least one section before you publish." in page
    assert db.session.get(Case, draft.id).status == "draft"


SECTION_TEXT = {"context": "Context-tekst 🏭", "question": "Vraag-tekst", "approach": "Aanpak-tekst",
                "result": "Resultaat-tekst", "lessons": "Lessen-tekst"}


@pytest.mark.parametrize("change,shown", [
    ({"title": "T" * 201}, "T" * 201),
    ({"context": "y" * 20_001}, "y" * 20_001),
    ({"context": "a" * 19_000, "question": "b" * 19_000, "approach": "c" * 13_000}, "c" * 13_000),
    ({"tags": ",".join(f"tag{n}" for n in range(11))}, "tag10"),
    ({"tags": "goed, <script>"}, "goed, &lt;script&gt;"),
    ({"level": "phd"}, None),
    ({"organisation_id": "12abc"}, None),
    ({"title": "   "}, None),
])
def test_form_keeps_every_section_on_error(world, change, shown):
    place, author = world.cases["public"], world.clients["author"]
    data = dict(SECTION_TEXT, title="Mijn casus", domain="Onderhoud", tags="sensoren", level="hbo")
    data.update(change)
    before = db.session.scalar(sa.select(sa.func.count(Case.id)))
    for url in (f"/c/{place['community'].slug}/cases/new", f"/cases/{place['draft'].id}/edit"):
        response = author.submit(url, data)
        assert response.status_code == 400, url
        html = response.get_data(as_text=True)
        assert 'class="error"' in html or 'class="form-errors"' in html
        for name, text in SECTION_TEXT.items():
            if name not in change:
                assert text in html, (url, name)
        if shown:
            assert shown in html
        if "domain" not in change:
            assert 'value="Onderhoud"' in html
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(Case.id))) == before
    assert db.session.get(Case, place["draft"].id).title == "Concept public"


def test_form_page_has_the_structured_fields(world):
    place, author = world.cases["public"], world.clients["author"]
    html = author.get(f"/c/{place['community'].slug}/cases/new").get_data(as_text=True)
    assert f'data-draft="case-new-{place["community"].id}"' in html and "novalidate" in html
    for name in ("title", "context", "question", "approach", "result", "lessons", "domain", "level",
                 "organisation_id", "tags"):
        assert f'name="{name}"' in html, name
    assert html.count("data-composer") >= 5 and 'maxlength="20000"' in html
    assert 'name="publish" value="1"' in html
    assert 'name="edit_note"' not in html
    edit = author.get(f"/cases/{place['draft'].id}/edit").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in edit
    assert 'accept="image/png,image/jpeg,image/webp,application/pdf"' in edit
    assert 'name="publish" value="1"' in edit and "data-confirm" in edit
    assert 'value="cnc"' in author.get(f"/cases/{place['published'].id}/edit").get_data(as_text=True)
    # Tags joined for editing.
    case = _case(world.users["author"], place["community"], "Tags", tags="b, a, c")
    assert 'value="a, b, c"' in author.get(f"/cases/{case.id}/edit").get_data(as_text=True)


def _composers(html):
    """The composers of a page: for each, its toolbar's aria-controls and its textareas' names."""
    found = []
    for chunk in re.split(r'<div class="composer[^"]*" data-composer[ >]', html)[1:]:
        chunk = chunk.split('data-composer-preview', 1)[0]
        found.append((re.search(r'role="toolbar"[^>]*aria-controls="([^"]*)"', chunk).group(1),
                      re.findall(r'<textarea[^>]* name="(\w+)"', chunk)))
    return found


def test_the_form_is_one_composer_with_the_sections_as_steps(world):
    """Item 7 of issue 18: one composer (one toolbar, one preview) holds the five sections as
    numbered, headed steps; each stays its own field, so drafts, errors and the API are as before."""
    place, author = world.cases["public"], world.clients["author"]
    sections = ["context", "question", "approach", "result", "lessons"]
    html = author.get(f"/c/{place['community'].slug}/cases/new").get_data(as_text=True)
    assert _composers(html) == [(" ".join(sections), sections)]
    assert html.count('role="toolbar"') == 1 and html.count("data-composer-image ") == 1
    assert html.count("<li class=\"composer-part\" data-composer-part") == 5
    assert '<label for="approach">Approach</label>' in html
    assert 'data-heading="Result and learning outcome"' in html

    # Written and saved through the one composer: every section lands in its own column.
    data = dict(SECTION_TEXT, title="Eén verhaal")
    response = author.submit(f"/c/{place['community'].slug}/cases/new", data)
    assert response.status_code == 302
    case = db.session.scalar(sa.select(Case).where(Case.title == "Eén verhaal"))
    assert {name: getattr(case, name) for name in sections} == SECTION_TEXT

    # Editing shows each section in its step, and a refused change keeps all of them there, with
    # the reason under the section it is about.
    edit = author.get(f"/cases/{case.id}/edit").get_data(as_text=True)
    assert _composers(edit) == [(" ".join(sections), sections)]
    for name, text in SECTION_TEXT.items():
        assert re.search(rf'<textarea[^>]* name="{name}"[^>]*>\s*{re.escape(text)}</textarea>', edit), name
    response = author.submit(f"/cases/{case.id}/edit", dict(data, approach="z" * 20_001))
    assert response.status_code == 400
    refused = response.get_data(as_text=True)
    assert _composers(refused) == [(" ".join(sections), sections)]
    assert re.search(r'<textarea[^>]*aria-describedby="approach-help approach-error"[^>]*aria-invalid="true"'
                     r'[^>]* name="approach"', refused)
    assert 'id="approach-error"' in refused and "z" * 20_001 in refused
    for name in ("context", "question", "result", "lessons"):
        assert SECTION_TEXT[name] in refused
    response = author.submit(f"/cases/{case.id}/edit", dict(data, question="Nieuwe vraag"))
    assert response.status_code == 302
    db.session.expire_all()
    case = db.session.get(Case, case.id)
    assert case.question == "Nieuwe vraag" and case.lessons == SECTION_TEXT["lessons"]


def test_case_page_shows_sections_metadata_and_attachments(world):
    place, author = world.cases["public"], world.users["author"]
    case = _case(author, place["community"], "Volledig", context="Situatie", question="", approach="Stappen",
                 result="Uitkomst", lessons="Les", domain="Mechatronica", level="both", tags="plc, cobot")
    image = _attach(author, case, "schets.png", png(40, 30))
    pdf = attachment_actions.add_attachment(author, case, "rapport.pdf", io.BytesIO(b"%PDF-1.4\n1 0 obj\n%%EOF\n"))
    html = world.clients["member"].get(f"/cases/{case.id}").get_data(as_text=True)
    for heading in ("Context and situation", "Approach", "Result and learning outcome",
                    "Lessons learned and reflection"):
        assert heading in html
    assert "Question or challenge" not in html  # empty sections are left out
    assert "Mechatronica" in html and "mbo and hbo" in html and "Auteur" in html
    assert f'href="/c/{place["community"].slug}/cases?tag=plc"' in html
    assert f'<img src="/attachments/{image.id}/schets.png" alt="schets.png" width="40" height="30"' in html
    assert f'href="/attachments/{pdf.id}/rapport.pdf"' in html
    assert f'href="/cases/{case.id}/edit"' not in html  # members do not edit others' cases
    coordinator = world.clients["coordinator"].get(f"/cases/{case.id}").get_data(as_text=True)
    assert f'href="/cases/{case.id}/edit"' in coordinator


def test_archived_community_cases_are_read_only(world):
    place, clients = world.cases["public"], world.clients
    community_actions.set_archived(world.users["admin"], place["community"], True)
    slug, pub = place["community"].slug, place["published"].id
    assert_matrix(clients, [
        ("GET", f"/c/{slug}/cases", {"member": 200, "author": 200}),
        ("GET", f"/cases/{pub}", {"member": 200, "author": 200}),
        ("GET", f"/c/{slug}/cases/new", {"author": 403, "coordinator": 403}),
        ("GET", f"/cases/{pub}/edit", {"author": 403, "coordinator": 403}),
        ("POST", f"/cases/{place['draft'].id}/publish", {"author": 403}),
    ])


def test_too_large_form_post_gets_a_friendly_page(world):
    place, author = world.cases["public"], world.clients["author"]
    huge = {"title": "x", "context": "x" * (13 * 1024 * 1024)}
    response = author.submit(f"/c/{place['community'].slug}/cases/new", huge)
    assert response.status_code == 413
    html = response.get_data(as_text=True)
    assert "20,000 characters" in html and f'href="/c/{place["community"].slug}/cases"' in html


def test_case_list_query_count_is_constant(factories, make_client, count_queries):
    admin = factories.admin()
    viewer = factories.user()
    community = community_actions.create_community(admin, name="Drukke kring", coordinator=viewer)
    orgs = [factories.organisation() for _ in range(3)]
    authors = []
    for org in orgs:
        who = factories.member(org)
        community_actions.join(who, community)
        authors.append((who, org))
    client = make_client(viewer)

    def add(n):
        for i in range(n):
            who, org = authors[i % 3]
            _case(who, community, f"Casus {i}", tags=f"tag{i % 7}, thema{i % 4}", domain=f"Domein {i % 5}",
                  level=("mbo", "hbo", "both", "na")[i % 4], organisation_id=org.id if i % 2 else None,
                  publish=i % 10 != 0)
        _case(viewer, community, f"Mijn concept {n}", publish=False, tags="eigen")

    def measure(url):
        with count_queries() as counter:
            assert client.get(url).status_code == 200
        return counter.count

    add(5)
    urls = [f"/c/{community.slug}/cases", f"/c/{community.slug}/cases?tag=tag1&level=hbo"]
    few = [measure(url) for url in urls]
    add(195)
    assert [measure(url) for url in urls] == few


def test_case_page_query_count_is_constant(world, count_queries):
    place, author, client = world.cases["public"], world.users["author"], world.clients["member"]
    small = _case(author, place["community"], "Klein", tags="een")
    _attach(author, small)
    big = _case(author, place["community"], "Groot", tags=",".join(f"t{n}" for n in range(10)))
    for n in range(14):
        _attach(author, big, f"foto{n}.png")
    attachment_actions.add_attachment(author, big, "verslag.pdf", io.BytesIO(b"%PDF-1.4\n%%EOF\n"))

    def measure(case):
        with count_queries() as counter:
            assert client.get(f"/cases/{case.id}").status_code == 200
        return counter.count

    assert measure(small) == measure(big)
    edit = world.clients["author"]

    def measure_edit(case):
        with count_queries() as counter:
            assert edit.get(f"/cases/{case.id}/edit").status_code == 200
        return counter.count

    assert measure_edit(small) == measure_edit(big)


def test_expired_session_token_keeps_what_was_typed(world):
    place, author = world.cases["public"], world.clients["author"]
    data = dict(SECTION_TEXT, title="Mijn casus", csrf_token="verlopen")
    for url in (f"/c/{place['community'].slug}/cases/new", f"/cases/{place['draft'].id}/edit"):
        response = author.post(url, data=data)
        assert response.status_code == 400
        html = response.get_data(as_text=True)
        assert "Your session expired" in html
        assert all(text in html for text in SECTION_TEXT.values()) and 'value="Mijn casus"' in html
    assert db.session.get(Case, place["draft"].id).title == "Concept public"


def test_organisation_filters_beyond_any_table_show_the_list(factories, make_client):
    admin = factories.admin()
    community = community_actions.create_community(admin, name="Grote getallen")
    client = make_client(admin)
    huge = "9" * 5000  # int() refuses strings this long
    assert client.get(f"/c/{community.slug}/cases?organisation={huge}").status_code == 200
    assert client.get(f"/c/{community.slug}/cases?organisation=%C2%B2").status_code == 200
