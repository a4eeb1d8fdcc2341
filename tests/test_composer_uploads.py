"""Images pasted or dropped into a composer: POST /api/v1/uploads stores them at once (before the
text is saved); they are their uploader's alone until a saved text shows them, then they belong
to that case, discussion or trajectory and whoever may read that may see them."""
import io
import os

import pytest
import sqlalchemy as sa
from PIL import Image
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from community.actions import ActionError
from community.actions import attachments as actions
from community.actions import cases as case_actions
from community.actions import discussions as discussion_actions
from community.actions import trajectories as trajectory_actions
from community.extensions import db
from community.models import Attachment
from tests.helpers import assert_error
from tests.test_attachments import PDF, image_bytes, jpeg_with_metadata


@pytest.fixture
def place(factories, make_client):
    public = factories.community(name="Open kring")
    private = factories.community(name="Besloten kring", visibility="private", join_policy="invite")
    author = factories.community_member(public).user
    factories.community_member(private, author)
    reader = factories.community_member(public).user
    outsider = factories.user(name="Buiten")
    client = make_client(author)
    return dict(public=public, private=private, author=author, reader=reader, outsider=outsider, client=client,
                make_client=make_client)


def post_image(client, data, name="foto.png", csrf=True):
    boundary, body = encode_multipart(MultiDict({"file": FileStorage(io.BytesIO(data), filename=name)}))
    headers = {"X-CSRFToken": client.csrf_token("/dashboard")} if csrf else {}
    return client.post("/api/v1/uploads", data=body, headers=headers,
                       content_type=f"multipart/form-data; boundary={boundary}")


def stored(attachment_id):
    db.session.expire_all()
    return db.session.get(Attachment, attachment_id)


def test_upload_answers_the_markdown_and_only_the_uploader_sees_it(place):
    response = post_image(place["client"], image_bytes("PNG"), name="Lasnaad (links).png")
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert body["markdown"] == f"![Lasnaad (links)]({body['url']})"
    assert body["url"] == f"/attachments/{body['id']}/Lasnaad-links.png"
    assert (body["content_type"], body["width"], body["height"]) == ("image/png", 40, 20)
    row = stored(body["id"])
    assert (row.case_id, row.discussion_id, row.trajectory_id, row.uploader_id) == (None, None, None,
                                                                                    place["author"].id)
    assert place["client"].get(body["url"]).status_code == 200
    for other in (place["reader"], place["outsider"]):
        assert place["make_client"](other).get(body["url"]).status_code == 404


def test_upload_is_re_encoded_without_metadata(place):
    body = post_image(place["client"], jpeg_with_metadata(), name="foto.jpg").get_json()
    with open(actions.path_of(stored(body["id"])), "rb") as handle:
        data = handle.read()
    assert b"MARKER" not in data
    with Image.open(io.BytesIO(data)) as image:
        assert image.size == (20, 40)  # the EXIF rotation applied
        assert not image.getexif()


@pytest.mark.parametrize("data,name,status,code", [
    (PDF, "stuk.pdf", 415, "unsupported_type"),
    (b"GIF89a" + b"\x00" * 40, "bewegend.gif", 415, "unsupported_type"),
    (b"<svg onload=alert(1)>", "plaatje.png", 415, "unsupported_type"),
    (b"", "leeg.png", 422, "invalid"),
])
def test_refused_uploads_answer_json_and_store_nothing(place, data, name, status, code):
    assert_error(post_image(place["client"], data, name=name), status, code)
    assert db.session.scalar(sa.select(sa.func.count(Attachment.id))) == 0


def test_too_large_is_413(place, monkeypatch):
    monkeypatch.setattr(actions, "MAX_BYTES", 100)
    assert_error(post_image(place["client"], image_bytes("PNG", size=(200, 200))), 413, "too_large")


def test_upload_needs_login_and_the_csrf_header(place, make_client):
    assert_error(post_image(make_client(), image_bytes(), csrf=False), 401)
    assert_error(post_image(place["client"], image_bytes(), csrf=False), 400, "csrf_failed")
    assert db.session.scalar(sa.select(sa.func.count(Attachment.id))) == 0


def test_unclaimed_uploads_are_limited(place, monkeypatch):
    monkeypatch.setattr(actions, "MAX_UNCLAIMED", 1)
    assert post_image(place["client"], image_bytes()).status_code == 201
    assert_error(post_image(place["client"], image_bytes()), 429, "too_many")


def test_a_saved_case_draft_claims_its_images(place, factories):
    image = actions.add_upload(place["author"], "foto.png", io.BytesIO(image_bytes()))
    case = factories.case(place["private"], place["author"], publish=False,
                          context=f"Kijk:\n\n![foto](/attachments/{image.id}/foto.png)")
    assert stored(image.id).case_id == case.id
    assert case.attachments == [stored(image.id)]
    # A draft is its author's alone, its images too; published, members see them.
    member = factories.community_member(place["private"]).user
    url = f"/attachments/{image.id}/foto.png"
    assert place["make_client"](member).get(url).status_code == 404
    case_actions.publish_case(place["author"], case)
    assert place["make_client"](member).get(url).status_code == 200
    assert place["make_client"](place["outsider"]).get(url).status_code == 404


def test_a_reply_claims_its_images_for_the_discussion(place, factories):
    discussion = factories.discussion(place["private"])
    image = actions.add_upload(place["author"], "foto.png", io.BytesIO(image_bytes()))
    factories.reply(discussion, place["author"], body=f"Zo: ![foto](/attachments/{image.id}/foto.png)")
    assert stored(image.id).discussion_id == discussion.id
    url = f"/attachments/{image.id}/foto.png"
    member = factories.community_member(place["private"]).user
    assert place["make_client"](member).get(url).status_code == 200
    assert place["make_client"](place["reader"]).get(url).status_code == 404  # not in the private one


def test_someone_elses_upload_cannot_be_claimed(place, factories):
    """Linking another person's unsaved image does not make it yours or anybody's."""
    image = actions.add_upload(place["reader"], "foto.png", io.BytesIO(image_bytes()))
    factories.discussion(place["public"], place["author"], body=f"![x](/attachments/{image.id}/foto.png)")
    assert stored(image.id).discussion_id is None
    assert place["client"].get(f"/attachments/{image.id}/foto.png").status_code == 404


def test_a_claimed_image_stays_with_its_first_text(place, factories):
    image = actions.add_upload(place["author"], "foto.png", io.BytesIO(image_bytes()))
    first = factories.discussion(place["private"], place["author"], body=f"![x](/attachments/{image.id})")
    factories.discussion(place["public"], place["author"], body=f"![x](/attachments/{image.id})")
    assert stored(image.id).discussion_id == first.id


def test_trajectory_texts_claim_their_images(place, factories):
    image = actions.add_upload(place["author"], "foto.png", io.BytesIO(image_bytes()))
    company, manager = factories.company_with_manager()
    factories.community_member(place["public"], manager)
    other = actions.add_upload(manager, "doel.png", io.BytesIO(image_bytes()))
    trajectory = factories.trajectory(place["public"], owner=manager, company=company,
                                      goal=f"![doel](/attachments/{other.id}/doel.png)")
    assert stored(other.id).trajectory_id == trajectory.id
    milestone_image = actions.add_upload(manager, "stap.png", io.BytesIO(image_bytes()))
    trajectory_actions.add_milestone(manager, trajectory, title="Stap",
                                     description=f"![stap](/attachments/{milestone_image.id}/stap.png)")
    assert stored(milestone_image.id).trajectory_id == trajectory.id
    assert stored(image.id).trajectory_id is None


def test_pdf_cannot_be_added_from_a_composer(place):
    before = set(os.listdir(actions.upload_folder()))
    with pytest.raises(ActionError):
        actions.add_upload(place["author"], "stuk.pdf", io.BytesIO(PDF))
    assert set(os.listdir(actions.upload_folder())) == before


def test_texts_without_an_image_cost_no_query(place, count_queries):
    with count_queries() as counted:
        actions.claim_uploads(place["author"], "geen plaatje", "ook niet", discussion_id=1)
    assert counted.count == 0


def test_removing_via_the_case_page_refuses_an_unclaimed_upload(place):
    image = actions.add_upload(place["author"], "foto.png", io.BytesIO(image_bytes()))
    client = place["client"]
    response = client.post(f"/attachments/{image.id}/remove", data={"csrf_token": client.csrf_token("/dashboard")})
    assert response.status_code == 404
    assert stored(image.id) is not None


def test_discussion_start_rule(place):
    """Starting a discussion with an uploaded image works through the page as well."""
    image = actions.add_upload(place["author"], "foto.png", io.BytesIO(image_bytes()))
    discussion = discussion_actions.start_discussion(place["author"], place["public"], "Met foto",
                                                     f"![foto](/attachments/{image.id}/foto.png)")
    assert stored(image.id).discussion_id == discussion.id
    assert f'src="/attachments/{image.id}/foto.png"' in discussion.body_html


def test_unclaimed_uploads_are_pruned_after_a_month_by_a_nightly_job(place):
    from datetime import datetime, timedelta

    from community import jobs
    from community.jobs.files import prune_unclaimed_uploads
    from community.models import utcnow

    old = actions.add_upload(place["author"], "oud.png", io.BytesIO(image_bytes()))
    recent = actions.add_upload(place["author"], "nieuw.png", io.BytesIO(image_bytes()))
    claimed = actions.add_upload(place["author"], "in-tekst.png", io.BytesIO(image_bytes()))
    discussion_actions.start_discussion(place["author"], place["public"], "Met foto",
                                        f"![x](/attachments/{claimed.id})")
    db.session.execute(sa.update(Attachment).where(Attachment.id.in_([old.id, claimed.id]))
                       .values(created_at=utcnow() - timedelta(days=actions.UNCLAIMED_DAYS + 1)))
    db.session.commit()
    old_path, old_id = actions.path_of(old), old.id
    assert "prune_unclaimed_uploads" in [t.name for t in jobs.queue._registry.periodic_tasks]
    assert prune_unclaimed_uploads.s().validate_datetime(datetime(2026, 1, 5, 4, 41))
    prune_unclaimed_uploads.call_local()
    db.session.expire_all()
    assert stored(old_id) is None and not os.path.exists(old_path)
    assert stored(recent.id) is not None and stored(claimed.id) is not None
