"""Live links are credentials (issue 11): reset and invitation tokens are not in the outbox table in
plaintext, nor on the 邮件队列 page, nor in any log line; the delivered mail still carries a working link."""

import logging
import re

from sqlalchemy import text

from marketplace.notify.delivery import deliver_due
from marketplace.organizations import members
from marketplace.organizations.models import Organization
from marketplace.security.redaction import REDACTED
from support import csrf_from, login


def _outbox_cells(engine) -> list[str]:
    """Every column of every outbox row, as the database returns it to a plain SELECT."""
    with engine.connect() as conn:
        return [str(cell) for row in conn.execute(text("SELECT * FROM outbox")) for cell in row]


def _plain_body(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def test_a_reset_link_is_sealed_at_rest_and_works_once_delivered(client, world, app, engine, smtp_server):
    form = csrf_from(client.get("/password/forgot"))
    assert client.post("/password/forgot", data={"email": "helper@volunteer.cn", "csrf_token": form}).status_code < 400
    cells = _outbox_cells(engine)
    assert cells and not any("/password/reset/" in cell for cell in cells)

    assert deliver_due(app).sent == 1
    [mail] = smtp_server.messages
    path = re.search(r"http://127\.0\.0\.1:5000(/password/reset/\S+)", _plain_body(mail)).group(1)
    token = path.rsplit("/", 1)[1]
    assert not any(token in cell for cell in _outbox_cells(engine))

    staff = client.application.test_client()
    login(staff, "poster@guoyang.gov.cn")  # the volunteer's county: the row is listed, its link is not
    page = staff.get("/staff/outbox?status=sent").get_data(as_text=True)
    assert "helper@volunteer.cn" in page and token not in page and "/password/reset/" not in page

    page = client.get(path)
    assert page.status_code == 200
    response = client.post(path, data={"password": "a-brand-new-password", "confirm": "a-brand-new-password",
                                       "csrf_token": csrf_from(page)})
    assert response.status_code == 303
    login(client.application.test_client(), "helper@volunteer.cn", "a-brand-new-password")


def test_an_invitation_token_is_not_in_the_outbox_table(world, tx, engine):
    with tx() as s:
        org = s.get(Organization, world.org_id)
        world.user(s, world.charity).org_role = "administrator"
        _invitation, token = members.invite(s, world.user(s, world.charity), org, "new@charity.org.cn", "coordinator")
    cells = _outbox_cells(engine)
    assert any("new@charity.org.cn" in cell for cell in cells)
    assert not any(token in cell or "/invitations/" in cell for cell in cells)


def test_request_log_lines_with_a_token_path_are_redacted(app, caplog):
    caplog.set_level(logging.INFO)
    token = "eyJ1IjozfQ.Zk1a2b.abc-DEF_123"
    # As werkzeug's request handler writes it (marketplace serve / demo use it).
    logging.getLogger("werkzeug").info('%s - - "%s %s %s" %s %s', "127.0.0.1", "GET", f"/password/reset/{token}",
                                       "HTTP/1.1", 200, "-")
    logging.getLogger("werkzeug").info('"POST /invitations/%s HTTP/1.1" 303 -', token)
    logging.getLogger("marketplace.web").error("unhandled error on GET /unsubscribe/%s?x=1", token)
    messages = [record.getMessage() for record in caplog.records]
    assert len(messages) == 3
    assert not any(token in message for message in messages)
    assert f"/password/reset/{REDACTED} HTTP/1.1" in messages[0]
    assert f"/invitations/{REDACTED} HTTP/1.1" in messages[1] and f"/unsubscribe/{REDACTED}?x=1" in messages[2]
    logging.getLogger("werkzeug").info('"GET /needs/42 HTTP/1.1" 200 -')
    assert caplog.records[-1].getMessage() == '"GET /needs/42 HTTP/1.1" 200 -'
