"""The pledge verification page: the need and the pledge's evidence side by side with the photos, and an
approval on a photographed, signed slip only with the verifier's checkbox."""

import re
from datetime import date

from evidence_samples import jpeg
from pledge_support import pledge, stage_evidence

from marketplace.evidence import service as evidence_files
from marketplace.pledges import review
from marketplace.pledges.models import Pledge
from support import login, post


def test_the_pledge_verification_page_and_slip_checked_approval(client, world):
    n = world.need("open")
    p = pledge(world, world.charity, n.id, 100000)
    stage_evidence(world, world.charity, p.id, confirm=False)
    with world.tx() as s:
        row = s.get(Pledge, p.id)
        evidence_files.stage(s, world.user(s, world.charity), pledge=row, role="slip", filename="slip.jpg",
                             data=jpeg(400, 300))
        review.submit(s, world.user(s, world.charity), row, review.PledgeEvidence(date.today(), "已转账至学校账户"))
        files = evidence_files.review_files(s, pledge=row)
    login(client, "verifier@guoyang.gov.cn")
    assert f'href="/staff/pledges/verify/{p.id}"' in client.get("/staff/pledges").get_data(as_text=True)
    html = client.get(f"/staff/pledges/verify/{p.id}").get_data(as_text=True)
    assert 'class="side-by-side"' in html and "涡阳县慈善协会" in html and "1,000 元" in html and "支付日期" in html
    assert all(f'href="/evidence-files/{x.id}"' in html for x in files) and len(files) == 2
    assert re.search(r'name="slip_checked"', html)
    page = f"/staff/pledges/verify/{p.id}"
    assert post(client, f"/staff/pledges/{p.id}/approve", page=page).status_code == 422
    assert post(client, f"/staff/pledges/{p.id}/approve", {"slip_checked": "y"}, page=page).status_code == 303
    with world.tx() as s:
        assert (s.get(Pledge, p.id).status, s.get(Pledge, p.id).confirmation) == ("verified", "slip")
