"""Numbers in printed words: ``plural`` ("1 epoch", "2 epochs") and ``fixed`` (never "-0.000").

Every line a scenario prints goes through these where a count or a rounded value is shown, so a
reader never sees "1 epochs" or a negative zero.
"""


def plural(count: int, word: str, words: str | None = None) -> str:
    """``'1 epoch'``, ``'2 epochs'``, ``'1000 runs'``: ``count`` and the word, in the plural (``words``,
    default ``word + 's'``) unless ``count`` is 1."""
    return f"{count} {word if count == 1 else words or word + 's'}"


def fixed(value: float, digits: int = 3) -> str:
    """``value`` with ``digits`` decimals, a value that rounds to zero written without a sign
    (``fixed(-0.0001)`` is ``'0.000'``, not ``'-0.000'``)."""
    text = f"{float(value):.{digits}f}"
    return text[1:] if text.startswith("-") and not text.strip("-0.") else text
