"""认捐核验 has the same states as the claim evidence queue: 待核验, 已核验, 已退回 (tests/fulfilment/test_queue_states.py)."""

from pledge_support import pledge, submit_evidence

from marketplace.pledges import review
from marketplace.pledges.models import Pledge
from support import login


def test_pledge_evidence_queue_has_the_same_states(client, world):
    n = world.need("open", title="认捐核验的助学金")
    first = pledge(world, world.charity, n.id, 100000)
    submit_evidence(world, world.charity, first.id)
    with world.tx() as s:
        review.reject(s, world.user(s, world.verifier), s.get(Pledge, first.id), "凭证不清晰")
    login(client, "verifier@guoyang.gov.cn")
    assert "认捐核验的助学金" not in client.get("/staff/pledges").get_data(as_text=True)
    returned = client.get("/staff/pledges?state=returned").get_data(as_text=True)
    assert "认捐核验的助学金" in returned and f'href="/staff/pledges/verify/{first.id}"' in returned
    assert "认捐核验的助学金" not in client.get("/staff/pledges?state=verified").get_data(as_text=True)
