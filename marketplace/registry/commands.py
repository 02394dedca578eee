"""`marketplace registry fill-name-lookups` (registered in cli.py): the keyed name lookup of households
stored before it existed (migration 0017), made from their encrypted names."""

import click
from sqlalchemy import bindparam, select, update
from sqlalchemy.engine import Engine

from ..db import transaction
from ..privacy.identity import name_lookup
from ..privacy.vault import Vault
from .models import Household

BATCH = 1000


def fill_name_lookups(engine: Engine, vault: Vault, *, batch: int = BATCH) -> int:
    """Households with a name and no name lookup get one, `batch` at a time in id order, each batch its own
    transaction (a kill loses one batch; running again goes on). The names are decrypted in memory only."""
    table = Household.__table__
    statement = update(table).where(table.c.id == bindparam("_id")).values(name_hmac=bindparam("key"))
    filled, last = 0, 0
    while True:
        with transaction(engine) as session:
            rows = session.execute(select(table.c.id, table.c.head_name_enc)
                                   .where(table.c.id > last, table.c.name_hmac.is_(None),
                                          table.c.head_name_enc.is_not(None))
                                   .order_by(table.c.id).limit(batch)).all()
            if not rows:
                return filled
            keys = [{"_id": i, "key": name_lookup(vault, vault.decrypt(blob))} for i, blob in rows]
            keys = [k for k in keys if k["key"]]
            if keys:
                session.connection().execute(statement, keys)
            filled, last = filled + len(keys), rows[-1][0]


@click.group("registry")
def registry_group() -> None:
    """The low-income registry (低收入人口名单)."""


@registry_group.command("fill-name-lookups")
@click.option("--batch", default=BATCH, show_default=True, help="households per transaction")
def fill_name_lookups_command(batch: int) -> None:
    """Give every household stored before 0017 its keyed name lookup, so 救助对象 finds it by the head's
    name. Run once after `marketplace db upgrade`; running again does nothing more."""
    from ..cli import _app
    from ..db import engine_of
    from ..privacy.vault import vault

    app = _app()
    with app.app_context():
        box = vault()
    click.echo(f"name lookups filled: {fill_name_lookups(engine_of(app), box, batch=batch)} households")
