"""Profile photos: cropped square and re-encoded (no EXIF), size and type limits, who may see
them, replaced and removed files; initials on a colour as the default, beside names."""
import io
import os

import pytest
from PIL import Image
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from community.actions import ActionError
from community.actions import avatars
from community.extensions import db
from community.templating import initials
from tests.test_attachments import PDF, image_bytes, jpeg_with_metadata


def two_halves(size=(400, 200)):
    """Red on the left, blue on the right: a square crop around the middle keeps both."""
    image = Image.new("RGB", size, "red")
    image.paste(Image.new("RGB", (size[0] // 2, size[1]), "blue"), (size[0] // 2, 0))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def send(client, data, name="foto.png"):
    boundary, body = encode_multipart(MultiDict({
        "photo-csrf_token": client.csrf_token("/account/"),
        "photo-avatar": FileStorage(io.BytesIO(data), filename=name)}))
    return client.post("/account/avatar", data=body, content_type=f"multipart/form-data; boundary={boundary}")


@pytest.fixture
def person(factories, make_client):
    user = factories.user(name="Marieke de Vries", language="en")
    return user, make_client(user)


def test_square_crop_around_the_middle_without_metadata():
    data = avatars.square_jpeg(two_halves())
    with Image.open(io.BytesIO(data)) as image:
        assert (image.format, image.size) == ("JPEG", (avatars.SIZE, avatars.SIZE))
        assert not image.getexif() and "comment" not in image.info
        left, right = image.getpixel((20, 128)), image.getpixel((235, 128))
    assert left[0] > 200 and left[2] < 60 and right[2] > 200 and right[0] < 60


def test_phone_photo_loses_exif_and_gps_and_is_upright():
    data = avatars.square_jpeg(jpeg_with_metadata())
    assert b"MARKER" not in data
    with Image.open(io.BytesIO(data)) as image:
        assert not image.getexif()


def test_transparent_png_is_flattened_on_white():
    out = io.BytesIO()
    Image.new("RGBA", (50, 50), (0, 0, 0, 0)).save(out, "PNG")
    with Image.open(io.BytesIO(avatars.square_jpeg(out.getvalue()))) as image:
        assert min(image.getpixel((128, 128))) > 240


@pytest.mark.parametrize("data", [PDF, b"GIF89a" + b"\0" * 30, b"<svg/>", b"\x89PNG\r\n\x1a\n" + b"x" * 40])
def test_only_real_images(data):
    with pytest.raises(ActionError) as refused:
        avatars.square_jpeg(data)
    assert refused.value.field == "avatar"


def test_upload_replace_and_remove_through_the_profile_page(person, make_client, factories):
    user, client = person
    assert send(client, two_halves()).status_code == 302
    db.session.refresh(user)
    first = avatars.path_of(user)
    assert os.path.exists(first)
    url = f"/people/{user.id}/photo/{user.avatar_name}"
    html = client.get("/account/").get_data(as_text=True)
    assert f'src="{url}"' in html  # in the header and the photo section
    other = make_client(factories.user())
    response = other.get(url)
    assert response.status_code == 200 and response.mimetype == "image/jpeg"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert make_client().get(url).status_code == 302  # visitors: to the login page
    assert other.get(f"/people/{user.id}/photo/0000.jpg").status_code == 404

    assert send(client, image_bytes("JPEG")).status_code == 302
    db.session.refresh(user)
    assert not os.path.exists(first) and os.path.exists(avatars.path_of(user))
    assert other.get(url).status_code == 404  # the old address is gone with the old photo

    second = avatars.path_of(user)
    response = client.post("/account/avatar/remove", data={"csrf_token": client.csrf_token("/account/")})
    assert response.status_code == 302
    db.session.refresh(user)
    assert user.avatar_name is None and not os.path.exists(second)
    html = client.get("/account/").get_data(as_text=True)
    assert f'<span class="avatar small c{user.id % 12}" aria-hidden="true">MV</span>' in html


@pytest.mark.parametrize("data,name,message", [
    (PDF, "cv.pdf", "PNG, JPEG or WebP"),
    (b"", "leeg.png", "Choose a photo first."),
])
def test_refused_photos_say_why(person, data, name, message):
    user, client = person
    response = send(client, data, name)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    db.session.refresh(user)
    assert user.avatar_name is None


def test_photo_over_5_mb_is_refused(person, monkeypatch):
    monkeypatch.setattr(avatars, "MAX_BYTES", 1000)
    user, client = person
    noise = io.BytesIO()
    Image.frombytes("RGB", (100, 100), os.urandom(100 * 100 * 3)).save(noise, "PNG")
    response = send(client, noise.getvalue())
    assert response.status_code == 400 and "5 MB" in response.get_data(as_text=True)


def test_a_disabled_account_shows_no_photo(person, make_client, factories):
    user, client = person
    send(client, two_halves())
    db.session.refresh(user)
    url = f"/people/{user.id}/photo/{user.avatar_name}"
    user.active = False
    db.session.commit()
    assert make_client(factories.user()).get(url).status_code == 404


@pytest.mark.parametrize("name,expected", [
    ("Marieke de Vries", "MV"), ("Fenna", "F"), ("  jan   bakker ", "JB"), ("Émile Zola", "ÉZ"), ("", "?"),
    ("(HR) Anna", "A"),
])
def test_initials(name, expected):
    assert initials(name) == expected


def test_names_in_a_thread_have_faces(factories, make_client):
    community = factories.community()
    author = factories.community_member(community, factories.user(name="Sanne Visser")).user
    discussion = factories.discussion(community, author)
    factories.reply(discussion, author)
    html = make_client(author).get(f"/d/{discussion.id}").get_data(as_text=True)
    # the header, the discussion's author and the reply's author
    assert html.count(f'<span class="avatar small c{author.id % 12}" aria-hidden="true">SV</span>') == 3


def test_deleting_the_account_removes_the_photo(person, factories):
    from community.actions import account_deletion

    user = person[0]
    avatars.set_avatar(user, io.BytesIO(image_bytes("PNG")))
    path = avatars.path_of(user)
    assert path and os.path.exists(path)
    account_deletion.delete_account(factories.admin(), user)
    assert user.avatar_name is None and not os.path.exists(path)


def _face(user):
    """The initials avatar the macro draws for ``user`` (no photo)."""
    return f'<span class="avatar small c{user.id % 12}" aria-hidden="true">{initials(user.display_name)}</span>'


def test_names_in_lists_have_faces(factories, make_client):
    """The admin's user list, the case list, the learning log (page, timeline and the trajectory
    cards) and the community's activity feed show the person beside the name. The rows already
    carry their people (the page budgets in test_page_budgets.py pin the queries)."""
    from community.actions import trajectories

    community = factories.community()
    writer = factories.community_member(community, factories.user(name="Wouter Lasser")).user
    factories.case(community, writer, title="Cobot inwerken")
    company, owner = factories.company_with_manager()
    factories.community_member(community, owner)
    trajectory = factories.trajectory(community, owner, company, participants=[(writer, "employee")])
    trajectories.add_entry_to_log(writer, trajectory, "Ik leerde de cobot", "reflection", "applied")
    reader = factories.community_member(community, factories.user(name="Lotte Lezer")).user
    client = make_client(reader)

    cases = client.get(f"/c/{community.slug}/cases").get_data(as_text=True)
    assert f'<span class="with-avatar">{_face(writer)}Wouter Lasser</span>' in cases
    log = client.get(f"/t/{trajectory.id}").get_data(as_text=True)
    assert log.count(f"{_face(writer)}Wouter Lasser</span>") == 3  # participants, the log, the timeline
    cards = client.get(f"/c/{community.slug}/trajectories").get_data(as_text=True)
    assert f'<span class="with-avatar">{_face(writer)}Wouter Lasser</span>' in cards
    feed = client.get(f"/c/{community.slug}/").get_data(as_text=True)
    assert f'<div class="feed-line">{_face(writer)}<p>' in feed  # "... shared a practice case"
    assert f'<div class="feed-line">{_face(reader)}<p>' in feed  # "Lotte Lezer joined"

    admin = factories.admin(name="Anna Admin")
    users = make_client(admin).get("/admin/users").get_data(as_text=True)
    for person in (writer, reader, admin):
        assert f'{_face(person)}<a href="/admin/users/{person.id}">{person.display_name}</a>' in users
