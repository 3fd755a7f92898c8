"""The explorer page: one self-contained HTML file (style, script and data inline).

``render(data)`` fills ``explorer.html`` (package data) with ``explorer.js`` and the page data
(see ``simnet.explorer.export``).  Nothing in the page asks any server for anything, except
the live page, which polls the run that served it.
"""
import html
import json
from importlib import resources


def _asset(name):
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


def _json_for_script(data):
    # inside <script type="application/json"> no "<" may appear (it could close the element): JSON escapes
    text = json.dumps(data, separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def render(data):
    """The page for ``data`` (a dict from ``page_data``), as one HTML string."""
    head, tail = _asset("explorer.html").split("__DATA__")  # split first: nothing filled in is a placeholder
    title = html.escape(str(data.get("title", "simnet run")))
    script = _asset("explorer.js")
    if data.get("playground"):  # a 2-D run: the maps panel, registered before the explorer starts
        script = _asset("maps.js") + "\n" + script
    return (head.replace("__TITLE__", title) + _json_for_script(data)
            + tail.replace("__SCRIPT__", script))


def write(data, path):
    """Write the page for ``data`` to ``path``, whole (``simnet.saving.files.write_file``); returns the path."""
    from ..saving.files import write_file

    text = render(data).encode("utf-8")
    write_file(path, lambda f: f.write(text))
    return path
