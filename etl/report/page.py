"""The report's HTML: the template with its style, script, vendored libraries and data inlined."""
from __future__ import annotations

import html
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"
VENDOR = HERE / "vendor"

_SLOT = re.compile(r"/\*@(\w+)@\*/|@@(\w+)@@")
_SOURCE_MAP = re.compile(rb"\n//# sourceMappingURL=\S+\s*$")


def _inline(text: str, name: str) -> str:
    if "</script" in text.lower():  # it would end the <script> element it is put in
        raise ValueError(f"{name} cannot be inlined in a <script> element")
    return text


@cache
def _vendor(name: str) -> str:
    # An inlined script has no file beside it: without this line the browser's tools would look for one.
    return _inline(_SOURCE_MAP.sub(b"\n", (VENDOR / name).read_bytes()).decode("utf-8"), name)


@cache
def _static(name: str) -> str:
    return (STATIC / name).read_text(encoding="utf-8")


def _json_in_script(data: object) -> str:
    """JSON that no text in it can end or comment out the <script> element it sits in:
    <, > and & only occur inside strings, where \\u escapes mean the same."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def render(data: dict[str, Any]) -> bytes:
    """One HTML page, every script and style inside it."""
    slots = {
        "TITLE": html.escape(f"newsgraph report: {data['built']['store']}"),
        "STYLE": _static("report.css"),
        "VIS_NETWORK": _vendor("vis-network.min.js"),
        "VIS_TIMELINE": _vendor("vis-timeline-graph2d.min.js"),
        "SCRIPT": _inline(_static("report.js"), "report.js"),
        "DATA": _json_in_script(data),
    }
    # One pass: what is put in a slot is never searched for slots itself.
    page = _SLOT.sub(lambda m: slots[m[1] or m[2]], _static("report.html"))
    return page.encode("utf-8")
