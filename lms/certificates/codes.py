"""Verification codes: unguessable, and easy to read out, type and copy by hand."""

import re
import secrets

# No 0/O, 1/I/L: nothing a reader can mistake for another character.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 12  # 31**12 ≈ 8·10**17 codes: about 59 bits, beyond any guessing at our rate limits

_SEPARATORS = re.compile(r"[\s\-_.]")


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalise_code(text: str) -> str | None:
    """The stored form of a code as someone typed it, or None if it cannot be one."""
    code = _SEPARATORS.sub("", text or "").upper()
    if len(code) != LENGTH or any(char not in ALPHABET for char in code):
        return None
    return code
