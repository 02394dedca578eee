"""One policy, deny by default: every route names a permission from POLICY, and a route that names none is
refused at run time (and written to the security log), not left open."""

from flask import Blueprint
from sqlalchemy import select

from marketplace.auth.policy import POLICY, declared
from marketplace.security.models import SecurityEvent
from support import login


def test_every_route_declares_a_permission_that_exists(app):
    missing, unknown = [], []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        name = declared(app.view_functions[rule.endpoint])
        if name is None:
            missing.append(f"{rule.endpoint} {rule.rule}")
        elif name not in POLICY:
            unknown.append(f"{rule.endpoint}: {name}")
    assert not missing, "routes without @permission: " + ", ".join(missing)
    assert not unknown, "permissions not in POLICY: " + ", ".join(unknown)


def test_no_view_uses_the_old_role_decorators():
    from pathlib import Path

    import marketplace

    root = Path(marketplace.__file__).parent
    assert not (root / "auth" / "decorators.py").exists()
    offenders = [str(p.relative_to(root)) for p in root.rglob("*.py")
                 if "staff_required" in p.read_text(encoding="utf-8")
                 or "role_required" in p.read_text(encoding="utf-8")
                 or "login_required" in p.read_text(encoding="utf-8")]
    assert not offenders


def _undeclared_app(app):
    throwaway = Blueprint("throwaway", __name__)

    @throwaway.get("/throwaway/open-door")
    def open_door():
        return "should never be served"

    app.register_blueprint(throwaway)
    return app


def test_a_route_added_without_a_permission_is_refused_to_everyone(app, world):
    _undeclared_app(app)
    anonymous = app.test_client()
    assert anonymous.get("/throwaway/open-door").status_code == 403
    staff = app.test_client()
    login(staff, "city@bozhou.gov.cn")  # every duty, the widest scope
    response = staff.get("/throwaway/open-door")
    assert response.status_code == 403
    assert "should never be served" not in response.get_data(as_text=True)
    with world.tx() as s:
        rows = list(s.scalars(select(SecurityEvent).where(SecurityEvent.kind == "access.denied",
                                                          SecurityEvent.path == "/throwaway/open-door")))
    assert len(rows) == 2
    assert {r.actor_id for r in rows} == {None, world.city}
    assert all(r.outcome == "denied" and r.detail["endpoint"] == "throwaway.open_door" for r in rows)
