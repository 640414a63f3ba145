"""Text from the file or the user, made safe to show: names are data, never terminal commands.

A lead named "\\x1b]8;;https://evil\\x1b\\\\" must not become a link (OSC 8), clear the screen or retitle the
window: every control character is shown as a visible escape before it reaches a terminal, by the app, the
CLI's text and tables, and error messages that quote a file.
"""

from __future__ import annotations

import json
import re
from typing import Any

# DEL and C1 controls, and the bidirectional embeddings, overrides and isolates (which reorder what a
# terminal shows: "Trojan source"); with C0, every character that must not reach a terminal raw.
_NOT_C0 = "\x7f-\x9f\u202a-\u202e\u2066-\u2069"
_CONTROLS = re.compile(f"[\x00-\x1f{_NOT_C0}]")
_JSON_RAW = re.compile(f"[{_NOT_C0}]")  # json.dumps escapes C0 itself


def _visible(match: re.Match[str]) -> str:
    code = ord(match[0])
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str, keep: str = "") -> str:
    """`text` with each control character written as an escape such as \\x1b or \\u202e (visible, inert),
    except those in `keep` (e.g. "\\n" for text of several lines)."""
    if keep:
        return _CONTROLS.sub(lambda m: m[0] if m[0] in keep else _visible(m), text)
    return _CONTROLS.sub(_visible, text)


def json_text(data: Any, **options: Any) -> str:
    """JSON with non-ASCII text kept readable, and no control character raw: json escapes C0 itself; DEL, C1
    and the bidirectional controls become \\u escapes too (the same strings to any JSON reader)."""
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m[0]):04x}", json.dumps(data, ensure_ascii=False, **options))
