"""Optional: "rewrite this clause in plain language" with a Content Studio provider.

Never required: without a configured provider the button says so. The model may change
the words, never the facts: a rewrite that drops a variable, a number or a condition of
the clause is refused (:func:`desktop.domain.policy_text.rewrite_problems`), and the user
always sees both versions before anything is replaced.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from desktop.domain.policy_text import rewrite_problems

if TYPE_CHECKING:
    from desktop.services.content import ContentService

SYSTEM_PROMPT = (
    "You rewrite clauses of a company's sales policy in plain language for customers: "
    "short sentences, everyday words, active voice, 'you' and 'we'. Keep every fact, "
    "number, deadline, obligation and exception exactly as it is; add nothing. Keep every "
    "template variable like {{ name }} and every tag like {% if ... %} exactly as written, "
    "in the same order. Keep the Markdown formatting. Answer with the rewritten clause only."
)
MAX_CLAUSE_CHARS = 6000


class PlainLanguageProblem(Exception):  # noqa: N818 (a problem for the user)
    def __init__(self, user_message: str, problems: tuple[str, ...] = ()) -> None:
        super().__init__(user_message)
        self.user_message = user_message
        self.problems = problems


@dataclass(frozen=True, slots=True)
class Rewrite:
    original: str
    rewritten: str
    provider: str


def providers(content: ContentService | None) -> list[str]:
    """The names of the configured Content Studio providers ([] when there are none)."""
    if content is None:
        return []
    return [p.name for p in content.providers()]


async def rewrite_plain(content: ContentService, provider_name: str, clause: str) -> Rewrite:
    """Ask ``provider_name`` for a plain-language version of ``clause``. Raises
    :class:`PlainLanguageProblem` if it cannot be reached or its answer changes a fact."""
    from desktop.integrations.providers.base import ChatRequest, Delta, ProviderProblem
    from desktop.integrations.providers.capabilities import capabilities_for
    from desktop.integrations.providers.openai_compatible import OpenAICompatibleProvider

    if not clause.strip():
        raise PlainLanguageProblem("Select the clause to rewrite first.")
    if len(clause) > MAX_CLAUSE_CHARS:
        raise PlainLanguageProblem(
            f"Select one clause at a time (at most {MAX_CLAUSE_CHARS:,} characters)."
        )
    config = content.provider(provider_name)
    key = content.keys.get(config.name) if config.needs_key else None
    if config.needs_key and not key:
        raise PlainLanguageProblem(
            f"{config.name} needs an API key and none is saved. Add it in Content Studio "
            "under Providers."
        )
    provider = OpenAICompatibleProvider(config, capabilities_for(config.profile), key)
    request = ChatRequest(
        messages=[
            {"role": "system", "content": SYSTEM_PROMPT},
            {"role": "user", "content": clause},
        ],
        temperature=0.2,
        max_tokens=2000,
    )
    parts: list[str] = []
    try:
        async for item in provider.stream(request):
            if isinstance(item, Delta):
                parts.append(item.text)
    except ProviderProblem as exc:
        raise PlainLanguageProblem(exc.user_message) from exc
    finally:
        await provider.aclose()
    rewritten = "".join(parts).strip()
    problems = rewrite_problems(clause, rewritten)
    if problems:
        raise PlainLanguageProblem(
            "The rewrite was not used because it changed the clause's facts:\n- "
            + "\n- ".join(problems),
            tuple(problems),
        )
    return Rewrite(clause, rewritten, config.name)
