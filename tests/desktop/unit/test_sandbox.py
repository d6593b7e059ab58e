"""Templates from teammates are untrusted: what the sandbox lets through and what it stops."""

from __future__ import annotations

import threading
import time

import pytest

from desktop.domain.sandbox import (
    Limits,
    TemplateProblem,
    check_template,
    render_untrusted,
    template_variables,
)

BRIEF = {"product": "Acme CRM", "audience": "small agencies", "claims": ["fast", "cheap"]}


def test_a_normal_prompt_template_renders() -> None:
    source = (
        "Write for {{ audience }} about {{ product | upper }}.\n"
        "{% for c in claims %}- {{ c }}\n{% endfor %}"
    )
    assert render_untrusted(source, BRIEF) == (
        "Write for small agencies about ACME CRM.\n- fast\n- cheap\n"
    )


def test_a_misspelt_variable_is_an_error_not_a_blank() -> None:
    with pytest.raises(TemplateProblem, match="prodcut"):
        render_untrusted("Buy {{ prodcut }} now", BRIEF)


@pytest.mark.parametrize(
    "source",
    [
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ product.__class__ }}",
        "{{ cycler.__init__.__globals__.os }}",
        "{{ self._TemplateReference__context }}",
        "{{ lipsum.__globals__['os'].popen('id').read() }}",
        "{% set x = claims.append('hacked') %}{{ claims }}",
        "{{ claims.pop() }}",
    ],
)
def test_sandbox_escapes_are_refused_and_the_data_is_untouched(source: str) -> None:
    claims = ["fast", "cheap"]
    with pytest.raises(TemplateProblem) as caught:
        render_untrusted(source, {**BRIEF, "claims": claims})
    assert caught.value.user_message
    assert claims == ["fast", "cheap"]


@pytest.mark.parametrize(
    "source",
    [
        "{% include '/etc/passwd' %}",
        "{% import 'os' as os %}",
        "{% extends 'base.html' %}",
    ],
)
def test_templates_cannot_reach_files(source: str) -> None:
    with pytest.raises(TemplateProblem):
        render_untrusted(source, {})


@pytest.mark.parametrize(
    "source",
    [
        "{{ 'x' * 100000000 }}",
        "{{ [1] * 100000000 }}",
        "{{ 10 ** 100000 }}",
        "{{ '%100000000s' % 'x' }}",
        "{{ '{:>100000000}'.format('x') }}",
        "{{ 'x' | center(100000000) }}",
        "{{ '%100000000s' | format('x') }}",
        "{% for i in range(100000000) %}{% endfor %}",
    ],
)
def test_one_step_blow_ups_are_refused_before_they_allocate(source: str) -> None:
    started = time.perf_counter()
    with pytest.raises(TemplateProblem, match=r"too large|at most"):
        render_untrusted(source, {})
    assert time.perf_counter() - started < 0.5


def test_output_longer_than_the_limit_is_stopped() -> None:
    source = "{% for i in range(10000) %}{{ 'y' * 1000 }}{% endfor %}"
    with pytest.raises(TemplateProblem, match="longer than"):
        render_untrusted(source, {}, limits=Limits(max_output_chars=100_000))


def test_nested_loops_without_output_are_stopped_by_the_deadline() -> None:
    source = (
        "{% for a in range(10000) %}{% for b in range(10000) %}"
        "{% for c in items %}{% endfor %}{% endfor %}{% endfor %}"
    )
    started = time.perf_counter()
    with pytest.raises(TemplateProblem, match=r"longer than 0\.3 seconds"):
        render_untrusted(source, {"items": list(range(100))}, limits=Limits(max_seconds=0.3))
    assert time.perf_counter() - started < 2.0


def test_endless_recursion_is_reported() -> None:
    with pytest.raises(TemplateProblem):
        render_untrusted("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", {})


def test_a_stopped_render_leaves_the_thread_usable() -> None:
    slow = "{% for a in range(10000) %}{% for b in range(10000) %}{% endfor %}{% endfor %}"
    with pytest.raises(TemplateProblem):
        render_untrusted(slow, {}, limits=Limits(max_seconds=0.1))
    # No stray timeout arrives later on this thread.
    time.sleep(0.3)
    assert render_untrusted("{{ product }}", BRIEF) == "Acme CRM"


def test_renders_on_several_threads_keep_their_own_limits() -> None:
    results: dict[str, str] = {}

    def fast() -> None:
        results["fast"] = render_untrusted("{{ 'a' * 50 }}", {})

    def small() -> None:
        try:
            render_untrusted("{{ 'a' * 50 }}", {}, limits=Limits(max_output_chars=10))
        except TemplateProblem as exc:
            results["small"] = exc.user_message

    threads = [threading.Thread(target=fast), threading.Thread(target=small)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results["fast"] == "a" * 50
    assert "too large" in results["small"]


def test_syntax_errors_name_the_line() -> None:
    problems = check_template("Hello\n{{ product }\n")
    assert len(problems) == 1
    assert problems[0].startswith("Line 2:")
    with pytest.raises(TemplateProblem) as caught:
        render_untrusted("Hello\n{% for x in y %}", {"y": []})
    assert caught.value.line == 2


def test_oversized_source_is_refused() -> None:
    assert "limit" in check_template("x" * 300, Limits(max_source_chars=100))[0]


def test_template_variables_lists_what_the_template_needs() -> None:
    source = (
        "{{ product }} for {{ audience }}{% for c in claims %}{{ c }}{% endfor %}{{ range(2) }}"
    )
    assert template_variables(source) == {"product", "audience", "claims"}
    assert template_variables("{{ broken") == set()
