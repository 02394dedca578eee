"""公示: approved organisations only, with verified chain totals and no personal data."""

from sqlalchemy import select

from marketplace.ledger.corrections import CorrectionInput, correct
from marketplace.ledger.models import LedgerEntry
from marketplace.organizations import directory
from marketplace.organizations.models import Organization
from marketplace.registry.models import Household


def test_the_directory_lists_approved_organisations_only(world, client):
    page = client.get("/organizations")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "涡阳县慈善协会" in text and "待审核公益社" not in text
    assert "涡阳县" in text and "慈善组织" in text


def test_pending_organisations_have_no_public_page(world, client, tx):
    with tx() as s:
        pending = s.scalars(select(Organization.id).where(Organization.status == "pending")).one()
    assert client.get(f"/organizations/{pending}").status_code == 404
    assert client.get(f"/organizations/{world.org_id}").status_code == 200


def test_totals_count_verified_entries_once_with_corrections(world, client, tx):
    world.need("verified")
    need = world.need("verified")
    with tx() as s:
        [org] = [o for o in directory.approved(s) if o.id == world.org_id]
        assert (org.entries, org.amount_fen) == (2, 600000)
        entry = s.scalars(select(LedgerEntry).where(LedgerEntry.need_id == need.id)).one()
        household = s.get(Household, entry.household_id)
        correct(s, world.user(s, world.poster), household, entry.id,
                CorrectionInput(reason="实际转账金额有误", amount_fen=100000))
    with tx() as s:
        [org] = [o for o in directory.approved(s) if o.id == world.org_id]
        assert (org.entries, org.amount_fen) == (2, 400000)
    text = client.get(f"/organizations/{world.org_id}").get_data(as_text=True)
    assert "2 条" in text and "4,000" in text


def test_no_personal_data_on_public_pages(world, client, tx):
    vault = world.vault
    with tx() as s:
        org = s.get(Organization, world.org_id)
        org.contact_name_enc = vault.encrypt("张联系")
        org.contact_phone_enc = vault.encrypt("13900001111")
        org.service_categories, org.service_regions = "education care", "341621100"
    for url in ("/organizations", f"/organizations/{world.org_id}"):
        text = client.get(url).get_data(as_text=True)
        assert "张联系" not in text and "13900001111" not in text
        assert "member@charity.org.cn" not in text and "member@charity" not in text
        assert "楚店镇" in text and "助学" in text


def test_the_contact_is_shown_to_staff_in_scope_only(world, client, tx):
    from support import login

    with tx() as s:
        s.get(Organization, world.org_id).contact_phone_enc = world.vault.encrypt("13900001111")
    login(client, "poster@guoyang.gov.cn")
    assert "13900001111" in client.get(f"/staff/organizations/{world.org_id}").get_data(as_text=True)
    member = client.application.test_client()
    login(member, "member2@charity.org.cn")  # a member, not an administrator
    assert "13900001111" not in member.get("/organization").get_data(as_text=True)


def test_directory_filters_by_kind(world, client):
    assert "涡阳县慈善协会" not in client.get("/organizations?kind=company").get_data(as_text=True)
    assert "涡阳县慈善协会" in client.get("/organizations?kind=charity&q=慈善").get_data(as_text=True)
