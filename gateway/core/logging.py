"""structlog JSON events: `capability.action`, ids and pseudonyms only.

Input never reaches a log line, not even through an error: pydantic puts the offending
value in its messages (`input_value=...`) and in `errors()` (`input`), libxml2 and the
XSD validator quote the document, database errors carry their parameters. `scrub_input`
removes those values from every event and renders a traceback itself, with the messages
of such errors withheld, before anything is formatted.
"""

from __future__ import annotations

import logging
import re
import sys
import threading
import traceback
from collections.abc import Iterable, MutableMapping
from json import JSONDecodeError
from typing import Any

import structlog
from fastapi.exceptions import ValidationException
from lxml import etree
from pydantic_core import ValidationError
from sqlalchemy.exc import StatementError

# Errors whose message may quote what the client sent.
QUOTING_ERRORS: tuple[type[BaseException], ...] = (
    ValidationError,
    ValidationException,
    JSONDecodeError,
    UnicodeError,
    etree.Error,
    StatementError,
)
_INPUT_KEYS = frozenset({"input", "input_value"})
# pydantic renders each error on one line, ending in `input_value=<repr>, input_type=T]`;
# the repr escapes line breaks, so the greedy match ends at that line's own input_type.
_INPUT_VALUE = re.compile(r"input_value=.*, input_type=(\w+)\]")
_DEPTH = 4


def _locations(errors: Iterable[Any]) -> str:
    parts = [
        f"{'.'.join(str(p) for p in error.get('loc', ()))} ({error.get('type', '')})"
        for error in errors
        if isinstance(error, dict)
    ]
    return ", ".join(parts)


def safe_message(exc: BaseException) -> str:
    """The exception's message, or for an error that may quote input, where and what only."""
    if isinstance(exc, ValidationError):
        errors = exc.errors(include_url=False, include_context=False, include_input=False)
        return f"{len(errors)} validation error(s) at {_locations(errors)} [input withheld]"
    if isinstance(exc, ValidationException):
        return f"validation failed at {_locations(exc.errors())} [input withheld]"
    if isinstance(exc, QUOTING_ERRORS):
        return "[message withheld: it may quote the input]"
    return _scrub_text(str(exc))


def _chain(exc: BaseException) -> list[BaseException]:
    """The exception and what led to it, as Python prints them (cause, else context)."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and not any(current is seen for seen in chain):
        chain.append(current)
        if current.__cause__ is not None:
            current = current.__cause__
        else:
            current = None if current.__suppress_context__ else current.__context__
    return chain


def render_exception(exc: BaseException) -> str:
    """A traceback like Python's own, its chain included, with `safe_message`s."""
    lines: list[str] = []
    for position, error in enumerate(reversed(_chain(exc))):
        if position:
            lines.append("\nThe above exception led to the following one:\n\n")
        lines.append("Traceback (most recent call last):\n")
        lines.extend(traceback.format_tb(error.__traceback__))
        name = f"{type(error).__module__}.{type(error).__qualname__}"
        lines.append(f"{name}: {safe_message(error)}\n")
        if isinstance(error, BaseExceptionGroup):
            for inner in error.exceptions:
                lines.append("  " + render_exception(inner).replace("\n", "\n  ") + "\n")
    return "".join(lines)


def _scrub_text(text: str) -> str:
    if "input_value=" not in text:
        return text
    return _INPUT_VALUE.sub(r"input_value=[withheld], input_type=\1]", text)


def _scrub(value: Any, depth: int = 0) -> Any:
    if isinstance(value, str):
        return _scrub_text(value)
    if isinstance(value, BaseException):
        return f"{type(value).__name__}: {safe_message(value)}"
    if depth >= _DEPTH:
        return value
    if isinstance(value, dict):
        return {k: _scrub(v, depth + 1) for k, v in value.items() if k not in _INPUT_KEYS}
    if isinstance(value, list | tuple):
        return [_scrub(item, depth + 1) for item in value]
    return value


def _exception_of(exc_info: Any) -> BaseException | None:
    if isinstance(exc_info, BaseException):
        return exc_info
    if isinstance(exc_info, tuple):
        return exc_info[1] if len(exc_info) == 3 else None
    return sys.exc_info()[1] if exc_info else None


def scrub_input(
    logger: Any, method_name: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """structlog processor: no input value in any field, the traceback rendered safely."""
    exc = _exception_of(event_dict.pop("exc_info", None))
    if exc is not None:
        event_dict["exception"] = render_exception(exc)
    for key, value in event_dict.items():
        if key != "exception":
            event_dict[key] = _scrub(value)
    return event_dict


class _StderrLogger:
    """One line per event to the current `sys.stderr` (looked up per line, not once)."""

    _lock = threading.Lock()

    def msg(self, message: str) -> None:
        with self._lock:
            sys.stderr.write(message + "\n")
            sys.stderr.flush()

    log = debug = info = warning = warn = error = critical = exception = fatal = msg


def configure_logging(level: str = "INFO", *, json: bool = True) -> None:
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer()
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            scrub_input,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level)),
        logger_factory=lambda *args: _StderrLogger(),
        cache_logger_on_first_use=True,
    )
