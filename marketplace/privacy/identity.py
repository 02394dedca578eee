"""A household's direct identifiers in the clear, for the few screens allowed to show them, and the one
place they are written to the household as ciphertext."""

import unicodedata
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


def normalise_name(name: str | None) -> str:
    """A name as the lookup key sees it: NFKC (full-width letters, compatibility forms) and no spaces of
    any kind, so 「王 秀英」 and 「王秀英」 are one name. The middle dot of minority names is kept."""
    return "".join(unicodedata.normalize("NFKC", name or "").split())


def name_lookup(vault: Vault, name: str | None) -> str | None:
    """The head's name as a keyed lookup (Household.name_hmac); None when there is no name."""
    name = normalise_name(name)
    return vault.name_key(name) if name else None


def protect(household, vault: Vault, identifiers: Identifiers) -> None:
    """Encrypt the identifiers into the household; the keyed HMACs of the ID number and of the head's
    name become its lookup keys."""
    number = normalise(identifiers.id_number) if identifiers.id_number else None
    household.head_name_enc = vault.encrypt(identifiers.name)
    household.name_hmac = name_lookup(vault, identifiers.name)
    household.id_number_enc = vault.encrypt(number)
    household.id_hmac = vault.lookup_key(number) if number else None
    household.phone_enc = vault.encrypt(identifiers.phone)
    household.address_enc = vault.encrypt(identifiers.address)


def reveal(household, vault: Vault) -> Identifiers:
    """Decrypt everything (the chain page). Callers log the view: see registry.service.household_for_staff."""
    return Identifiers(vault.decrypt(household.head_name_enc), vault.decrypt(household.id_number_enc),
                       vault.decrypt(household.phone_enc), vault.decrypt(household.address_enc))
