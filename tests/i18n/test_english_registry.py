"""The registry's and privacy's pages in English, as staff and claimants use them: the household finder and
its lookups, the upload page and an import's outcome, the access log, the contact panel and its refusals,
and the identifier scan's refusal. Chinese stays the default (the other tests run in it)."""

import io
import time
from datetime import UTC, datetime

import pytest

from marketplace.errors import Invalid
from marketplace.privacy import pii_scan
from marketplace.registry.models import AccessLog
from support import login, post


@pytest.fixture
def staff(client, world):
    world.in_english(world.poster)
    login(client, "poster@guoyang.gov.cn")
    return client


def test_the_household_finder_reads_in_english(staff, world):
    household = world.household("341621100", "dibao", household_no="3416210001", hardships=["重病"])
    body = staff.get("/staff/households").get_data(as_text=True)
    assert '<html lang="en">' in body
    for text in ("Only low-income households in your region are shown", "Person no. or household no.",
                 "Look up by head of household", "Hardships (all of)", "Post a need",
                 "1 household<"):
        assert text in body, text
    assert household.public_code in body and "重病" not in body.split("<tbody>")[1]
    empty = staff.get("/staff/households?q=ZZZ&months=3").get_data(as_text=True)
    assert ("No household in 涡阳县 where the person no. or household no. starts with “ZZZ”, there has been no aid "
            "in the last 3 months. Numbers match from the start") in empty


def test_lookup_errors_come_back_in_english(staff, world):
    neither = post(staff, "/staff/households/find", {"name": "", "id_number": ""}, page="/staff/households")
    assert neither.status_code == 422
    assert "Enter the head of household&#39;s name or ID number (one of the two)." in neither.get_data(as_text=True)
    wrong = post(staff, "/staff/households/find", {"id_number": "34162119560312103X"}, page="/staff/households")
    text = wrong.get_data(as_text=True)
    assert wrong.status_code == 422 and "check character is wrong" in text and "身份证号校验位错误" not in text
    too_long = staff.get("/staff/households?q=" + "A" * 33)
    assert too_long.status_code == 422
    assert "A person no. or household no. has at most 32 characters." in too_long.get_data(as_text=True)


def test_the_import_page_and_a_failed_import_in_english(staff):
    page = staff.get("/staff/imports").get_data(as_text=True)
    for text in ("What to import", "Low-income population registry", "Government aid payments",
                 "Dry run (check only, write nothing)", "No imports yet."):
        assert text in page, text
    refused = post(staff, "/staff/imports", {"kind": "registry", "file": (io.BytesIO(b"x"), "list.txt")},
                   page="/staff/imports", content_type="multipart/form-data")
    assert refused.status_code == 422 and "Only CSV (UTF-8 or GBK encoded) or XLSX files are accepted." in \
        refused.get_data(as_text=True)
    response = post(staff, "/staff/imports", {"kind": "registry", "file": (io.BytesIO(b""), "empty.csv")},
                    page="/staff/imports", content_type="multipart/form-data")
    assert response.status_code == 303
    job_url = response.headers["Location"]
    response.close()  # the import thread starts once the response is closed
    deadline = time.monotonic() + 20
    while "every 1s" in (fragment := staff.get(job_url, headers={"HX-Request": "true"}).get_data(as_text=True)):
        assert time.monotonic() < deadline, "import did not finish in 20 s"
        time.sleep(0.2)
    # The job's message is stored in Chinese and translated when shown.
    assert "Import failed: The file is empty: it has no header row and no data." in fragment
    job = staff.get(job_url).get_data(as_text=True)
    assert "Import progress: empty.csv" in job and "Back to imports" in job
    listed = staff.get("/staff/imports").get_data(as_text=True)
    assert "empty.csv" in listed and "My imports" in listed and "失败" not in listed


def test_the_access_log_reads_in_english(staff, world):
    household = world.household()
    with world.tx() as s:
        s.add(AccessLog(user_id=world.verifier, household_id=household.id, action="view_contact",
                        purpose="安排帮扶联系", path="/needs/1/contact", at=datetime(2026, 3, 1, 9, 2, tzinfo=UTC)))
    body = staff.get("/staff/access-log").get_data(as_text=True)
    for text in ("Who viewed the personal information of households in your region", "Viewed by", "Purpose",
                 "Arranging contact for aid", "1 Mar 2026 09:02:00", household.public_code):
        assert text in body, text
    assert "安排帮扶联系" not in body
    assert "No access records." in staff.get("/staff/access-log?code=HZZZZZZZZ").get_data(as_text=True)


def test_the_contact_panel_and_its_refusal_in_english(client, world):
    household = world.household(name="王桂英", phone="13905581234", address="涡阳县楚店镇张庄村32号")
    need = world.need("open", household=household)
    world.in_english(world.poster, world.other_county)
    login(client, "poster@guoyang.gov.cn")
    shown = post(client, f"/needs/{need.id}/contact", page=f"/needs/{need.id}").get_data(as_text=True)
    assert "Contact person" in shown and "This view has been recorded in the access log." in shown
    assert "13905581234" in shown
    other = client.application.test_client()
    login(other, "staff@mengcheng.gov.cn")
    refused = post(other, f"/needs/{need.id}/contact", page=f"/needs/{need.id}")
    assert refused.status_code == 403
    assert "This household is outside your region" in refused.get_data(as_text=True)


def test_the_identifier_scan_refuses_in_the_readers_language(app):
    with app.test_request_context(headers={"Accept-Language": "en"}), pytest.raises(Invalid) as refused:
        pii_scan.scan({"title": "请拨13812345678联系"})
    assert refused.value.message == ("Title: “13812345678” (characters 3 to 13) is a phone number. "
                                     "Contact details are given only after a claim, with consent.")
    with app.test_request_context(), pytest.raises(Invalid) as chinese:
        pii_scan.scan({"title": "请拨13812345678联系"})
    assert chinese.value.message == "标题第3至13个字符「13812345678」是电话号码，联系方式只在认领后按授权提供。"
