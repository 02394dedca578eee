"""The household's code (确认码): right confirms, wrong counts down and locks at five, the count survives a
failed request, and staff of the region issue a new code and ref."""

import pytest
from confirm_support import claim_of, slip_of
from sqlalchemy import select

from marketplace.claims.models import Claim
from marketplace.confirmation import service as confirmation
from marketplace.confirmation.models import DeliverySlip
from marketplace.errors import Conflict, Forbidden, Invalid
from support import login, post


def _slip(world, claim_id: int) -> DeliverySlip:
    with world.tx() as s:
        return confirmation.slip_for(s, claim=s.get(Claim, claim_id))


def _enter(world, claim_id: int, code: str, who=None) -> DeliverySlip:
    with world.tx() as s:
        return confirmation.enter_code(s, world.user(s, who or world.charity), claim=s.get(Claim, claim_id), code=code)


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10 ** 6:06d}"


def test_a_slip_is_made_once_per_claim_with_a_random_code_and_ref(world):
    claim = claim_of(world, world.need("in_progress").id)
    first, again = _slip(world, claim.id), _slip(world, claim.id)
    assert first.id == again.id and first.code == again.code and first.ref == again.ref
    assert len(first.code) == 6 and first.code.isdigit() and len(first.ref) == 12
    other = _slip(world, claim_of(world, world.need("in_progress").id).id)
    assert other.ref != first.ref


def test_the_right_code_confirms_delivery_in_full_width_digits_too(world):
    claim = claim_of(world, world.need("in_progress").id)
    code = _slip(world, claim.id).code
    spaced = " ".join([code[:3], code[3:]]).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    slip = _enter(world, claim.id, spaced)
    assert slip.confirmed_via == "code" and slip.confirmed_by_id == world.charity and slip.confirmed_at
    assert _enter(world, claim.id, code).confirmed_at == slip.confirmed_at  # entering it again changes nothing


def test_a_wrong_code_counts_down_and_locks_at_five_even_for_the_right_one(world):
    claim = claim_of(world, world.need("in_progress").id)
    code = _slip(world, claim.id).code
    for left in (4, 3, 2, 1):
        with pytest.raises(Invalid) as raised, world.tx() as s:
            try:
                confirmation.enter_code(s, world.user(s, world.charity), claim=s.get(Claim, claim.id),
                                        code=_wrong(code))
            finally:
                s.commit()  # outside a request the count joins the caller's transaction
        assert raised.value.field == "confirmation_code" and f"还可尝试{left}次" in raised.value.message
    with world.tx() as s, pytest.raises(Invalid) as raised:
        try:
            confirmation.enter_code(s, world.user(s, world.charity), claim=s.get(Claim, claim.id), code=_wrong(code))
        finally:
            s.commit()
    assert "确认码已锁定" in raised.value.message
    with pytest.raises(Invalid) as raised:
        _enter(world, claim.id, code)
    assert "确认码已锁定" in raised.value.message
    slip = slip_of(world, claim.id)
    assert slip.failed_attempts == 5 and slip.confirmed_at is None


def test_something_that_is_not_six_digits_is_refused_without_counting(world):
    claim = claim_of(world, world.need("in_progress").id)
    _slip(world, claim.id)
    for typed in ("12345", "1234567", "abcdef", ""):
        with pytest.raises(Invalid) as raised:
            _enter(world, claim.id, typed)
        assert "6位数字" in raised.value.message
    assert slip_of(world, claim.id).failed_attempts == 0


def test_only_the_claimant_or_its_organisation_enters_the_code(world):
    claim = claim_of(world, world.need("in_progress").id)
    code = _slip(world, claim.id).code
    for who in (world.volunteer, world.verifier):
        with pytest.raises(Forbidden):
            _enter(world, claim.id, code, who=who)
    assert _enter(world, claim.id, code, who=world.charity2).confirmed_via == "code"  # a colleague may


def test_wrong_codes_posted_on_the_slip_page_lock_it_although_every_request_fails(client, world):
    """Each wrong entry answers 422 and rolls the request back; the count is written again on its own."""
    claim = claim_of(world, world.need("in_progress").id)
    code = _slip(world, claim.id).code
    login(client, "member@charity.org.cn")
    url = f"/my/claims/{claim.id}/slip"
    for left in (4, 3, 2, 1):
        response = post(client, url, {"confirmation_code": _wrong(code)}, page=url)
        assert response.status_code == 422
        assert f"确认码不正确，还可尝试{left}次" in response.get_data(as_text=True)
    response = post(client, url, {"confirmation_code": _wrong(code)}, page=url)
    assert response.status_code == 422 and "确认码已锁定，请联系民政工作人员重新出具回执" in response.get_data(as_text=True)
    assert slip_of(world, claim.id).failed_attempts == 5
    response = post(client, url, {"confirmation_code": code}, page=url)
    assert response.status_code == 422 and "确认码已锁定" in response.get_data(as_text=True)
    assert slip_of(world, claim.id).confirmed_at is None
    page = client.get(url).get_data(as_text=True)
    assert "确认码已锁定" in page and "录入确认码</button>" not in page


def test_the_right_code_on_the_slip_page_confirms(client, world):
    claim = claim_of(world, world.need("in_progress").id)
    code = _slip(world, claim.id).code
    login(client, "member@charity.org.cn")
    url = f"/my/claims/{claim.id}/slip"
    response = post(client, url, {"confirmation_code": code}, page=url)
    assert response.status_code == 303
    page = client.get(url).get_data(as_text=True)
    assert "受助方已于" in page and "确认收到（确认码）" in page and code not in page


def test_staff_of_the_region_reissue_a_locked_code_and_the_old_slip_is_void(client, world):
    claim = claim_of(world, world.need("in_progress").id)
    old = _slip(world, claim.id)
    with world.tx() as s:
        s.get(DeliverySlip, old.id).failed_attempts = 5
    with world.tx() as s, pytest.raises(Forbidden):
        confirmation.reissue(s, world.user(s, world.other_county), s.get(DeliverySlip, old.id))
    login(client, "chudian@guoyang.gov.cn")  # township staff of the household's township
    response = post(client, f"/staff/claims/{claim.id}/slip/reissue", page=f"/staff/needs/{claim.need_id}/confirmation")
    assert response.status_code == 303
    new = slip_of(world, claim.id)
    assert new.id == old.id and new.failed_attempts == 0 and new.printed_at is None
    assert new.ref != old.ref and len(new.code) == 6
    assert client.get(f"/receipts/{old.ref}").status_code == 404
    assert client.get(f"/receipts/{new.ref}").status_code == 200
    assert _enter(world, claim.id, new.code).confirmed_via == "code"
    with world.tx() as s, pytest.raises(Conflict):
        confirmation.reissue(s, world.user(s, world.poster), s.get(DeliverySlip, old.id))


def test_no_slip_for_a_claim_that_ended_without_delivery(world):
    from marketplace.claims import service as claims

    need = world.need("claimed")
    claim = claim_of(world, need.id)
    with world.tx() as s:
        claims.release(s, world.user(s, world.charity), s.get(Claim, claim.id), "人手不足")
    with pytest.raises(Conflict):
        _slip(world, claim.id)
    with world.tx() as s:
        assert s.scalars(select(DeliverySlip)).all() == []


def test_two_requests_making_the_slip_at_once_get_the_same_one(world, engine):
    """The first has inserted but not committed; the second waits (on the unique index on PostgreSQL, on the
    write lock on SQLite), then reads the first one's slip instead of failing or making another."""
    import threading
    import time

    from marketplace.db import transaction, writing_session

    claim = claim_of(world, world.need("in_progress").id)
    first = writing_session(engine)
    made = confirmation.slip_for(first, claim=first.get(Claim, claim.id))
    seen = {}

    def second():
        with transaction(engine) as s:
            seen["slip"] = confirmation.slip_for(s, claim=s.get(Claim, claim.id)).id

    thread = threading.Thread(target=second)
    thread.start()
    time.sleep(0.5)
    first.commit()
    first.close()
    thread.join(30)
    assert seen["slip"] == made.id
    with world.tx() as s:
        assert len(s.scalars(select(DeliverySlip)).all()) == 1
