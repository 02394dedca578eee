"""Who paid for a chain entry (资金来源, vocabulary.FUNDING): 财政资金, 政府购买服务, 慈善资金, 企业捐赠, 志愿服务.

Writers set `LedgerEntry.funding` from migration 0018 on (`for_aid` here). Entries written before it have
none, and their hashes forbid filling it in afterwards (a hashed field set later breaks the chain), so the
reports and the export derive it the same way the writers decide it: government aid is fiscal, a
volunteer's is volunteer service, an organisation's is corporate for a company and charity otherwise.
No purchase project existed before 0018, so no old entry can be a purchased service."""

from sqlalchemy import case
from sqlmodel import Session

from ..organizations.models import Organization


def of_source(source: str | None, org_kind: str | None) -> str:
    """The funding an entry without one is read as (and a new one is given), from its source and the
    organisation's kind."""
    if source == "government":
        return "fiscal"
    if source == "volunteer":
        return "volunteer"
    if org_kind == "company":
        return "corporate"
    if org_kind == "government":
        return "fiscal"  # a department carrying out aid itself spends public money
    return "charity"


def for_aid(session: Session, source: str, organization_id: int | None, purchase_project_id: int | None = None) -> str:
    """The funding of an entry about to be appended."""
    if purchase_project_id is not None:
        return "purchase"
    kind = None
    if organization_id is not None:
        org = session.get(Organization, organization_id)
        kind = org.kind if org else None
    return of_source(source, kind)


def effective_sql(entry, org_kind):
    """SQL: the entry's funding, stored or derived as `of_source` derives it. `org_kind` is the kind column
    of the entry's organisation, outer-joined (NULL without one)."""
    return case(
        (entry.funding.is_not(None), entry.funding),
        (entry.source == "government", "fiscal"),
        (entry.source == "volunteer", "volunteer"),
        (org_kind == "company", "corporate"),
        (org_kind == "government", "fiscal"),
        else_="charity",
    )
