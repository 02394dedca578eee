"""A household's direct identifiers in the clear, for the few screens allowed to show them, and the one
place they are written to the household as ciphertext."""

from dataclasses import dataclass

from ..registry.idcard import normalise
from .vault import Vault


@dataclass(frozen=True)
class Identifiers:
    name: str | None = None
    id_number: str | None = None
    phone: str | None = None
    address: str | None = None

    @property
    def masked_id(self) -> str:
        return mask_id(self.id_number)


def mask_id(number: str | None) -> str:
    """3416**********123X: region and last digits are enough for staff to match a paper file."""
    if not number:
        return ""
    return number[:4] + "*" * (len(number) - 8) + number[-4:] if len(number) > 8 else "*" * len(number)


def protect(household, vault: Vault, identifiers: Identifiers) -> None:
    """Encrypt the identifiers into the household; the ID number's keyed HMAC becomes its lookup key."""
    number = normalise(identifiers.id_number) if identifiers.id_number else None
    household.head_name_enc = vault.encrypt(identifiers.name)
    household.id_number_enc = vault.encrypt(number)
    household.id_hmac = vault.lookup_key(number) if number else None
    household.phone_enc = vault.encrypt(identifiers.phone)
    household.address_enc = vault.encrypt(identifiers.address)


def reveal(household, vault: Vault) -> Identifiers:
    """Decrypt everything (the chain page). Callers log the view: see registry.service.household_for_staff."""
    return Identifiers(vault.decrypt(household.head_name_enc), vault.decrypt(household.id_number_enc),
                       vault.decrypt(household.phone_enc), vault.decrypt(household.address_enc))
