"""Reading a JSON export without trusting it.

The file is read once, in chunks, by a small scanner that counts how deeply lists
and objects nest and lifts every attachment's base64 text out of the JSON (see
below); numbers that SQLite cannot store, NaN and infinities are refused with their
JSON path.  A problem is an :class:`ImportProblem`: one sentence naming the file.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
from collections.abc import Iterator
from pathlib import Path

from scrutiny_desktop.atomic import read_error
from scrutiny_desktop.errors import InvalidInput


def _json_path(loc: tuple) -> str:
    out = "$"
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


class ImportProblem(InvalidInput):
    def __init__(self, source: Path, problems: list[str]):
        self.problems = problems
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(f"{source}: {problems[0]}{more}")


# -- reading an export without trusting it -------------------------------------------------
#
# The file is read once, in chunks, by a small scanner that counts how deeply lists and
# objects nest (Python's json module recurses once per level, so a file nested a
# thousand deep would exhaust the stack) and lifts every attachment's base64 text out of
# the JSON, leaving "@blob:N" in its place and remembering where the text lies in the
# file.  Only that smaller text is parsed; each attachment is later decoded straight from
# the file, in chunks, while it is checked and while it is written into the document.

#: Lists and objects nested deeper than this are refused before parsing; an export
#: needs six levels.
MAX_DEPTH = 64
#: Everything in an export except the attachments' bytes (text, audit log, template):
#: far more than any real assessment holds.
MAX_TEXT_BYTES = 128 * 1024 * 1024
#: SQLite stores whole numbers as signed 64-bit integers.
INT64_MIN, INT64_MAX = -(2 ** 63), 2 ** 63 - 1
_READ_CHUNK = 1 << 20
#: Base64 characters decoded per step: a multiple of 4 (768 KiB of bytes).
_B64_CHUNK = 4 * 256 * 1024
_BLOB_KEY = b'"content_base64"'
_BLOB_PLACEHOLDER = re.compile(r"^@blob:(\d+)$")
_OUT_EVENT = re.compile(rb'[\[\]{}":,]')
_STR_EVENT = re.compile(rb'["\\]')


class _Span:
    """Where an attachment's base64 text lies in the source file (between the quotes)."""

    __slots__ = ("end", "escaped", "start")

    def __init__(self, start: int):
        self.start, self.end, self.escaped = start, start, False


class _Blobs:
    """The source file and the attachment texts left in it by :func:`_scan`."""

    def __init__(self, fh, spans: list[_Span], source: Path | None = None):
        self.fh, self.spans, self.source = fh, spans, source

    def text_of(self, value: str) -> _Base64:
        m = _BLOB_PLACEHOLDER.match(value)
        if m and int(m.group(1)) < len(self.spans):
            return _Base64(span=self.spans[int(m.group(1))], fh=self.fh, source=self.source)
        return _Base64(text=value)


_NO_BLOBS = _Blobs(None, [])


class _Base64:
    """An attachment's base64 text: a string from the parsed JSON, or a span of the file."""

    def __init__(self, *, text: str | None = None, span: _Span | None = None, fh=None,
                 source: Path | None = None):
        self.source = source
        if span is not None and span.escaped:
            # JSON escapes ("\/" from some encoders) inside base64: decode that one value.
            raw = self._read(fh, span.start, span.end - span.start)
            try:
                text = json.loads(b'"' + raw + b'"')
            except ValueError:
                text = "!"  # not valid base64, reported as such
            span = None
        # Without a span, the text is the value ("" only if neither was given).
        self.text: str = text if text is not None else ""
        self.span, self.fh = span, fh

    def __len__(self) -> int:
        return len(self.text) if self.span is None else self.span.end - self.span.start

    def pieces(self) -> Iterator[bytes]:
        """The text in pieces of ``_B64_CHUNK`` characters."""
        if self.span is None:
            for i in range(0, len(self.text), _B64_CHUNK):
                # Anything outside ASCII is not base64; "?" keeps it so.
                yield self.text[i:i + _B64_CHUNK].encode("ascii", "replace")
            return
        at, left = self.span.start, len(self)
        while left > 0:
            piece = self._read(self.fh, at, min(_B64_CHUNK, left))
            if not piece:
                raise ValueError("the file changed while it was being read")
            at += len(piece)
            left -= len(piece)
            yield piece

    def _read(self, fh, at: int, size: int) -> bytes:
        try:
            fh.seek(at)
            return fh.read(size)
        except OSError as exc:
            raise read_error(exc, self.source or "the JSON export", "JSON export") from None

    def decoded(self) -> Iterator[bytes]:
        """The bytes, decoded a piece at a time; ``ValueError`` if it is not base64."""
        total, seen = len(self), 0
        if total % 4:
            raise ValueError("not valid base64")
        for piece in self.pieces():
            seen += len(piece)
            if seen < total and b"=" in piece:  # padding only at the very end
                raise ValueError("not valid base64")
            try:
                yield base64.b64decode(piece, validate=True)
            except (binascii.Error, ValueError):
                raise ValueError("not valid base64") from None


class _TooDeep(Exception):
    def __init__(self, line: int):
        self.line = line


class _TooMuchText(Exception):
    pass


def _scan(fh) -> tuple[bytes, list[_Span]]:
    """Read a JSON file in chunks: check nesting depth, lift out attachment texts.

    Returns the file's bytes with each ``"content_base64"`` value replaced by
    ``"@blob:N"``, and the N spans.  Raises ``_TooDeep`` (with the line) as soon as
    nesting passes ``MAX_DEPTH`` and ``_TooMuchText`` past ``MAX_TEXT_BYTES``.
    """
    skel = bytearray()
    spans: list[_Span] = []
    depth, state, escape = 0, 0, False  # state: 0 outside strings, 1 in one, 2 in base64
    str_start, key, value_next = 0, False, False
    base = 0
    while chunk := fh.read(_READ_CHUNK):
        i, n = 0, len(chunk)
        while i < n:
            if state == 0:
                m = _OUT_EVENT.search(chunk, i)
                if m is None:
                    skel += chunk[i:]
                    break
                j = m.start()
                c = chunk[j]
                if c == 0x22:  # a string starts
                    skel += chunk[i:j]
                    if value_next:
                        spans.append(_Span(base + j + 1))
                        skel += b'"@blob:%d"' % (len(spans) - 1)
                        state = 2
                    else:
                        str_start = len(skel)
                        skel += b'"'
                        state = 1
                    key = value_next = False
                    i = j + 1
                    continue
                skel += chunk[i:j + 1]
                i = j + 1
                if c in b"[{":
                    depth += 1
                    if depth > MAX_DEPTH:
                        raise _TooDeep(skel.count(b"\n") + 1)
                elif c in b"]}":
                    depth -= 1
                value_next = c == 0x3A and key  # ':' after the key "content_base64"
                key = False
            elif escape:
                escape = False
                if state == 1:
                    skel += chunk[i:i + 1]
                i += 1
            else:
                m = _STR_EVENT.search(chunk, i)
                if m is None:
                    if state == 1:
                        skel += chunk[i:]
                    break
                j = m.start()
                if chunk[j] == 0x5C:  # a backslash: the next byte is escaped
                    if state == 1:
                        skel += chunk[i:j + 1]
                    else:
                        spans[-1].escaped = True
                    escape = True
                elif state == 1:
                    skel += chunk[i:j + 1]
                    key = len(skel) - str_start == len(_BLOB_KEY) and skel[str_start:] == _BLOB_KEY
                    state = 0
                else:
                    spans[-1].end = base + j
                    state = 0
                i = j + 1
        if len(skel) > MAX_TEXT_BYTES:
            raise _TooMuchText()
        base += n
    if state == 2:  # cut short inside an attachment: leave the JSON unfinished
        skel += b"\""
        spans[-1].end = base
    return bytes(skel), spans


class _Unusable:
    """A number no export holds: too large for SQLite, or not a finite number."""

    __slots__ = ("text",)

    def __init__(self, text: str):
        self.text = text


def _parse_int(text: str):
    if len(text) <= 18:
        return int(text)
    if len(text.lstrip("-")) <= 19:
        value = int(text)
        if INT64_MIN <= value <= INT64_MAX:
            return value
    return _Unusable(text)


def _parse_float(text: str):
    value = float(text)
    return value if math.isfinite(value) else _Unusable(text)


def _number_problems(data, limit: int = 5) -> list[str]:
    """Every number that cannot be stored, with its JSON path (depth is already bounded)."""
    problems: list[str] = []
    stack = [(data, "$")]
    while stack and len(problems) < limit:
        value, where = stack.pop()
        if isinstance(value, dict):
            stack.extend((v, f"{where}.{k}") for k, v in reversed(value.items()))
        elif isinstance(value, list):
            stack.extend((v, f"{where}[{i}]") for i, v in reversed(list(enumerate(value))))
        elif isinstance(value, _Unusable):
            shown = value.text if len(value.text) <= 24 else value.text[:20] + "…"
            if value.text.lstrip("-")[:1].isdigit() and "." not in value.text \
                    and "e" not in value.text.lower():
                size = "small" if value.text.startswith("-") else "large"
                problems.append(f"{where}: {shown} is too {size} to store; whole numbers must be between "
                                f"{INT64_MIN} and {INT64_MAX}. Correct it, or export the "
                                "assessment again from Scrutiny Desktop.")
            else:
                problems.append(f"{where}: {shown} is not a number an export can hold. "
                                "Correct it, or export the assessment again from Scrutiny Desktop.")
    return problems


def _read_export(fh, source: Path) -> tuple[dict, _Blobs]:
    """Scan and parse an export without letting it exhaust the stack or memory."""
    try:
        text, spans = _scan(fh)
    except _TooDeep as exc:
        raise ImportProblem(source, [
            f"lists and objects are nested more than {MAX_DEPTH} levels deep (line {exc.line}); "
            "a Scrutiny Desktop export never is. Choose a JSON export made by Scrutiny Desktop."]) from None
    except _TooMuchText:
        raise ImportProblem(source, [
            f"holds more than {MAX_TEXT_BYTES // 1048576} MB of text besides attachments, far "
            "more than any assessment. Choose a JSON export made by Scrutiny Desktop."]) from None
    except OSError as exc:
        raise read_error(exc, source, "JSON export") from None
    try:
        data = json.loads(text.decode("utf-8-sig"), parse_int=_parse_int,
                          parse_float=_parse_float, parse_constant=_Unusable)
        # Lone surrogates ("\ud800") are valid JSON but not text that can be stored.
        json.dumps(data, ensure_ascii=False, default=lambda _v: None).encode("utf-8")
    except UnicodeEncodeError:
        raise ImportProblem(source, ["contains a \\u escape that is not a real character "
                                     "(a lone surrogate)"]) from None
    except UnicodeDecodeError:
        raise ImportProblem(
            source, ["not UTF-8 text; choose a JSON export made by Scrutiny Desktop"]) from None
    except json.JSONDecodeError as exc:
        raise ImportProblem(
            source, [f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"]) from None
    except RecursionError:  # pragma: no cover - _scan bounds the depth first
        raise ImportProblem(
            source, ["nested too deeply; choose a JSON export made by Scrutiny Desktop"]) from None
    problems = _number_problems(data)
    if problems:
        raise ImportProblem(source, problems)
    return data, _Blobs(fh, spans, source)
