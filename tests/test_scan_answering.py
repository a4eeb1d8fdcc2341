"""Answering the scan without an account: by link or one-time code, refusals that store nothing
and keep the answers, hostile input, the rate limit, and a response table that cannot be tied
to a person."""
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from community.actions import scan as actions
from community.extensions import db
from community.models import ScanCode, ScanResponse
from tests import scan_factories


def _form(answers):
    return {code: str(value) for code, value in answers.items()}


def _count():
    return db.session.scalar(sa.select(sa.func.count(ScanResponse.id)))


@pytest.fixture
def company(factories):
    return factories.company_with_manager()


def test_answer_by_link_stores_an_anonymous_response(company, make_client, factories):
    org, manager = company
    scan_round = scan_factories.open_round(org, manager)
    # Even a signed-in member answering from a known address leaves no trace of who they are.
    member = factories.member(org, factories.user(name="Herkenbare Naam", email="herkenbaar@example.com"))
    client = make_client(member)
    client.environ_base["REMOTE_ADDR"] = "203.0.113.77"
    url = f"/s/{scan_round.employee_token}"
    page = client.get(url).get_data(as_text=True)
    assert "<fieldset" in page and "<legend>" in page and 'type="radio"' in page and "<progress" in page
    response = client.submit(url, _form(scan_factories.answers(value=4)) | {"free_text": "mijn naam is Jan"}, page=url)
    assert response.status_code == 302 and response.headers["Location"].endswith("/scan/thanks")

    columns = {c["name"] for c in sa.inspect(db.engine).get_columns("scan_responses")}
    assert columns == {"id", "round_id", "variant", "answered_on", "answers"}
    row = db.session.execute(sa.select(ScanResponse.__table__)).one()._mapping
    assert isinstance(row["answered_on"], date) and row["answered_on"] == actions.today()
    stored = repr(dict(row))
    for trace in ("203.0.113", "herkenbaar", "Herkenbare", "Jan", "free_text"):
        assert trace not in stored
    assert set(row["answers"]) == set(scan_factories.answers()) and set(row["answers"].values()) == {4}
    # No foreign key from a response to users or codes, and none from codes to responses.
    fks = sa.inspect(db.engine).get_foreign_keys("scan_responses")
    assert [fk["referred_table"] for fk in fks] == ["scan_rounds"]
    assert {c["name"] for c in sa.inspect(db.engine).get_columns("scan_codes")} == {
        "id", "round_id", "code", "variant", "used"}


def test_management_link_takes_the_management_version(company, make_client):
    org, manager = company
    scan_round = scan_factories.open_round(org, manager)
    client = make_client()
    url = f"/s/{scan_round.management_token}"
    assert "m_rl1" in client.get(url).get_data(as_text=True)
    assert client.submit(url, _form(scan_factories.answers("management", 3)), page=url).status_code == 302
    assert db.session.scalar(sa.select(ScanResponse.variant)) == "management"


def test_missing_and_out_of_range_answers_are_refused_and_kept(company, make_client):
    org, manager = company
    scan_round = scan_factories.open_round(org, manager)
    client = make_client()
    url = f"/s/{scan_round.employee_token}"
    answers = _form(scan_factories.answers(value=2))
    del answers["fb2"]
    answers["ks1"] = "7"
    answers["rl1"] = "<script>alert(1)</script>"
    response = client.submit(url, answers, page=url)
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and _count() == 0
    assert "nog 3 open" in html and "<script>alert(1)" not in html
    assert 'href="#q-fb2"' in html and 'href="#q-ks1"' in html and 'href="#q-rl1"' in html
    # Every valid answer is still ticked.
    assert html.count('value="2" checked') == len(scan_factories.answers()) - 3


def test_oversized_and_unicode_input_is_refused_without_a_crash(company, make_client):
    org, manager = company
    scan_round = scan_factories.open_round(org, manager)
    client = make_client()
    url = f"/s/{scan_round.employee_token}"
    answers = _form(scan_factories.answers(value=3)) | {"rl2": "٣", "rl3": "3" * 100_000, "rl4": "３"}
    response = client.submit(url, answers, page=url)
    assert response.status_code == 400 and _count() == 0


@pytest.mark.parametrize("token", ["nope", "x" * 40, "a" * 5000, "%00" * 30, "ﬁ" * 30])
def test_unknown_links_are_404(client, token):
    assert client.get(f"/s/{token}").status_code == 404


def test_closed_and_not_yet_open_rounds_refuse(company, make_client, factories):
    org, manager = company
    client = make_client()
    closed = scan_factories.closed_round(org, manager, employees=[3])
    url = f"/s/{closed.employee_token}"
    assert "gesloten" in client.get(url).get_data(as_text=True)
    assert client.submit(url, _form(scan_factories.answers()), page=url).status_code == 409
    later = actions.create_round(manager, org, "Later", actions.today() + timedelta(days=3),
                                 actions.today() + timedelta(days=9))
    url = f"/s/{later.employee_token}"
    assert "gaat open op" in client.get(url).get_data(as_text=True)
    assert client.submit(url, _form(scan_factories.answers()), page=url).status_code == 409
    manual = scan_factories.open_round(org, manager, title="Handmatig dicht")
    actions.close_round(manager, manual)
    url = f"/s/{manual.employee_token}"
    assert client.submit(url, _form(scan_factories.answers()), page=url).status_code == 409
    assert _count() == 1  # only the closed round's seed answer


def test_codes_answer_once(company, make_client):
    org, manager = company
    scan_round = scan_factories.open_round(org, manager, employee_codes=2, management_codes=1, open_link=False)
    codes = db.session.scalars(sa.select(ScanCode).order_by(ScanCode.id)).all()
    employee_code = next(c for c in codes if c.variant == "employee")
    client = make_client()
    # The open link is switched off: it points to the code page and takes no answers.
    link = f"/s/{scan_round.employee_token}"
    assert "/scan/code" in client.get(link).get_data(as_text=True)
    assert client.submit(link, _form(scan_factories.answers()), page=link).status_code == 403

    typed = " " + actions.format_code(employee_code.code).lower() + " "
    page = client.submit("/scan/code", {"code": typed}, page="/scan/code")
    assert page.status_code == 200 and 'name="answering"' in page.get_data(as_text=True)
    incomplete = client.submit("/scan/code", {"code": typed, "answering": "1", "rl1": "3"}, page="/scan/code")
    assert incomplete.status_code == 400 and 'value="3" checked' in incomplete.get_data(as_text=True)
    done = client.submit("/scan/code", {"code": typed, "answering": "1"} | _form(scan_factories.answers()),
                         page="/scan/code")
    assert done.status_code == 302 and _count() == 1

    again = client.submit("/scan/code", {"code": typed, "answering": "1"} | _form(scan_factories.answers()),
                          page="/scan/code")
    assert again.status_code == 409 and "al gebruikt" in again.get_data(as_text=True) and _count() == 1
    for wrong in ("ZZZZZ-ZZZZZ", "", "=1+1", "🙂" * 50, "x" * 10_000):
        response = client.submit("/scan/code", {"code": wrong}, page="/scan/code")
        assert response.status_code == 400, wrong
    management_code = next(c for c in codes if c.variant == "management")
    page = client.submit("/scan/code", {"code": management_code.code}, page="/scan/code").get_data(as_text=True)
    assert "m_rl1" in page


def test_a_code_used_meanwhile_keeps_the_answers(company, make_client):
    org, manager = company
    scan_round = scan_factories.open_round(org, manager, employee_codes=1)
    code = db.session.scalar(sa.select(ScanCode))
    first, second = make_client(), make_client()
    first.submit("/scan/code", {"code": code.code}, page="/scan/code")
    second.submit("/scan/code", {"code": code.code}, page="/scan/code")
    assert first.submit("/scan/code", {"code": code.code, "answering": "1"} | _form(scan_factories.answers(value=5)),
                        page="/scan/code").status_code == 302
    late = second.submit("/scan/code", {"code": code.code, "answering": "1"} | _form(scan_factories.answers(value=1)),
                         page="/scan/code")
    assert late.status_code == 409 and _count() == 1
    assert scan_round.id == db.session.scalar(sa.select(ScanResponse.round_id))


def test_action_refuses_codes_of_another_round_and_reuse(company):
    org, manager = company
    one = scan_factories.open_round(org, manager, employee_codes=1)
    other = scan_factories.open_round(org, manager, title="Andere", employee_codes=1)
    code = db.session.scalar(sa.select(ScanCode).where(ScanCode.round_id == other.id))
    with pytest.raises(actions.ActionError):
        actions.submit_response(one, "employee", scan_factories.answers(), code=code)
    actions.submit_response(other, "employee", scan_factories.answers(), code=code)
    with pytest.raises(actions.ActionError):
        actions.submit_response(other, "employee", scan_factories.answers(), code=code)
    assert _count() == 1


def test_open_link_is_rate_limited_and_keeps_answers(company, make_client, app):
    org, manager = company
    scan_round = scan_factories.open_round(org, manager)
    app.config["SCAN_LIMIT_PER_ADDRESS"] = "2 per hour"
    try:
        client = make_client()
        url = f"/s/{scan_round.employee_token}"
        for _ in range(2):
            assert client.submit(url, _form(scan_factories.answers()), page=url).status_code == 302
        limited = client.submit(url, _form(scan_factories.answers(value=5)), page=url)
        assert limited.status_code == 429 and _count() == 2
        assert limited.get_data(as_text=True).count('value="5" checked') == len(scan_factories.answers())
    finally:
        app.config.pop("SCAN_LIMIT_PER_ADDRESS")


def test_wrong_codes_are_rate_limited(make_client, app):
    app.config["SCAN_CODE_LIMIT_PER_ADDRESS"] = "3 per hour"
    try:
        client = make_client()
        statuses = [client.submit("/scan/code", {"code": "ABCDE-FGHJK"}, page="/scan/code").status_code
                    for _ in range(4)]
        assert statuses == [400, 400, 400, 429]
    finally:
        app.config.pop("SCAN_CODE_LIMIT_PER_ADDRESS")
