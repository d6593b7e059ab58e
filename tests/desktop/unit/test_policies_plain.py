"""The optional plain-language rewrite: the real ``openai`` client against a fake
OpenAI-compatible server on 127.0.0.1; a rewrite that changes a fact is refused."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.domain.policy_text import rewrite_problems
from desktop.integrations.providers.base import ProviderConfig
from desktop.integrations.providers.keys import ApiKeys
from desktop.integrations.secrets import MemorySecrets
from desktop.services.content import ContentService
from desktop.services.policies_plain import PlainLanguageProblem, providers, rewrite_plain
from desktop.storage.database import Database
from tests.desktop.fakes.openai_server import FakeOpenAI, Reply

REPO = Path(__file__).resolve().parents[3]
CLAUSE = (
    "Once we have received and checked your return, we shall reimburse you within "
    "**{{ refund_days }} days**, at the latest 14 days after being informed."
)


@pytest.fixture
def server() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as fake:
        yield fake


@pytest.fixture
def content(tmp_path: Path, server: FakeOpenAI) -> Iterator[ContentService]:
    db = Database.open(tmp_path / "db.sqlite3")
    service = ContentService(db, REPO / "resources", ApiKeys(MemorySecrets()))
    service.save_provider(
        ProviderConfig("local", server.base_url, "fake-model", needs_key=False, timeout=10)
    )
    yield service
    db.close()


def test_a_faithful_rewrite_comes_back_and_the_clause_is_sent_to_the_model(
    content: ContentService, server: FakeOpenAI
) -> None:
    plain = (
        "We refund you within **{{ refund_days }} days** of getting your return"
        " — 14 days at most after you tell us."
    )
    server.queue(Reply(content=plain))
    assert providers(content) == ["local"]
    rewrite = asyncio.run(rewrite_plain(content, "local", CLAUSE))
    assert rewrite.rewritten == plain
    assert rewrite.provider == "local"
    sent = server.requests[-1]["messages"]
    assert sent[-1]["content"] == CLAUSE
    assert "Keep every fact" in sent[0]["content"]


def test_a_rewrite_that_drops_a_variable_or_a_number_is_refused(
    content: ContentService, server: FakeOpenAI
) -> None:
    server.queue(Reply(content="We refund you quickly after we get your return."))
    with pytest.raises(PlainLanguageProblem) as refused:
        asyncio.run(rewrite_plain(content, "local", CLAUSE))
    assert "{{ refund_days }}" in refused.value.user_message
    assert "number 14" in refused.value.user_message


def test_an_unreachable_model_is_explained(content: ContentService, server: FakeOpenAI) -> None:
    server.queue(Reply(status=401, error="bad key"))
    with pytest.raises(PlainLanguageProblem):
        asyncio.run(rewrite_plain(content, "local", CLAUSE))


def test_rewrite_checks_are_about_facts_not_words() -> None:
    assert rewrite_problems("Within {{ n }} days.", "In {{ n }} days.") == []
    assert rewrite_problems("{% if a %}Yes{% endif %}", "Yes") == [
        "The rewrite changed the template's conditions ({% ... %})."
    ]
    assert rewrite_problems("Pay 5%.", "Pay {{ fee }}.")[0].startswith("The rewrite added")
