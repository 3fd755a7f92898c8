"""Write every scenario's options into docs/scenarios.md, between its ``<!-- options:begin -->`` and
``<!-- options:end -->`` markers, from the parsers themselves (``simnet run NAME --help``).

    python docs/make_scenarios.py

``tests/test_docs.py`` fails when the page and the parsers differ, so the options are documented once.
"""
import os
import re
import sys

from simnet.runs.registry import options_markdown

PAGE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "scenarios.md")
BLOCK = re.compile(r"(<!-- options:begin -->\n).*?(<!-- options:end -->)", re.S)


def updated(text):
    """``text`` (the page) with the generated options between its markers."""
    if not BLOCK.search(text):
        raise ValueError(f"{PAGE}: no <!-- options:begin --> ... <!-- options:end --> markers")
    return BLOCK.sub(lambda m: m.group(1) + "\n" + options_markdown() + "\n" + m.group(2), text)


def main():
    with open(PAGE) as f:
        text = f.read()
    new = updated(text)
    if new != text:
        with open(PAGE, "w") as f:
            f.write(new)
        print(f"wrote the options of every scenario into {PAGE}")
    else:
        print(f"{PAGE}: already up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
