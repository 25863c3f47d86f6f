"""French typography: the spaces before ? ! : ; » and after « must not break."""

import re

NBSP = "\u00a0"
NARROW_NBSP = "\u202f"
_BEFORE = re.compile(r"(?<=\S)[ \u00a0]+([?!;»])")
_BEFORE_COLON = re.compile(r"(?<=\S)[ \u00a0]+(:)(?=\s|$)")
_AFTER = re.compile(r"(«)[ \u00a0]+(?=\S)")
# Every pattern above needs one of these: most strings (titles, labels) have none, and a
# page filters dozens of them.
_PUNCTUATION = frozenset("?!;»:«")


def french_spacing(text: str) -> str:
    """Replace breakable spaces around French punctuation with non-breaking ones.

    A narrow no-break space before ? ! ; and », a no-break space before a colon and after «,
    as French typography wants; a line never starts with « ? » alone.
    """
    if _PUNCTUATION.isdisjoint(text):
        return text
    text = _BEFORE.sub(NARROW_NBSP + r"\1", text)
    text = _BEFORE_COLON.sub(NBSP + r"\1", text)
    return _AFTER.sub(r"\1" + NBSP, text)
