"""安全日志: staff holding the 账号管理 duty read the security events of their region, filter them and
download them; exports, downloads, rule and synonym changes and imports each leave a row, refused ones
too; nothing in the app changes or deletes a row."""

import csv
import io
import re
import time
from datetime import UTC, datetime
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import select

from marketplace.cli import main
from marketplace.registry.idcard import check_character
from marketplace.security import events
from marketplace.security.models import SecurityEvent
from marketplace.vocabulary import STAFF_DUTIES
from support import login, post

LOG = "/staff/security-log"
ALL_DUTIES = ",".join(STAFF_DUTIES)


def _duties(world, user_id, duties=ALL_DUTIES):
    """Set a staff member's duties explicitly, whatever World grants by default."""
    with world.tx() as s:
        world.user(s, user_id).duties = duties


def _events(world, kind=None):
    with world.tx() as s:
        query = select(SecurityEvent).order_by(SecurityEvent.id)
        if kind:
            query = query.where(SecurityEvent.kind == kind)
        return list(s.scalars(query))


def _download(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    raw = response.get_data()
    response.close()
    return raw


def _table(body: str) -> str:
    return body.split('id="security-log"', 1)[1]


def _accounts_reader(world, client, user_id=None):
    """verifier@guoyang (涡阳县) with the accounts duty, signed in on `client`."""
    _duties(world, user_id or world.verifier)
    login(client, "verifier@guoyang.gov.cn")
    return client


def test_accounts_staff_see_their_county_and_not_another(app, world):
    _duties(world, world.poster)
    _duties(world, world.other_county)
    guoyang, mengcheng = app.test_client(), app.test_client()
    login(guoyang, "poster@guoyang.gov.cn")
    login(mengcheng, "staff@mengcheng.gov.cn")
    _download(guoyang, "/staff/reports/cliff.csv")
    _download(mengcheng, "/staff/reports/cliff.xlsx")

    reader = _accounts_reader(world, app.test_client())
    page = reader.get(LOG)
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    rows = _table(body)
    assert "poster（poster@guoyang.gov.cn）" in rows and "各类对象户均获助" in rows and "涡阳县" in rows
    assert "mengcheng" not in rows and "蒙城县" not in rows
    assert "<caption>" in rows and '<th scope="col">时间</th>' in rows
    assert 'href="/staff/security-log"' in body  # the nav link, for holders of the duty

    # The 蒙城 clerk's own accounts reader sees theirs and not 涡阳's.
    mengcheng_rows = _table(mengcheng.get(LOG).get_data(as_text=True))
    assert "staff@mengcheng.gov.cn" in mengcheng_rows and "guoyang" not in mengcheng_rows


def test_staff_without_the_accounts_duty_get_403_and_no_link(client, world):
    _duties(world, world.poster, "registry_import,need_posting,verification,org_vetting,rules")
    login(client, "poster@guoyang.gov.cn")
    assert client.get(LOG).status_code == 403
    assert client.get(LOG + ".csv").status_code == 403
    assert 'href="/staff/security-log"' not in client.get("/").get_data(as_text=True)
    fulfiler = client.application.test_client()
    login(fulfiler, "member@charity.org.cn")
    assert fulfiler.get(LOG).status_code == 403
    anonymous = client.application.test_client()
    assert anonymous.get(LOG).status_code in (302, 303)


def test_filter_by_kind_and_china_date(client, world):
    with world.tx() as s:
        poster = world.user(s, world.poster)
        late = events.record(s, "login", actor=poster, region_code="341621")
        # 16:30 UTC on 15 January is 00:30 on 16 January in China: the row belongs to the 16th.
        late.at = datetime(2026, 1, 15, 16, 30, tzinfo=UTC)
        early = events.record(s, "login", outcome="failed", region_code="341621100", reason="密码错误")
        early.at = datetime(2026, 1, 15, 8, 0, tzinfo=UTC)
        events.record(s, "export", actor=poster, rows=7, what="救助盲区", format="csv")
    reader = _accounts_reader(world, client)

    page = _table(reader.get(LOG, query_string={"kind": "login", "from": "2026-01-16", "to": "2026-01-16"})
                  .get_data(as_text=True))
    assert "共 1 条" in page and "2026-01-16 00:30:00" in page and "登录" in page
    page = _table(reader.get(LOG, query_string={"kind": "login", "to": "2026-01-15"}).get_data(as_text=True))
    assert "共 1 条" in page and "2026-01-15 16:00:00" in page and "匿名" in page and "失败" in page
    page = _table(reader.get(LOG, query_string={"kind": "export"}).get_data(as_text=True))
    assert "共 1 条" in page and "救助盲区" in page and "登录" not in page
    page = _table(reader.get(LOG, query_string={"outcome": "failed"}).get_data(as_text=True))
    assert "共 1 条" in page and "原因：密码错误" in page
    page = _table(reader.get(LOG, query_string={"actor": "POSTER@guoyang"}).get_data(as_text=True))
    assert "共 2 条" in page
    form = reader.get(LOG).get_data(as_text=True)
    assert '<option value="login.locked" >登录锁定</option>' in form or ">登录锁定</option>" in form
    refused = reader.get(LOG, query_string={"kind": "nonsense"})
    assert refused.status_code == 422 and "请选择有效的事件类型" in refused.get_data(as_text=True)
    refused = reader.get(LOG, query_string={"from": "2026-02-30"})
    assert refused.status_code == 422 and "日期格式应为 YYYY-MM-DD" in refused.get_data(as_text=True)
    assert 'name="kind"' in refused.get_data(as_text=True)  # the filter form stays
    assert reader.get(LOG + ".csv", query_string={"to": "2026-13-01"}).status_code == 422
    assert reader.get(LOG, query_string={"page": "99999999999999999999"}).status_code == 200


def test_the_csv_holds_the_filtered_rows_and_writes_an_export_event(client, world):
    with world.tx() as s:
        poster = world.user(s, world.poster)
        for n in range(3):
            events.record(s, "download", actor=poster, rows=n, what="导入拒绝行", job=n)
        events.record(s, "login", actor=poster, region_code="341621")
        events.record(s, "login", actor=world.user(s, world.other_county))  # 蒙城: never in 涡阳's file
    reader = _accounts_reader(world, client)
    raw = _download(reader, LOG + ".csv?kind=download")
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == ["时间", "事件", "结果", "操作人", "涉及账号", "地区", "IP", "路径", "行数", "详情"]
    assert len(rows) == 4 and {r[1] for r in rows[1:]} == {"下载"}
    assert rows[1][3] == "poster（poster@guoyang.gov.cn）" and rows[1][8] == "2"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", rows[1][0])

    (export,) = [e for e in _events(world, "export") if e.detail.get("what") == "安全日志"]
    assert export.actor_id == world.verifier and export.rows == 3 and export.detail["filter_kind"] == "download"
    assert export.path == LOG + ".csv" and export.region_code == "341621"
    # The unfiltered file: everything of 涡阳 including that export, nothing of 蒙城.
    everything = list(csv.reader(io.StringIO(_download(reader, LOG + ".csv").decode("utf-8-sig"))))
    kinds = [r[1] for r in everything[1:]]
    assert kinds.count("下载") == 3 and kinds.count("导出") == 1 and "登录" in kinds
    assert {r[5] for r in everything[1:]} == {"涡阳县"} and "mengcheng" not in str(everything)


def test_a_ledger_export_and_a_report_download_each_leave_a_row_with_the_count(client, world, database_url,
                                                                                 monkeypatch, tmp_path):
    _duties(world, world.poster)
    _duties(world, world.verifier)
    world.need("verified")  # one chain entry in 涡阳
    login(client, "poster@guoyang.gov.cn")
    _download(client, "/staff/reports/ledger.csv")
    (web,) = _events(world, "export")
    assert (web.actor_id, web.rows, web.region_code) == (world.poster, 1, "341621")
    assert web.detail["what"] == "救助帮扶衔接台账" and web.detail["format"] == "csv"

    monkeypatch.setenv("MARKETPLACE_DATABASE_URL", database_url)
    result = CliRunner().invoke(main, ["export-ledger", "--format", "csv", "--region", "341621",
                                       str(tmp_path / "ledger.csv")])
    assert result.exit_code == 0, result.output
    cli = _events(world, "export")[-1]
    assert (cli.actor_id, cli.rows, cli.region_code, cli.detail["via"]) == (None, 1, "341621", "cli")

    reader = _accounts_reader(world, client.application.test_client())
    rows = _table(reader.get(LOG).get_data(as_text=True))
    assert "方式：命令行" in rows and "匿名" in rows


def test_a_refused_rule_change_still_leaves_its_event(client, world):
    _duties(world, world.poster)
    login(client, "poster@guoyang.gov.cn")
    refused = post(client, "/staff/rules/goods", {"goods-kind": "item_window", "goods-window_days": "",
                                                  "goods-explanation": "试点县规则"}, page="/staff/rules")
    assert refused.status_code == 422
    ok = post(client, "/staff/rules/goods", {"goods-kind": "item_window", "goods-window_days": "60",
                                             "goods-active": "y", "goods-explanation": "试点县规则"},
              page="/staff/rules")
    assert ok.status_code == 303
    failed, changed = _events(world, "rules.change")
    assert (failed.outcome, failed.actor_id, failed.detail["category"]) == ("failed", world.poster, "goods")
    assert "时间窗口" in failed.detail["reason"]
    assert changed.outcome == "ok" and changed.detail["changed"] == ["window_days", "explanation"]

    township = client.application.test_client()
    _duties(world, world.township_staff)
    login(township, "chudian@guoyang.gov.cn")
    assert post(township, "/staff/rules/goods", {"goods-kind": "item_window", "goods-window_days": "30",
                                                 "goods-explanation": "乡镇改规则"}, page="/staff/rules").status_code == 403
    assert _events(world, "rules.change")[-1].outcome == "denied"


def test_synonym_changes_are_logged_with_the_number_of_groups(client, world):
    _duties(world, world.poster)
    login(client, "poster@guoyang.gov.cn")
    assert post(client, "/staff/synonyms", {"groups": "轮椅 代步车\n孤词"}, page="/staff/synonyms").status_code == 422
    assert post(client, "/staff/synonyms", {"groups": "轮椅 代步车\n棉被 被褥"},
                page="/staff/synonyms").status_code == 303
    failed, saved = _events(world, "synonyms.change")
    assert failed.outcome == "failed" and "第2行" in failed.detail["reason"]
    assert saved.outcome == "ok" and saved.detail["groups"] == 2 and saved.actor_id == world.poster


def test_an_import_job_logs_its_counts_as_its_creator_and_the_errors_file_download(client, world):
    _duties(world, world.poster)
    login(client, "poster@guoyang.gov.cn")
    ids = [first + check_character(first) for first in ("34162119480312021", "34162219600101042")]
    body = ("户编号,户主姓名,身份证号,家庭人口,救助类别,行政区划代码\n"
            f"GY-0001,张秀英,{ids[0]},1,特困,341621100\n"
            f"MC-0001,王桂兰,{ids[1]},2,低保,341622100\n").encode()
    response = post(client, "/staff/imports", {"kind": "registry", "file": (io.BytesIO(body), "名单.csv")},
                    page="/staff/imports", content_type="multipart/form-data")
    assert response.status_code == 303
    job_url = response.headers["Location"]
    response.close()  # the job starts once the response is closed
    deadline = time.monotonic() + 20
    while not _events(world, "registry.import"):
        assert time.monotonic() < deadline, "import did not finish in 20 s"
        time.sleep(0.2)
    (done,) = _events(world, "registry.import")
    assert (done.actor_id, done.outcome, done.region_code, done.path) == (world.poster, "ok", "341621", None)
    assert done.detail["rejected"] == 1 and done.detail["imported"] + done.detail["rejected"] == done.rows
    _download(client, job_url + "/errors.csv")
    (download,) = _events(world, "download")
    assert download.rows == 1 and download.actor_id == world.poster and download.detail["job"]


def test_hours_export_and_certificate_are_logged(client, world):
    login(client, "member@charity.org.cn")
    _download(client, "/organization/hours.csv")
    volunteer = client.application.test_client()
    login(volunteer, "helper@volunteer.cn")
    assert volunteer.get("/my/hours/certificate").status_code == 200
    export, = _events(world, "export")
    download, = _events(world, "download")
    assert (export.actor_id, export.rows, export.region_code) == (world.charity, 0, "341621")
    assert (download.actor_id, download.rows) == (world.volunteer, 0)


def test_no_route_changes_or_deletes_a_security_event(client, world, app):
    for rule in app.url_map.iter_rules():
        if "security" in rule.rule or rule.endpoint.startswith("security."):
            assert rule.methods <= {"GET", "HEAD", "OPTIONS"}, rule
    reader = _accounts_reader(world, client)
    for method in ("delete", "put", "patch", "post"):
        assert getattr(reader, method)(LOG).status_code in (400, 405), method
        assert getattr(reader, method)(LOG + ".csv").status_code in (400, 405), method
    with world.tx() as s:
        events.record(s, "login", actor=world.user(s, world.verifier))
    page = reader.get(LOG).get_data(as_text=True)
    main_part = page.split('id="main"', 1)[1].split("</main>", 1)[0]
    assert 'method="post"' not in main_part and "<button" in main_part  # only the filter's 查询 button
    assert not re.search(r'href="/staff/security-log/', main_part)  # no per-row page to act on
    # No code path deletes or updates the table.
    source = "\n".join(p.read_text(encoding="utf-8") for p in Path("marketplace").rglob("*.py"))
    for needle in ("delete(SecurityEvent", "update(SecurityEvent", "SecurityEvent.__table__.delete",
                   "SecurityEvent.__table__.update", "DELETE FROM security_event", "UPDATE security_event"):
        assert needle not in source, needle
