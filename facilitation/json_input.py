"""JSON from clients, over HTTP and Socket.IO, with a nesting limit checked before it is parsed.

Python's json module recurses once per level of nesting: a body of a few thousand `[` raises
RecursionError deep inside the parser (a 500 over HTTP, and over a socket no answer at all). The
limit below is checked first, on the raw text, in time linear in its length (the size itself is
already bounded: MAX_CONTENT_LENGTH for HTTP, MAX_SOCKET_MESSAGE_BYTES for a socket message).
"""

from __future__ import annotations

import json
import re

import orjson
from flask.json.provider import DefaultJSONProvider

#: The deepest nesting a client may send. A command is at most about five levels deep (envelope,
#: args, a list of positions, a position); twenty leaves room for any honest client.
MAX_DEPTH = 20

#: A string (with its escapes) or a bracket: strings are skipped whole, so brackets inside them
#: do not count.
_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)
#: The event name at the start of a Socket.IO event's data, e.g. `["command",{...}]`.
_EVENT_NAME = re.compile(r'\s*\[\s*"((?:[^"\\]|\\.){1,64})"')

TOO_DEEP = f"The message is nested too deeply (at most {MAX_DEPTH} levels)."


class TooDeep(ValueError):
    """A JSON text nested deeper than MAX_DEPTH."""

    def __init__(self) -> None:
        super().__init__(TOO_DEEP)


class Refused:
    """What a socket handler receives in place of a message that could not be read: its handler
    answers with `message` as a validation error instead of running."""

    def __init__(self, message: str) -> None:
        self.message = message


def too_deep(text: str | bytes, limit: int = MAX_DEPTH) -> bool:
    """True when `text` nests arrays and objects more than `limit` levels deep."""
    if isinstance(text, bytes | bytearray):
        text = text.decode("utf-8", "replace")
    if text.count("[") + text.count("{") <= limit:  # the usual case, answered in C
        return False
    depth = 0
    for match in _TOKENS.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > limit:
                return True
        elif token in "]}":
            depth -= 1
    return False


def loads(text: str | bytes, **kwargs):
    """json.loads, refusing (TooDeep) a text nested deeper than MAX_DEPTH before parsing it."""
    if too_deep(text):
        raise TooDeep()
    return json.loads(text, **kwargs)


def compact_text(obj) -> str:
    """JSON text with no spaces, written by orjson (in C; about six times faster than the json module).
    Numbers JSON cannot hold (infinities, NaN) become null, which every JSON reader takes; an integer
    beyond 64 bits, which orjson refuses, is written by the json module."""
    try:
        return orjson.dumps(obj, option=orjson.OPT_NON_STR_KEYS).decode()
    except TypeError:
        return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


class SocketJson:
    """Compact JSON for Socket.IO packets; a message nested too deeply reaches its handler as
    `Refused`, so the sender gets a clear answer to its acknowledgement instead of silence.

    What the server sends is `compact_text` (a meeting's snapshot on every connection, every event).
    What clients send is read by the json module after the nesting check (it is small)."""

    @staticmethod
    def dumps(obj, **kwargs) -> str:
        return compact_text(obj)

    @staticmethod
    def loads(text, **kwargs):
        if not too_deep(text):
            return json.loads(text)
        name = _EVENT_NAME.match(text if isinstance(text, str) else text.decode("utf-8", "replace"))
        refused = Refused(TOO_DEEP)
        # An event keeps its name, so it reaches its own handler (and its flood allowance); anything
        # else (a connect packet's auth) becomes a value no handler accepts.
        return [json.loads(f'"{name.group(1)}"'), refused] if name else refused


class JsonProvider(DefaultJSONProvider):
    """Flask's JSON with the nesting limit on what requests carry."""

    def loads(self, s, **kwargs):
        return loads(s, **kwargs)
