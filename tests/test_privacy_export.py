"""Export of my data (issue 19): a ZIP with JSON and CSV per kind, built by a job, holding
exactly the user's own items (a canary written by someone else in the same places is absent),
downloadable by its owner only, for 7 days."""
import io
import json
import zipfile
from datetime import timedelta

import sqlalchemy as sa

from community import data_export
from community.actions import attachments, discussions, moderation, notifications, privacy, trajectories
from community.extensions import db
from community.models import DataExport, Mail, Notification, utcnow
from community.queries.privacy import KINDS
from tests import worlds
from tests.helpers import png

CANARY = "KANARIE"


def _everything(archive):
    return {name: archive.read(name).decode("utf-8", "replace") for name in archive.namelist()}


def _world(factories):
    """Alice in a private community and a confidential trajectory, with her own things; Bob,
    in the same places, writes canaries everywhere Alice has something."""
    world = worlds.private_circle()
    alice, bob, community = world.alice, world.bob, world.community
    bob.email = "kanarie-bob@example.com"
    db.session.commit()
    own = discussions.start_discussion(alice, community, "Alice vraagt iets", "Eigen tekst van Alice")
    discussions.edit_discussion(alice, own, "Alice vraagt iets", "Eigen tekst van Alice, verbeterd")
    theirs = discussions.start_discussion(bob, community, f"{CANARY} titel", f"{CANARY} tekst van Bob")
    reply = discussions.post_reply(alice, theirs, "Alice antwoordt, eerste versie")
    discussions.edit_reply(alice, reply, "Alice antwoordt, tweede versie")
    discussions.post_reply(bob, own, f"{CANARY} antwoord van Bob aan Alice")
    case = factories.case(community, alice, title="Alice haar casus", context="=SUM(A1:A3) staat in de context")
    attachments.add_attachment(alice, case, "foto van alice.png", io.BytesIO(png()))
    factories.case(community, bob, title=f"{CANARY} casus")
    company, manager = factories.company_with_manager(name="Metaal Alice")
    factories.community_member(community, manager)
    trajectory = factories.trajectory(community, manager, company, title="Vertrouwelijk traject",
                                      visibility="confidential", participants=[(alice, "employee"), (bob, "employee")])
    trajectories.add_entry_to_log(alice, trajectory, "Alice leerde lassen", "reflection", "immediate")
    trajectories.add_entry_to_log(bob, trajectory, f"{CANARY} logregel van Bob", "reflection", "immediate")
    moderation.report(alice, "discussion", theirs, "other", note="Alice meldt dit")
    moderation.report(bob, "discussion", own, "other", note=f"{CANARY} melding van Bob")
    notifications.set_follow_level(alice, "community", community, "following")
    factories.token(alice, name="Alice haar spreadsheet")
    factories.token(bob, name=f"{CANARY} token")
    return world


def _download(client):
    export = db.session.scalars(sa.select(DataExport).order_by(DataExport.id.desc())).first()
    response = client.get(f"/account/export/{export.id}")
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "application/zip"
    assert "attachment" in response.headers["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    response.close()
    return export, archive


def test_export_holds_exactly_my_own_items(app, factories, make_client):
    world = _world(factories)
    alice = world.alice
    client = make_client(alice)
    page = client.get("/account/privacy")
    assert page.status_code == 200 and "Mijn gegevens" in page.get_data(as_text=True)
    response = client.submit("/account/export")
    assert response.status_code == 302
    export, archive = _download(client)
    files = _everything(archive)
    assert {f"{kind}.{ext}" for kind in KINDS for ext in ("json", "csv")} <= set(files)
    everything = "\n".join(files.values())
    assert CANARY not in everything and CANARY.lower() not in everything.lower()
    assert "kanarie-bob@example.com" not in everything and world.admin.email not in everything
    data = {kind: json.loads(files[f"{kind}.json"]) for kind in KINDS}
    assert data["profile"][0]["email"] == alice.email
    # Her discussion, and her case's own discussion (started with the case, in her name).
    assert [(d["title"], d["case_id"]) for d in data["discussions"]] == [
        ("Alice vraagt iets", None), ("Alice haar casus", data["cases"][0]["id"])]
    assert data["discussions"][0]["revisions"][0]["body"] == "Eigen tekst van Alice"
    assert [r["body"] for r in data["replies"]] == ["Alice antwoordt, tweede versie"]
    assert data["replies"][0]["revisions"][0]["body"] == "Alice antwoordt, eerste versie"
    assert [c["title"] for c in data["cases"]] == ["Alice haar casus"]
    [attachment] = data["cases"][0]["attachments"]
    assert attachment.startswith("attachments/") and archive.read(attachment).startswith(b"\x89PNG")
    assert [t["title"] for t in data["trajectories"]] == ["Vertrouwelijk traject"]
    assert [e["body"] for e in data["log_entries"]] == ["Alice leerde lassen"]
    assert [r["note"] for r in data["reports"]] == ["Alice meldt dit"]
    assert [t["name"] for t in data["api_tokens"]] == ["Alice haar spreadsheet"]
    assert {"target": "community", "target_id": world.community.id, "level": "following"} in data["follows"]
    assert {m["name"] for m in data["memberships"]} == {"Kring"}
    assert all(n["kind"] for n in data["notifications"])
    # CSV: the same rows; a formula in the case's context is made harmless.
    assert "'=SUM(A1:A3) staat in de context" in files["cases.csv"]
    assert "=SUM" in files["cases.json"] and "'=SUM" not in files["cases.json"]
    # She was told: a notification that opens this page, and a mail (the outbox here).
    note = db.session.scalar(sa.select(Notification).where(Notification.user_id == alice.id,
                                                          Notification.kind == "export_ready"))
    assert note is not None and note.object_id == export.id
    listed = client.get("/notifications").get_data(as_text=True)
    assert "Je gegevens staan klaar om te downloaden." in listed
    caught_up = client.get(f"/api/v1/live/user/{alice.id}/events").get_json()["events"]
    assert caught_up[-1]["type"] == "notification" and caught_up[-1]["kind"] == "export_ready"
    opened = client.submit(f"/notifications/{note.id}/open")
    assert opened.status_code == 302 and opened.headers["Location"].endswith("/account/privacy")
    mail = db.session.scalar(sa.select(Mail).where(Mail.user_id == alice.id, Mail.kind == "export_ready"))
    assert mail is not None and mail.to_address == alice.email


def test_export_only_for_its_owner_and_only_for_seven_days(app, factories, make_client, api):
    world = worlds.private_circle()
    alice = make_client(world.alice)
    alice.submit("/account/export")
    export, _archive = _download(alice)
    for other in (world.bob, world.admin):
        assert make_client(other).get(f"/account/export/{export.id}").status_code == 404
        assert api(other).get(f"/api/v1/me/export/{export.id}").status_code == 404
    assert make_client().get(f"/account/export/{export.id}").status_code in (302, 401)
    assert alice.get("/account/export/999999").status_code == 404
    # The API: the owner lists it and downloads it.
    listed = api(world.alice).get("/api/v1/me/export").get_json()["items"]
    assert [item["id"] for item in listed] == [export.id]
    # Asking again within the hour gives the same export (no new job, no new file).
    again = alice.submit("/account/export", page="/account/privacy")
    assert again.status_code == 302 and db.session.scalar(sa.select(sa.func.count(DataExport.id))) == 1
    download = api(world.alice).get(listed[0]["download_url"])
    assert download.status_code == 200 and download.mimetype == "application/zip"
    download.close()
    # After 7 days: gone (410), also by the API; the nightly job removes the file and the row.
    export.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert alice.get(f"/account/export/{export.id}").status_code == 410
    assert api(world.alice).get(f"/api/v1/me/export/{export.id}").status_code == 410
    assert make_client(world.bob).get(f"/account/export/{export.id}").status_code == 404
    path = privacy.path_of(export)
    assert privacy.prune_exports() == 1
    assert db.session.get(DataExport, export.id) is None
    import os
    assert not os.path.exists(path)


def test_export_by_the_api_is_queued_and_built(app, factories, api):
    user = factories.user()
    response = api(user).post("/api/v1/me/export")
    assert response.status_code == 202
    body = response.get_json()
    assert body["status"] == "ready"  # the job ran after the commit (immediate in tests)
    spec = api(user).get("/api/v1/openapi.json").get_json()
    assert "/api/v1/me/export" in spec["paths"] and "/api/v1/me/export/{export_id}" in spec["paths"]


def test_csv_cells_that_a_spreadsheet_would_run_get_an_apostrophe():
    rows = [{"a": "=1+1", "b": "+31 6", "c": "-2", "d": "@SUM(A1)", "e": "\tx", "f": "\rx", "g": "gewoon",
             "h": None, "i": 5, "j": "a=b"}]
    text = data_export.csv_text(rows)
    line = text.splitlines()[1]
    assert line.split(",")[:4] == ["'=1+1", "'+31 6", "'-2", "'@SUM(A1)"]
    assert data_export.escape_cell("\tx") == "'\tx" and data_export.escape_cell("\rx") == "'\rx"
    assert data_export.escape_cell("gewoon") == "gewoon" and data_export.escape_cell(None) == ""
    assert data_export.escape_cell(5) == "5" and data_export.escape_cell("a=b") == "a=b"
