"""The staff upload page: the file is imported in the background, the page shows progress, then the summary
and a download of the rejected rows with their reasons."""

import io
import time

from sqlalchemy import func, select

from marketplace.registry.idcard import check_character
from marketplace.registry.models import Household
from support import login, post

HEADER = "户编号,户主姓名,身份证号,家庭人口,救助类别,行政区划代码,联系电话,困难情形\n"


def _id(area: str, born: str, seq: str) -> str:
    first17 = f"{area}{born}{seq}"
    return first17 + check_character(first17)


def _csv() -> bytes:
    rows = [
        f"GY-0001,张秀英,{_id('341621', '19480312', '021')},1,特困,341621100,13955801234,高龄、独居",
        f"GY-0002,李建国,{_id('341621', '19750704', '113')},4,低保边缘,341621101,,重病",
        f"MC-0001,王桂兰,{_id('341622', '19600101', '042')},2,低保,341622100,,",
    ]
    return (HEADER + "\n".join(rows) + "\n").encode("gbk")


def _wait_until_finished(client, url: str) -> str:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        body = client.get(url, headers={"HX-Request": "true"}).get_data(as_text=True)
        if "every 1s" not in body:
            return body
        time.sleep(0.2)
    raise AssertionError("import did not finish in 20 s")


def test_staff_upload_a_gbk_registry_and_see_the_summary_and_rejections(client, world):
    login(client, "poster@guoyang.gov.cn")
    response = post(client, "/staff/imports", {"kind": "registry", "file": (io.BytesIO(_csv()), "名单.csv")},
                    page="/staff/imports", content_type="multipart/form-data")
    assert response.status_code == 303
    job_url = response.headers["Location"]
    response.close()  # the import starts once the response is closed, after the request's commit

    fragment = _wait_until_finished(client, job_url)
    assert "<html" not in fragment
    assert "imported=2 updated=0 unchanged=0 rejected=1" in fragment
    with world.tx() as s:
        assert s.scalar(select(func.count()).select_from(Household)) == 2

    page = client.get(job_url).get_data(as_text=True)
    assert "名单.csv" in page and "下载被拒绝的行及原因" in page
    errors_url = job_url + "/errors.csv"
    report = client.get(errors_url)
    assert report.status_code == 200
    text = report.get_data().decode("utf-8-sig")
    report.close()
    assert "不在您负责的行政区划内" in text and "MC-0001" in text

    other = client.application.test_client()
    login(other, "verifier@guoyang.gov.cn")
    assert other.get(job_url).status_code == 403
    assert other.get(errors_url).status_code == 403


def test_an_upload_that_is_not_csv_or_xlsx_is_refused_next_to_the_field(client, world):
    login(client, "poster@guoyang.gov.cn")
    response = post(client, "/staff/imports", {"kind": "registry", "file": (io.BytesIO(b"x"), "名单.pdf")},
                    page="/staff/imports", content_type="multipart/form-data")
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="file-error"' in body and "只接受 CSV" in body


def test_a_file_without_the_required_headers_fails_with_the_reason(client, world):
    login(client, "poster@guoyang.gov.cn")
    response = post(client, "/staff/imports",
                    {"kind": "registry", "file": (io.BytesIO("姓名,电话\n张三,1\n".encode()), "bad.csv")},
                    page="/staff/imports", content_type="multipart/form-data")
    job_url = response.headers["Location"]
    response.close()
    fragment = _wait_until_finished(client, job_url)
    assert "导入失败" in fragment and "户编号" in fragment
    with world.tx() as s:
        assert s.scalar(select(func.count()).select_from(Household)) == 0


def test_the_import_page_is_staff_only(client, world):
    login(client, "member@charity.org.cn")
    assert client.get("/staff/imports").status_code == 403
