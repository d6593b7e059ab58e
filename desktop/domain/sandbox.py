"""Rendering templates nobody vetted: prompt and policy templates from teammates.

Every template Playbook renders goes through :func:`render_untrusted`. A template is
code, and a teammate's template (or one imported from a file) must not be able to read
the app's internals, change the data it is given, exhaust memory or hang the app:

* Jinja2's :class:`~jinja2.sandbox.ImmutableSandboxedEnvironment` refuses private and
  internal attributes (``__class__``, ``__globals__``, ``mro`` …) and methods that change
  the context's lists and dicts. There is no loader: ``include``, ``import`` and
  ``extends`` cannot reach files.
* Undefined variables are errors (:class:`~jinja2.StrictUndefined`), not silent blanks:
  a misspelt ``{{ prodcut }}`` must not produce an ad with a hole in it.
* Size: the source, the output, ``range()``, and every operation that can multiply a
  string or a list in one step (``*``, ``**``, ``%``, padding widths in ``format`` and
  ``center``/``indent``/``wordwrap``) are bounded *before* the work is done, so a single
  expression cannot allocate gigabytes.
* Time: a watchdog raises :class:`TemplateProblem` inside the rendering thread when the
  deadline passes (``PyThreadState_SetAsyncExc``), which stops any loop of Python code,
  however it is nested.

Errors come back as :class:`TemplateProblem` with a sentence for the user (and the
template line where Jinja knows it); nothing from the template's own exception escapes.
"""

from __future__ import annotations

import ctypes
import math
import re
import string
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from jinja2 import StrictUndefined, TemplateSyntaxError, UndefinedError, meta, nodes
from jinja2.exceptions import SecurityError, TemplateError
from jinja2.filters import do_center, do_indent, do_wordwrap
from jinja2.sandbox import ImmutableSandboxedEnvironment


@dataclass(frozen=True, slots=True)
class Limits:
    """How much one render may use. The defaults fit a long policy document with room
    to spare; prompt templates are far smaller."""

    max_source_chars: int = 200_000
    max_output_chars: int = 1_000_000
    max_range: int = 10_000
    max_seconds: float = 2.0


class TemplateProblem(Exception):  # noqa: N818 (a problem for the user, not a crash)
    """The template cannot be rendered. ``user_message`` says why, and where."""

    def __init__(self, user_message: str, line: int | None = None) -> None:
        super().__init__(user_message)
        self.user_message = user_message
        self.line = line


class _TimedOut(BaseException):
    """Raised inside the rendering thread by the watchdog. A BaseException, so that no
    ``except Exception`` on the way (ours or Jinja's) can swallow it."""


class _Local:
    """The limits of the render running on this thread (the environment is shared)."""

    def __init__(self) -> None:
        self._local = threading.local()

    def get(self) -> Limits:
        limits: Limits | None = getattr(self._local, "limits", None)
        return limits or Limits()

    def set(self, limits: Limits) -> None:
        self._local.limits = limits


class _Limited(ImmutableSandboxedEnvironment):
    """The sandbox, with every one-step multiplication bounded by the current limits."""

    intercepted_binops = frozenset({"*", "**", "%"})

    def __init__(self) -> None:
        super().__init__(
            undefined=StrictUndefined,
            autoescape=False,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            auto_reload=False,
            cache_size=0,  # compiled templates are cached by _compile, per source
        )
        self.limits = _Local()
        self.globals["range"] = self._range
        self.filters["center"] = self._guard_width(do_center, "center", 1)
        self.filters["indent"] = self._guard_width(do_indent, "indent", 1)
        self.filters["wordwrap"] = self._guard_width(do_wordwrap, "wordwrap", 1)
        self.filters["format"] = self._format_filter

    # -- size bounds -----------------------------------------------------------------

    def _cap(self) -> int:
        return self.limits.get().max_output_chars

    def _range(self, *args: int) -> range:
        rng = range(*args)
        if len(rng) > self.limits.get().max_range:
            raise TemplateProblem(
                f"range() would produce {len(rng):,} items; templates may loop at most "
                f"{self.limits.get().max_range:,} times."
            )
        return rng

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        cap = self._cap()
        if operator == "*":
            for seq, times in ((left, right), (right, left)):
                if (
                    isinstance(seq, str | list | tuple)
                    and isinstance(times, int)
                    and len(seq) * max(times, 0) > cap
                ):
                    raise TemplateProblem("The template builds a text or list that is too large.")
        elif operator == "**":
            if (
                isinstance(left, int | float)
                and isinstance(right, int | float)
                and (
                    abs(right) > 1000
                    or (abs(left) > 1 and right > 0 and right * math.log10(abs(left)) > 1000)
                )
            ):
                raise TemplateProblem("The template computes a number that is too large.")
        elif operator == "%" and isinstance(left, str):
            _check_printf_widths(left, cap)
        return super().call_binop(context, operator, left, right)

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        wrapped = super().wrap_str_format(value)
        if wrapped is None:
            return None
        _check_format_widths(value.__self__, self._cap())
        return wrapped

    def _format_filter(self, value: Any, *args: Any, **kwargs: Any) -> str:
        text = str(value)
        _check_printf_widths(text, self._cap())
        return text % (kwargs or args)

    def _guard_width(self, fn: Callable[..., str], name: str, index: int) -> Callable[..., str]:
        def guarded(value: Any, *args: Any, **kwargs: Any) -> str:
            width = args[index - 1] if len(args) >= index else kwargs.get("width", 0)
            if isinstance(width, int) and abs(width) > self._cap():
                raise TemplateProblem(f"The width given to '{name}' is too large.")
            return fn(value, *args, **kwargs)

        guarded.__name__ = name
        return guarded


_FORMAT_WIDTH = re.compile(r"(\d+)")
_PRINTF_WIDTH = re.compile(r"%[-#0 +]*(\d*)(?:\.(\d+))?")


def _check_printf_widths(fmt: str, cap: int) -> None:
    for m in _PRINTF_WIDTH.finditer(fmt):
        for group in m.groups():
            if group and int(group) > cap:
                raise TemplateProblem("A width or precision in the template is too large.")


def _check_format_widths(fmt: str, cap: int) -> None:
    try:
        parts = list(string.Formatter().parse(fmt))
    except ValueError as exc:
        raise TemplateProblem(f"A format string in the template is invalid: {exc}.") from None
    for _literal, _field, spec, _conv in parts:
        for digits in _FORMAT_WIDTH.findall(spec or ""):
            if int(digits) > cap:
                raise TemplateProblem("A width or precision in the template is too large.")


_ENV = _Limited()


@lru_cache(maxsize=256)
def _compile(source: str) -> Any:
    return _ENV.from_string(source)


def _syntax_problem(exc: TemplateSyntaxError) -> TemplateProblem:
    where = f"Line {exc.lineno}: " if exc.lineno else ""
    return TemplateProblem(f"{where}{exc.message}", exc.lineno)


def check_template(source: str, limits: Limits = Limits()) -> list[str]:
    """Problems an editor can show before anything is rendered: size and syntax. An
    empty list means the template compiles."""
    if len(source) > limits.max_source_chars:
        return [
            f"The template is {len(source):,} characters long; the limit is "
            f"{limits.max_source_chars:,}."
        ]
    try:
        _compile(source)
    except TemplateSyntaxError as exc:
        return [_syntax_problem(exc).user_message]
    return []


def template_variables(source: str) -> set[str]:
    """The top-level variables a template reads (for the editor to highlight and to list
    what the template needs). A template that does not parse has none."""
    try:
        ast: nodes.Template = _ENV.parse(source)
    except TemplateSyntaxError:
        return set()
    return meta.find_undeclared_variables(ast) - set(_ENV.globals)


def render_untrusted(
    source: str,
    context: Mapping[str, object],
    *,
    limits: Limits = Limits(),
) -> str:
    """Render ``source`` with ``context`` in the sandbox, within ``limits``.

    Raises :class:`TemplateProblem` for a template that does not compile, reads an
    undefined variable, touches something the sandbox forbids, or goes over a limit."""
    if len(source) > limits.max_source_chars:
        raise TemplateProblem(check_template(source, limits)[0])
    try:
        template = _compile(source)
    except TemplateSyntaxError as exc:
        raise _syntax_problem(exc) from None
    _ENV.limits.set(limits)
    try:
        return _with_deadline(lambda: _collect(template.generate(dict(context)), limits), limits)
    except TemplateProblem:
        raise
    except UndefinedError as exc:
        raise TemplateProblem(
            f"The template uses something the data does not have: {exc.message}."
        ) from None
    except SecurityError as exc:
        raise TemplateProblem(
            f"The template tried something templates may not do: {exc}."
        ) from None
    except TemplateError as exc:
        raise TemplateProblem(f"The template could not be rendered: {exc}.") from None
    except RecursionError:
        raise TemplateProblem("The template calls itself without end.") from None
    except MemoryError:
        raise TemplateProblem("The template needs more memory than templates may use.") from None
    except Exception as exc:  # an error in the template's own expressions (1/0, int('x'))
        raise TemplateProblem(f"The template failed: {type(exc).__name__}: {exc}.") from None


def _collect(chunks: Iterator[str], limits: Limits) -> str:
    out: list[str] = []
    size = 0
    for chunk in chunks:
        size += len(chunk)
        if size > limits.max_output_chars:
            raise TemplateProblem(
                f"The template's output is longer than {limits.max_output_chars:,} characters."
            )
        out.append(chunk)
    return "".join(out)


def _with_deadline(work: Callable[[], str], limits: Limits) -> str:
    """Run ``work`` on this thread; if it is still running after ``limits.max_seconds``,
    raise inside it and report a :class:`TemplateProblem`."""
    thread_id = threading.get_ident()
    lock = threading.Lock()
    state = {"running": True, "fired": False}

    def expire() -> None:
        with lock:
            if state["running"]:
                state["fired"] = True
                ctypes.pythonapi.PyThreadState_SetAsyncExc(
                    ctypes.c_ulong(thread_id), ctypes.py_object(_TimedOut)
                )

    timer = threading.Timer(limits.max_seconds, expire)
    timer.daemon = True
    try:
        try:
            timer.start()
            result = work()
        finally:
            timer.cancel()
            with lock:
                state["running"] = False
                if state["fired"]:
                    # Still pending if it had not been delivered yet: withdraw it.
                    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id), None)
    except _TimedOut:
        raise TemplateProblem(
            f"The template took longer than {limits.max_seconds:g} seconds and was stopped; "
            "look for a loop that runs too often."
        ) from None
    if state["fired"]:
        raise TemplateProblem(
            f"The template took longer than {limits.max_seconds:g} seconds and was stopped; "
            "look for a loop that runs too often."
        )
    return result
