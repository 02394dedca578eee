"""送达确认: delivery slips with the household's code, follow-up visits, and the rule that says whether a
verification needs them. (Filled in by the confirmation work of issue 14.)"""

from sqlmodel import Session


def for_verification(session: Session, actor, need, *, claim=None, pledge=None, slip_checked: bool = False) -> str:
    """How the household confirmed receipt of this claim's or pledge's aid: "code", "slip", "visit" or "none".
    Raises Invalid when the need's form requires confirmation and there is none."""
    return "none"
