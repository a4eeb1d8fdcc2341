"""Case attachments: type by content, metadata stripped, safe names, safe serving, access.

Through the pages (multipart uploads with the test client) and directly through the action.
"""
import io
import os
import re
import struct
import zlib

import pytest
import sqlalchemy as sa
from PIL import ExifTags, Image
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from community.actions import ActionError, NotAllowed
from community.actions import attachments as actions
from community.actions import cases as case_actions
from community.actions import communities as community_actions
from community.extensions import db
from community.models import Attachment

MARKERS = (b"MARKER-MAKE", b"MARKER-DESCRIPTION", b"MARKER-COMMENT", b"MARKER-SOFTWARE")
STORED_NAME = re.compile(r"^[0-9a-f]{32}\.(png|jpg|webp|pdf)$")
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def image_bytes(fmt="PNG", size=(40, 20), color="orange", **save):
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, fmt, **save)
    return out.getvalue()


def jpeg_with_metadata():
    """A JPEG whose EXIF has a camera, a description, GPS coordinates and a rotation, plus a
    JPEG comment: everything a phone photo may give away."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "MARKER-MAKE"
    exif[ExifTags.Base.ImageDescription] = "MARKER-DESCRIPTION"
    exif[ExifTags.Base.Software] = "MARKER-SOFTWARE"
    exif[ExifTags.Base.Orientation] = 6  # rotated 90°: the stored image must be upright
    exif[ExifTags.IFD.GPSInfo] = {1: "N", 2: (52.0, 13.0, 7.5), 3: "E", 4: (6.0, 53.0, 2.1)}
    data = image_bytes("JPEG", size=(40, 20), exif=exif, comment=b"MARKER-COMMENT")
    with Image.open(io.BytesIO(data)) as check:  # the test input really carries it all
        assert check.getexif().get_ifd(ExifTags.IFD.GPSInfo) and check.info["comment"] == b"MARKER-COMMENT"
    return data


def png_header(width, height):
    """A tiny PNG that claims to be width × height pixels (1-bit grey): a decompression bomb's
    header without the bomb."""
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b""))


@pytest.fixture
def setting(factories, make_client):
    admin = factories.admin(language="en")
    coordinator = factories.user(name="Coördinator", language="en")
    author = factories.user(name="Auteur", language="en")
    member = factories.user(name="Lid", language="en")
    stranger = factories.user(name="Elders", language="en")
    public = community_actions.create_community(admin, name="Open kring", coordinator=coordinator)
    private = community_actions.create_community(admin, name="Besloten kring", visibility="private",
                                                 join_policy="invite", coordinator=coordinator)
    elsewhere = community_actions.create_community(admin, name="Andere kring", visibility="private",
                                                   join_policy="invite")
    community_actions.join(author, public)
    community_actions.join(member, public)
    for who in (author, member):
        community_actions.invite_user(coordinator, private, who)
        community_actions.join(who, private)
    community_actions.invite_user(admin, elsewhere, stranger)
    community_actions.join(stranger, elsewhere)
    case = case_actions.create_case(author, public, title="Open casus", context="x", publish=True)
    secret = case_actions.create_case(author, private, title="Besloten casus", context="x", publish=True)
    return dict(author=author, member=member, stranger=stranger, coordinator=coordinator, case=case,
                secret=secret, client=make_client(author), make_client=make_client)


def upload(client, case, data, name):
    """POST one file as a browser does. The body is encoded here: werkzeug's test client spools
    bodies over 500 KB to a temporary file it never closes (a ResourceWarning, an error here)."""
    boundary, body = encode_multipart(MultiDict({
        "csrf_token": client.csrf_token(), "file": FileStorage(io.BytesIO(data), filename=name)}))
    return client.post(f"/cases/{case.id}/attachments", data=body,
                       content_type=f"multipart/form-data; boundary={boundary}")


def read(path):
    with open(path, "rb") as handle:
        return handle.read()


def stored_files():
    return set(os.listdir(actions.upload_folder()))


def only_attachment():
    rows = db.session.scalars(sa.select(Attachment)).all()
    assert len(rows) == 1
    return rows[0]


# --- accepted files ----------------------------------------------------------------------------

@pytest.mark.parametrize("fmt,name,content_type,ext", [
    ("PNG", "schema.png", "image/png", "png"),
    ("JPEG", "foto.jpeg", "image/jpeg", "jpg"),
    ("WEBP", "plaatje.webp", "image/webp", "webp"),
])
def test_images_upload_and_serve_inline(setting, fmt, name, content_type, ext):
    client, case = setting["client"], setting["case"]
    response = upload(client, case, image_bytes(fmt), name)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/cases/{case.id}/edit#attachments")
    attachment = only_attachment()
    assert attachment.content_type == content_type and (attachment.width, attachment.height) == (40, 20)
    assert STORED_NAME.match(attachment.stored_name) and attachment.stored_name.endswith("." + ext)
    assert attachment.original_name == name.rsplit(".", 1)[0] + "." + ext
    path = actions.path_of(attachment)
    assert os.path.dirname(path) == os.path.join(os.environ["INSTANCE_PATH"], "uploads")
    with Image.open(path) as stored:
        assert stored.format == fmt and stored.size == (40, 20)
    member = setting["make_client"](setting["member"])
    response = member.get(f"/attachments/{attachment.id}/{attachment.original_name}")
    assert response.status_code == 200
    assert response.mimetype == content_type
    assert response.headers["Content-Disposition"].startswith("inline")
    assert attachment.original_name in response.headers["Content-Disposition"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert "private" in response.headers["Cache-Control"]
    assert response.data == read(path)
    # The name in the address is decoration: the id decides.
    assert setting["client"].get(f"/attachments/{attachment.id}/whatever.html").data == response.data
    assert setting["client"].get(f"/attachments/{attachment.id}").status_code == 200
    # And the edit page lists it, with the markdown to show it in a section.
    edit = client.get(f"/cases/{case.id}/edit").get_data(as_text=True)
    assert f"![{attachment.original_name}](/attachments/{attachment.id}/{attachment.original_name})" in edit


def test_pdf_is_served_as_a_download(setting):
    client, case = setting["client"], setting["case"]
    assert upload(client, case, PDF, "Verslag stage.pdf").status_code == 302
    attachment = only_attachment()
    assert attachment.content_type == "application/pdf" and attachment.original_name == "Verslag stage.pdf"
    assert attachment.width is None and attachment.size == len(PDF)
    response = client.get(f"/attachments/{attachment.id}/Verslag%20stage.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response.data == PDF
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert f'href="/attachments/{attachment.id}/Verslag%20stage.pdf"' in page and "PDF" in page
    # Asked again with its ETag: nothing is sent twice.
    again = client.get(f"/attachments/{attachment.id}/x.pdf", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_jpeg_metadata_and_gps_are_stripped(setting):
    assert upload(setting["client"], setting["case"], jpeg_with_metadata(), "IMG_0001.JPG").status_code == 302
    attachment = only_attachment()
    path = actions.path_of(attachment)
    raw = read(path)
    for marker in MARKERS:
        assert marker not in raw
    with Image.open(path) as stored:
        assert len(stored.getexif()) == 0
        assert "comment" not in stored.info and "exif" not in stored.info
        assert stored.size == (20, 40)  # the EXIF rotation is applied to the pixels
    assert (attachment.width, attachment.height) == (20, 40)


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_png_and_webp_metadata_are_stripped(setting, fmt):
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "MARKER-MAKE"
    exif[ExifTags.IFD.GPSInfo] = {1: "N", 2: (52.0, 13.0, 7.5)}
    data = image_bytes(fmt, exif=exif)
    assert b"MARKER-MAKE" in data
    attachment = actions.add_attachment(setting["author"], setting["case"], "x", io.BytesIO(data))
    raw = read(actions.path_of(attachment))
    assert b"MARKER-MAKE" not in raw
    with Image.open(actions.path_of(attachment)) as stored:
        assert len(stored.getexif()) == 0


def test_polyglot_is_stored_re_encoded(setting):
    data = image_bytes("PNG") + b"<script>alert(1)</script><html><body>hoi</body></html>"
    assert upload(setting["client"], setting["case"], data, "poly.png").status_code == 302
    attachment = only_attachment()
    raw = read(actions.path_of(attachment))
    assert b"<script>" not in raw and b"alert(1)" not in raw and b"<html>" not in raw
    assert raw.startswith(b"\x89PNG\r\n\x1a\n")
    response = setting["client"].get(f"/attachments/{attachment.id}/poly.png")
    assert response.mimetype == "image/png" and b"<script>" not in response.data


# --- refused files -----------------------------------------------------------------------------

@pytest.mark.parametrize("data,name,status,message", [
    (b"<!doctype html><script>alert(1)</script>", "mooi.png", 415, "Only images (PNG, JPEG, WebP) and PDF"),
    (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "tekening.svg", 415,
     "Only images (PNG, JPEG, WebP) and PDF"),
    (b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x00\x00\x00\x00\x00,\x00\x00\x00\x00"
     b"\x01\x00\x01\x00\x00\x02\x02D\x01\x00;", "animatie.gif", 415, "Only images (PNG, JPEG, WebP) and PDF"),
    (b"MZ\x90\x00\x03\x00\x00\x00", "setup.pdf", 415, "Only images (PNG, JPEG, WebP) and PDF"),
    (b"", "leeg.png", 422, "The file is empty."),
    (b"\x89PNG\r\n\x1a\nkapot", "kapot.png", 422, "could not be read"),
    (b"%PDF-1.4\nafgebroken", "half.pdf", 422, "damaged or incomplete"),
    (png_header(20_000, 20_000), "bom.png", 422, "too large"),
    (png_header(10_000, 10_000), "bijna-bom.png", 422, "too large"),
    (png_header(7_000, 7_000), "groot.png", 422, "too large"),
])
def test_refused_uploads_say_why_and_store_nothing(setting, data, name, status, message):
    before = stored_files()
    response = upload(setting["client"], setting["case"], data, name)
    assert response.status_code == status
    html = response.get_data(as_text=True)
    assert message in html and 'id="upload-error"' in html
    assert 'action="/cases/%d/attachments"' % setting["case"].id in html  # the edit page, to try again
    assert db.session.scalar(sa.select(sa.func.count(Attachment.id))) == 0
    assert stored_files() == before


def test_no_file_chosen(setting):
    response = setting["client"].submit(f"/cases/{setting['case'].id}/attachments", {},
                                        content_type="multipart/form-data")
    assert response.status_code == 422 and "Choose a file first." in response.get_data(as_text=True)
    response = upload(setting["client"], setting["case"], b"", "")
    assert response.status_code == 422


def test_file_over_10_mb_is_refused(setting):
    case, author = setting["case"], setting["author"]
    big = b"\x89PNG\r\n\x1a\n" + b"\x00" * (10 * 1024 * 1024)
    # The action refuses it before looking inside.
    with pytest.raises(ActionError) as error:
        actions.add_attachment(author, case, "groot.png", io.BytesIO(big))
    assert error.value.status == 413 and error.value.code == "too_large"
    # Over the page: under the request limit, the action's message on the edit page...
    response = upload(setting["client"], case, big, "groot.png")
    assert response.status_code == 413 and "larger than 10 MB" in response.get_data(as_text=True)
    # ...over it (12 MB), a friendly page that leads back to the case.
    response = upload(setting["client"], case, b"\x00" * (13 * 1024 * 1024), "enorm.pdf")
    assert response.status_code == 413
    html = response.get_data(as_text=True)
    assert "This file is too large" in html and f'href="/cases/{case.id}/edit#attachments"' in html
    assert db.session.scalar(sa.select(sa.func.count(Attachment.id))) == 0


def test_limit_of_attachments_per_case(setting, monkeypatch):
    monkeypatch.setattr(actions, "MAX_PER_CASE", 2)
    for n in range(2):
        actions.add_attachment(setting["author"], setting["case"], f"{n}.png", io.BytesIO(image_bytes()))
    with pytest.raises(ActionError) as error:
        actions.add_attachment(setting["author"], setting["case"], "3.png", io.BytesIO(image_bytes()))
    assert error.value.field == "file"


# --- names -------------------------------------------------------------------------------------

@pytest.mark.parametrize("name,expected", [
    ("../../etc/passwd.png", "passwd.png"),
    ("C:\\temp\\x.png", "x.png"),
    ("/absolute/path/to/y.png", "y.png"),
    ("ta\x00b\x1f\x7fel\u202egnp.png", "tabelgnp.png"),
    ("..", "bijlage.png"),
    ("foto.exe", "foto.png"),  # the extension follows the content
    ("<img src=x onerror=alert(1)>.png", "<img src=x onerror=alert(1)>.png"),
])
def test_names_are_cleaned_and_storage_names_are_made_by_the_server(setting, name, expected):
    attachment = actions.add_attachment(setting["author"], setting["case"], name, io.BytesIO(image_bytes()))
    assert attachment.original_name == expected
    assert STORED_NAME.match(attachment.stored_name)
    path = actions.path_of(attachment)
    assert os.path.realpath(os.path.dirname(path)) == os.path.realpath(actions.upload_folder())
    assert os.path.isfile(path)


def test_long_names_are_shortened(setting):
    attachment = actions.add_attachment(setting["author"], setting["case"], "x" * 300 + ".png",
                                        io.BytesIO(image_bytes()))
    assert len(attachment.original_name) <= 124 and attachment.original_name.endswith(".png")
    assert STORED_NAME.match(attachment.stored_name)


def test_path_like_name_over_the_page(setting):
    client, case = setting["client"], setting["case"]
    assert upload(client, case, image_bytes(), "../../etc/passwd.png").status_code == 302
    attachment = only_attachment()
    assert attachment.original_name == "passwd.png" and STORED_NAME.match(attachment.stored_name)
    response = client.get(f"/attachments/{attachment.id}/passwd.png")
    assert 'filename=passwd.png' in response.headers["Content-Disposition"]
    html = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "<img src=x" not in html


def test_hostile_name_is_escaped_on_the_pages(setting):
    client, case = setting["client"], setting["case"]
    attachment = actions.add_attachment(setting["author"], case, '"><img src=x onerror=alert(1)>.png',
                                        io.BytesIO(image_bytes()))
    assert attachment.original_name == '"><img src=x onerror=alert(1)>.png'
    for url in (f"/cases/{case.id}", f"/cases/{case.id}/edit"):
        html = client.get(url).get_data(as_text=True)
        assert "<img src=x" not in html and "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;.png" in html


# --- access ------------------------------------------------------------------------------------

def test_who_may_fetch_an_attachment(setting):
    s, make_client = setting, setting["make_client"]
    open_file = actions.add_attachment(s["author"], s["case"], "open.png", io.BytesIO(image_bytes()))
    secret_file = actions.add_attachment(s["author"], s["secret"], "geheim.pdf", io.BytesIO(PDF))
    stranger, member = make_client(s["stranger"]), make_client(s["member"])
    assert stranger.get(f"/attachments/{open_file.id}/open.png").status_code == 200  # public community
    assert stranger.get(f"/attachments/{secret_file.id}/geheim.pdf").status_code == 404
    assert member.get(f"/attachments/{secret_file.id}/geheim.pdf").status_code == 200
    anonymous = make_client().get(f"/attachments/{secret_file.id}/geheim.pdf")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    # A draft's files are the author's alone.
    draft = case_actions.create_case(s["author"], s["case"].community, title="Concept", context="x")
    draft_file = actions.add_attachment(s["author"], draft, "concept.png", io.BytesIO(image_bytes()))
    assert member.get(f"/attachments/{draft_file.id}/concept.png").status_code == 404
    assert make_client(s["coordinator"]).get(f"/attachments/{draft_file.id}/concept.png").status_code == 404
    assert s["client"].get(f"/attachments/{draft_file.id}/concept.png").status_code == 200
    # A member who leaves a private community loses its files.
    community_actions.leave(s["member"], s["secret"].community)
    assert member.get(f"/attachments/{secret_file.id}/geheim.pdf").status_code == 404


def test_only_editors_add_files(setting):
    s = setting
    with pytest.raises(NotAllowed):
        actions.add_attachment(s["member"], s["case"], "x.png", io.BytesIO(image_bytes()))
    with pytest.raises(NotAllowed):
        actions.add_attachment(s["stranger"], s["secret"], "x.png", io.BytesIO(image_bytes()))
    # A coordinator may add to (and remove from) a published case of their community.
    added = actions.add_attachment(s["coordinator"], s["case"], "extra.png", io.BytesIO(image_bytes()))
    actions.remove_attachment(s["coordinator"], added)
    assert db.session.scalar(sa.select(sa.func.count(Attachment.id))) == 0


def test_a_file_missing_on_disk_is_a_404_not_a_500(setting):
    attachment = actions.add_attachment(setting["author"], setting["case"], "weg.png", io.BytesIO(image_bytes()))
    os.remove(actions.path_of(attachment))
    assert setting["client"].get(f"/attachments/{attachment.id}/weg.png").status_code == 404


# --- removing ----------------------------------------------------------------------------------

def test_removing_an_attachment_deletes_the_file(setting):
    client, case = setting["client"], setting["case"]
    assert upload(client, case, image_bytes(), "weg.png").status_code == 302
    attachment = only_attachment()
    path, attachment_id = actions.path_of(attachment), attachment.id
    assert os.path.isfile(path)
    member = setting["make_client"](setting["member"])
    assert member.submit(f"/attachments/{attachment_id}/remove").status_code == 403
    assert os.path.isfile(path)
    response = client.submit(f"/attachments/{attachment_id}/remove")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/cases/{case.id}/edit#attachments")
    assert not os.path.exists(path)
    assert db.session.get(Attachment, attachment_id) is None
    assert client.get(f"/attachments/{attachment_id}/weg.png").status_code == 404


def test_deleting_a_draft_deletes_its_files(setting):
    s = setting
    draft = case_actions.create_case(s["author"], s["case"].community, title="Concept", context="x")
    paths = [actions.path_of(actions.add_attachment(s["author"], draft, name, io.BytesIO(data)))
             for name, data in (("a.png", image_bytes()), ("b.pdf", PDF))]
    assert all(os.path.isfile(path) for path in paths)
    case_actions.delete_draft(s["author"], draft)
    assert not any(os.path.exists(path) for path in paths)
    assert db.session.scalar(sa.select(sa.func.count(Attachment.id))) == 0
