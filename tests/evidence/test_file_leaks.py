"""After uploads, no file reference leaves the private pages: no public page (every GET route anyone may
call, crawled as a visitor), no API answer and no mail from the outbox names `/evidence-files/` or a
file's content address."""

from evidence_samples import jpeg, pdf
from file_support import files_of, signed_in, started_claim, upload
from sqlalchemy import select

from marketplace.auth.policy import POLICY, declared
from marketplace.needs.models import Need
from marketplace.notify.outbox_mail import opened
from marketplace.organizations.models import Organization
from marketplace.outbox.models import OutboxMessage
from support import build_search_index, run_worker_once


def _secrets(tx) -> list[str]:
    rows = files_of(tx)
    assert rows
    return ["/evidence-files/"] + [r.sha256 for r in rows] + [r.thumb_sha256 for r in rows]


def _public_urls(app, tx) -> list[str]:
    with tx() as s:
        values = {"need_id": list(s.scalars(select(Need.id))), "org_id": list(s.scalars(select(Organization.id)))}
    urls = []
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        if "GET" not in rule.methods or rule.endpoint in ("static", "evidence.file", "evidence.thumb"):
            continue
        if POLICY[declared(view)].roles is not None or not set(rule.arguments) <= set(values):
            continue
        if not rule.arguments:
            urls.append(rule.rule)
            continue
        many = next(iter(rule.arguments))
        for value in values[many]:
            args = {a: values[a][0] for a in rule.arguments} | {many: value}
            urls.append(rule.build(args, append_unknown=False)[1])
    return urls


def test_no_public_page_api_answer_or_mail_names_an_evidence_file(app, world, tx):
    _, claim = started_claim(world)
    member = signed_in(app, "member@charity.org.cn")
    assert upload(member, claim.id, [("a.jpg", jpeg(640, 480)), ("r.pdf", pdf())]).status_code == 303
    for form in ("money", "goods", "retrofit"):
        world.need("submitted", form=form)  # staged by World, attached on submit: the verifiers get mail
    build_search_index(app)
    run_worker_once(app)
    secrets = _secrets(tx)
    urls = _public_urls(app, tx)
    assert "/api/v1/needs" in urls and any(u.startswith("/api/v1/needs/") for u in urls)
    assert any(u.startswith("/needs/") for u in urls) and "/" in urls
    for email in (None, "member@pending.org.cn"):
        client = signed_in(app, email)
        for url in urls:
            response = client.get(url)
            assert response.status_code < 500, url
            body = response.get_data(as_text=True)
            assert not [s for s in secrets if s in body], (email, url)
    with tx() as s:
        mails = [opened(m.payload) for m in s.scalars(select(OutboxMessage))]
    assert mails
    for mail in mails:
        text = " ".join(str(mail.get(k) or "") for k in ("subject", "text", "html"))
        assert not [s for s in secrets if s in text], mail.get("subject")
