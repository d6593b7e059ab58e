"""Content Studio's use cases: generate channel-ready copy with a model or with none.

* :meth:`ContentService.generate` — a model through any OpenAI-compatible provider:
  the prompt is rendered from a sandboxed template, the reply streams in (``on_event``
  gets the variants written so far), is validated (strict schema, JSON mode or
  extraction, with a bounded retry) and checked; repeats are answered from the response
  cache unless ``bypass_cache``.
* :meth:`ContentService.generate_template` — template mode: copy formulas, no model.
* Regenerate one variant or one field, edit in place, apply a suggested fix, favourite,
  export, history.
* A request for a remote provider that cannot be reached waits in a queue
  (:class:`RequestQueued`) and :meth:`ContentService.run_queue` sends it when the
  network is back.

The brief is stored before anything is sent, and a failed or cancelled generation is
stored with what arrived, so nothing the marketer typed is lost.
"""

from __future__ import annotations

import itertools
import json
import logging
import time
import tomllib
import uuid
import weakref
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from desktop.domain.content import (
    BrandKit,
    Brief,
    ContentType,
    Finding,
    QualityReport,
    SpecProblem,
    Variant,
    VariantSource,
    content_type_from_mapping,
    request_key,
)
from desktop.domain.content_counting import counter_text
from desktop.domain.content_formulas import Formula, formula_from_mapping, template_variants
from desktop.domain.content_quality import CheckContext, apply_fix, check_all, check_variant
from desktop.integrations.providers.base import (
    ChatProvider,
    OutputMode,
    ProblemKind,
    ProviderConfig,
    ProviderProblem,
)
from desktop.integrations.providers.keys import ApiKeys
from desktop.policy import Lock, ProviderPolicy, ProviderRule
from desktop.services.content_export import (
    ExportItem,
    google_ads_csv,
    markdown,
    plain_text,
)
from desktop.storage import content as store
from desktop.storage.database import Database

if TYPE_CHECKING:
    import asyncio

    from desktop.integrations.providers.discovery import LocalServer
    from desktop.integrations.secrets import SecretStore

# Kept off the import path (the app builds this service at start-up): the openai
# package, httpx, pydantic's models and Jinja2 load with the first generation.

log = logging.getLogger(__name__)

OFFLINE = "offline"  # the provider name of template mode
BUILT_IN_PROMPT = "Built-in"
TEMPERATURE = 0.8
FORMULA_ORDER = ("aida", "pas", "fab", "4u")
TYPE_ORDER = (
    "google-rsa",
    "meta-ad",
    "x-post",
    "linkedin-post",
    "email",
    "sms",
    "landing-hero",
    "blog-outline",
)  # the classic first; others after, by id


class BriefProblem(ValueError):  # noqa: N818 (a problem for the user)
    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = tuple(problems)
        self.user_message = "\n".join(problems)


class ContentProblem(Exception):  # noqa: N818 (a problem for the user)
    def __init__(self, user_message: str) -> None:
        super().__init__(user_message)
        self.user_message = user_message


class RequestQueued(Exception):  # noqa: N818 (not a failure: the request waits)
    """The provider could not be reached: the request waits in the queue."""

    def __init__(self, queue_id: uuid.UUID, provider: str, reason: str) -> None:
        self.queue_id = queue_id
        self.user_message = (
            f"{provider} cannot be reached right now, so the request waits in the queue and "
            "runs by itself when the network is back. Your brief is saved."
        )
        super().__init__(self.user_message)
        self.reason = reason


# -- what the UI is told while a generation runs -----------------------------------------


@dataclass(frozen=True, slots=True)
class Streaming:
    """The variants written so far (field -> items), re-sent as the reply grows."""

    variants: list[dict[str, tuple[str, ...]]]


@dataclass(frozen=True, slots=True)
class Retrying:
    attempt: int
    reason: str


GenerationEvent = Streaming | Retrying
EventSink = Callable[[GenerationEvent], None]


@dataclass(frozen=True, slots=True)
class ShownVariant:
    id: uuid.UUID
    generation_id: uuid.UUID
    variant: Variant
    report: QualityReport
    favourite: bool = False
    edited: bool = False

    @staticmethod
    def from_record(r: store.VariantRecord) -> ShownVariant:
        """A stored variant as shown, with the quality report it was stored with."""
        return ShownVariant(
            r.id,
            r.generation_id,
            Variant.from_dict(r.data),
            QualityReport.from_list(r.quality),
            r.favourite,
            r.edited,
        )


@dataclass(frozen=True, slots=True)
class Generation:
    id: uuid.UUID
    brief_id: uuid.UUID
    brief: Brief
    content_type: ContentType
    provider: str
    model: str
    mode: str
    variants: list[ShownVariant]
    cached: bool = False
    latency_ms: float | None = None
    first_token_ms: float | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float | None = None
    attempts: int = 1


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    id: uuid.UUID
    created_at: datetime
    content_type: str
    product: str
    provider: str
    model: str
    status: str
    variants: int
    latency_ms: float | None
    tokens: int
    cost_usd: float | None
    cached: bool
    error: str | None


@dataclass(frozen=True, slots=True)
class QueuedRequest:
    id: uuid.UUID
    provider: str
    product: str
    content_type: str
    status: str
    attempts: int
    last_error: str | None
    created_at: datetime


# -- resources ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Catalogue:
    """Channel specs, copy formulas and built-in prompt templates from ``resources/``."""

    types: Mapping[str, ContentType]
    formulas: tuple[Formula, ...]
    system_prompt: str
    user_prompt: str


def load_catalogue(resources: Path) -> Catalogue:
    """Read ``channels/``, ``formulas/`` and ``prompts/``; raises :class:`SpecProblem`
    naming the file that is wrong."""
    loaded = [
        content_type_from_mapping(_toml(path), str(path))
        for path in (resources / "channels").glob("*.toml")
    ]
    loaded.sort(key=lambda ct: (TYPE_ORDER.index(ct.id) if ct.id in TYPE_ORDER else 99, ct.id))
    types = {ct.id: ct for ct in loaded}
    formulas = tuple(
        sorted(
            (
                formula_from_mapping(_toml(path), str(path))
                for path in (resources / "formulas").glob("*.toml")
            ),
            key=lambda f: (FORMULA_ORDER.index(f.id) if f.id in FORMULA_ORDER else 99, f.id),
        )
    )
    prompts = resources / "prompts"
    if not types:
        raise SpecProblem(f"{resources / 'channels'}: no channel specs found.")
    return Catalogue(
        types,
        formulas,
        (prompts / "system.j2").read_text(encoding="utf-8"),
        (prompts / "generate.j2").read_text(encoding="utf-8"),
    )


def _toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise SpecProblem(f"{path}: {exc}") from exc


ProviderFactory = Callable[[ProviderConfig, str | None], ChatProvider]


def _openai_provider(config: ProviderConfig, api_key: str | None) -> ChatProvider:
    from desktop.integrations.providers.capabilities import capabilities_for
    from desktop.integrations.providers.openai_compatible import OpenAICompatibleProvider

    return OpenAICompatibleProvider(config, capabilities_for(config.profile), api_key)


class ContentService:
    """Content Studio's use cases on one database (see the module doc)."""

    def __init__(
        self,
        db: Database,
        resources: Path,
        keys: ApiKeys,
        *,
        provider_factory: ProviderFactory = _openai_provider,
        template_source: Callable[[], Iterable[tuple[str, str]]] | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        provider_lock: Lock | None = None,
    ) -> None:
        """``provider_lock``: which providers IT allows (a :class:`ProviderPolicy` with
        IT's reason), from the managed-settings file; None lets the user choose."""
        self.db = db
        self.provider_lock = provider_lock
        self.resources = resources
        self.keys = keys
        self._provider_factory = provider_factory
        self._template_source = template_source
        self._clock = clock
        self._catalogue: Catalogue | None = None
        self._learned: dict[str, Any] = {}  # provider name -> capabilities learnt
        self._live: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, dict[str, tuple[ProviderConfig, str | None, ChatProvider]]
        ] = weakref.WeakKeyDictionary()
        self._template_rounds = itertools.count(1)

    # -- catalogue --------------------------------------------------------------------

    @property
    def catalogue(self) -> Catalogue:
        if self._catalogue is None:
            self._catalogue = load_catalogue(self.resources)
        return self._catalogue

    def content_types(self) -> list[ContentType]:
        return list(self.catalogue.types.values())

    def content_type(self, type_id: str) -> ContentType:
        try:
            return self.catalogue.types[type_id]
        except KeyError:
            known = ", ".join(sorted(self.catalogue.types))
            raise ContentProblem(
                f"There is no content type '{type_id}'. Choose one of: {known}."
            ) from None

    def _type_label(self, type_id: str) -> str:
        """The content type's label; its id when the catalogue no longer has it."""
        ct = self.catalogue.types.get(type_id)
        return ct.label if ct is not None else type_id

    def set_template_source(self, source: Callable[[], Iterable[tuple[str, str]]] | None) -> None:
        """The team's prompt templates, as (name, Jinja source) pairs. The Templates
        library hands its content templates in here; they are rendered in the sandbox
        like every other template (they are untrusted)."""
        self._template_source = source

    def prompt_templates(self) -> list[str]:
        """Names of the prompt templates to choose from: the built-in one first."""
        return [BUILT_IN_PROMPT, *(name for name, _ in self._extra_templates())]

    def _extra_templates(self) -> list[tuple[str, str]]:
        if self._template_source is None:
            return []
        try:
            return list(self._template_source())
        except Exception:  # the library failing must not stop generation
            log.exception("reading the team's prompt templates failed")
            return []

    # -- brand kit and providers ------------------------------------------------------

    def brand_kit(self) -> BrandKit:
        with self.db.read_session() as conn:
            data = store.brand_kit(conn)
        return BrandKit.from_dict(data) if data else BrandKit()

    def save_brand_kit(self, kit: BrandKit) -> None:
        with self.db.session() as conn:
            store.save_brand_kit(conn, kit.to_dict(), self._clock())

    def providers(self) -> list[ProviderConfig]:
        with self.db.read_session() as conn:
            rows = store.providers(conn)
        return [
            ProviderConfig(r.name, r.base_url, r.model, r.profile, r.needs_key, r.timeout)
            for r in rows
        ]

    def provider(self, name: str) -> ProviderConfig:
        for p in self.providers():
            if p.name == name:
                return p
        raise ContentProblem(
            f"There is no provider called '{name}'. Add it under Providers, or use "
            "template mode (no model)."
        )

    def provider_policy(self) -> ProviderPolicy:
        return self.provider_lock.value if self.provider_lock is not None else ProviderPolicy()

    def refusal(self, config: ProviderConfig) -> str | None:
        """Why IT does not allow ``config`` (a sentence for the user), or None."""
        policy = self.provider_policy()
        if policy.allows(config.name, config.base_url):
            return None
        reason = self.provider_lock.reason if self.provider_lock is not None else ""
        return (
            f"Your organisation allows {policy.describe()} as AI providers, so "
            f"{config.name} ({config.base_url}) cannot be used. {reason}"
        ).strip()

    def save_provider(self, config: ProviderConfig, api_key: str | None = None) -> None:
        """Add or change a provider; the key (if given) goes to the keyring only."""
        refused = self.refusal(config)
        if refused is not None:
            raise ContentProblem(refused)
        if not config.name.strip() or config.name == OFFLINE:
            raise ContentProblem("Give the provider a name (not 'offline').")
        if not config.base_url.startswith(("http://", "https://")):
            raise ContentProblem(
                "The address must start with http:// or https://, e.g. "
                "https://api.openai.com/v1 or http://127.0.0.1:11434/v1."
            )
        if not config.model.strip():
            raise ContentProblem("Say which model to use, e.g. gpt-4o-mini or llama3.1.")
        if api_key:
            self.keys.set(config.name, api_key)
        with self.db.session() as conn:
            store.save_provider(
                conn,
                store.ProviderRecord(
                    config.name,
                    config.profile,
                    config.base_url,
                    config.model,
                    config.needs_key,
                    config.timeout,
                ),
                self._clock(),
            )
        self._forget(config.name)

    def _forget(self, name: str) -> None:
        self._learned.pop(name, None)
        for per_loop in list(self._live.values()):
            per_loop.pop(name, None)

    def delete_provider(self, name: str) -> None:
        with self.db.session() as conn:
            store.delete_provider(conn, name)
        self.keys.delete(name)
        self._forget(name)

    async def discover_local(
        self, ports: Mapping[int, str] | None = None, timeout: float = 0.4
    ) -> list[LocalServer]:
        """Local servers answering on loopback (nothing remote is contacted). None at all
        when IT allows no provider."""
        from desktop.integrations.providers.discovery import LOCAL_SERVERS, discover_local_servers

        if self.provider_policy().rule is ProviderRule.NONE:
            return []
        return await discover_local_servers(ports or LOCAL_SERVERS, timeout)

    # -- prompts ----------------------------------------------------------------------

    def render_prompt(
        self,
        brief: Brief,
        ct: ContentType,
        brand: BrandKit,
        *,
        count: int,
        fields: Sequence[str] | None = None,
        keep: Mapping[str, str] | None = None,
        avoid: Sequence[str] = (),
        template: str = BUILT_IN_PROMPT,
    ) -> tuple[str, str]:
        """(system, user) messages, rendered in the sandbox. Raises
        :class:`TemplateProblem` for a template that misbehaves."""
        from desktop.domain.sandbox import render_untrusted

        source = self.catalogue.user_prompt
        if template != BUILT_IN_PROMPT:
            extra = dict(self._extra_templates())
            if template not in extra:
                raise ContentProblem(
                    f"The prompt template '{template}' is not in the library any more; "
                    "choose another one."
                )
            source = extra[template]
        specs = [f for f in ct.fields if fields is None or f.name in fields]
        context: dict[str, object] = {
            "content_type": {
                "id": ct.id,
                "label": ct.label,
                "channel": ct.channel,
                "description": ct.description,
            },
            "fields": [
                {
                    "name": f.name,
                    "label": f.label,
                    "is_list": f.is_list,
                    "write": f.write_items,
                    "guidance": f.guidance,
                    "limit": _limit_text(f),
                }
                for f in specs
            ],
            "brief": {
                **brief.to_dict(),
                "claims": [{"text": c.text, "evidence": c.evidence} for c in brief.claims],
            },
            "brand": {
                **brand.to_dict(),
                "preferred_terms": [{"avoid": a, "use": u} for a, u in brand.preferred_terms],
                "approved_claims": [
                    {"text": c.text, "evidence": c.evidence} for c in brand.approved_claims
                ],
            },
            "count": count,
            "keep": dict(keep or {}),
            "avoid": list(avoid),
        }
        from desktop.domain.sandbox import Limits

        limits = Limits(max_source_chars=50_000, max_output_chars=100_000, max_seconds=1.0)
        system = render_untrusted(self.catalogue.system_prompt, context, limits=limits)
        user = render_untrusted(source, context, limits=limits)
        return system.strip(), user.strip()

    # -- generating -------------------------------------------------------------------

    def check(
        self, ct: ContentType, brief: Brief, variants: Sequence[Variant]
    ) -> list[QualityReport]:
        return check_all(variants, CheckContext(ct, brief, self.brand_kit()))

    def generate_template(
        self, brief: Brief, *, start: int = 0, count: int | None = None
    ) -> Generation:
        """Template mode: variants from the copy formulas, checked and stored."""
        problems = brief.problems()
        if problems:
            raise BriefProblem(problems)
        ct = self.content_type(brief.content_type)
        brand = self.brand_kit()
        t0 = time.perf_counter()
        variants = template_variants(ct, brief, brand, self.catalogue.formulas, count, start)
        reports = check_all(variants, CheckContext(ct, brief, brand))
        latency = (time.perf_counter() - t0) * 1000
        output = json.dumps({"variants": [v.to_dict()["fields"] for v in variants]})
        return self._store(
            brief,
            ct,
            OFFLINE,
            "copy formulas",
            "template",
            {"start": start},
            "",
            output,
            variants,
            reports,
            latency_ms=latency,
            first_token_ms=latency,
        )

    async def generate(
        self,
        brief: Brief,
        provider_name: str,
        *,
        on_event: EventSink | None = None,
        bypass_cache: bool = False,
        template: str = BUILT_IN_PROMPT,
        fields: Sequence[str] | None = None,
        keep: Mapping[str, str] | None = None,
        avoid: Sequence[str] = (),
        count: int | None = None,
        base: Variant | None = None,
        queue: bool = True,
    ) -> Generation:
        """Generate with a provider (or template mode when ``provider_name`` is
        :data:`OFFLINE`). ``fields``/``keep``/``base`` regenerate one field of ``base``;
        ``count`` overrides the brief's number (regenerating one variant)."""
        import asyncio  # not at the top: a learner's session builds this service too

        from desktop.domain.content_output import output_schema, parse_partial, validate_output
        from desktop.integrations.providers.capabilities import estimated_cost
        from desktop.integrations.providers.structured import generate_structured

        problems = brief.problems()
        if problems:
            raise BriefProblem(problems)
        if provider_name == OFFLINE:
            start = next(self._template_rounds) * brief.variants if bypass_cache else 0
            generation = self.generate_template(brief, start=start, count=count)
            if fields is not None and base is not None:
                return self._merge_field(generation, base, fields)
            return generation
        ct = self.content_type(brief.content_type)
        brand = self.brand_kit()
        config = self.provider(provider_name)
        n = count or brief.variants
        system, user = self.render_prompt(
            brief, ct, brand, count=n, fields=fields, keep=keep, avoid=avoid, template=template
        )
        params = {
            "temperature": TEMPERATURE,
            "variants": n,
            "template": template,
            "fields": list(fields) if fields else None,
        }
        key = request_key(brief, brand, config.name, config.model, params, system + "\n" + user)
        schema = output_schema(ct, fields)
        label = f"{config.name} · {config.model}"

        def validate(data: object) -> list[Variant]:
            return validate_output(ct, data, n, fields, label)

        if not bypass_cache:
            hit = self._cached(key, validate)
            if hit is not None:
                variants, cached = hit
                if fields is not None and base is not None:
                    variants = [_merged(base, variants[0], fields)]
                reports = check_all(variants, CheckContext(ct, brief, brand))
                return self._store(
                    brief,
                    ct,
                    config.name,
                    config.model,
                    cached.mode,
                    params,
                    system + "\n\n" + user,
                    cached.output,
                    variants,
                    reports,
                    cached=True,
                    cache_key=key,
                    latency_ms=0.0,
                    first_token_ms=0.0,
                    prompt_tokens=cached.prompt_tokens,
                    completion_tokens=cached.completion_tokens,
                    cost=0.0,
                )

        brief_id = self._save_brief(brief)
        provider = self._make_provider(config)
        partial: list[str] = [""]

        def on_text(text: str) -> None:
            partial[0] = text
            if on_event is not None:
                on_event(Streaming(parse_partial(text)))

        def on_retry(attempt: int, reason: str) -> None:
            if on_event is not None:
                on_event(Retrying(attempt, reason))

        t0 = time.perf_counter()
        try:
            result = await generate_structured(
                provider,
                [{"role": "system", "content": system}, {"role": "user", "content": user}],
                schema,
                validate,
                on_text=on_text,
                on_retry=on_retry,
                temperature=TEMPERATURE,
                schema_name=ct.id.replace("-", "_"),
            )
        except ProviderProblem as problem:
            self._learned[config.name] = provider.capabilities
            if problem.kind is ProblemKind.UNREACHABLE and not config.is_local and queue:
                queue_id = self._enqueue(brief_id, brief, config.name, template)
                self._store_failure(
                    brief_id,
                    ct,
                    config,
                    params,
                    system,
                    user,
                    partial[0],
                    "queued",
                    problem.user_message,
                    t0,
                )
                raise RequestQueued(queue_id, config.name, problem.user_message) from problem
            self._store_failure(
                brief_id,
                ct,
                config,
                params,
                system,
                user,
                partial[0],
                "failed",
                problem.user_message,
                t0,
            )
            raise
        except asyncio.CancelledError:
            self._store_failure(
                brief_id,
                ct,
                config,
                params,
                system,
                user,
                partial[0],
                "cancelled",
                "Cancelled by the user.",
                t0,
            )
            raise
        finally:
            self._learned[config.name] = provider.capabilities
        latency = (time.perf_counter() - t0) * 1000
        variants = result.value
        if fields is not None and base is not None:
            variants = [_merged(base, variants[0], fields)]
        reports = check_all(variants, CheckContext(ct, brief, brand))
        with self.db.session() as conn:
            store.cache_reply(
                conn,
                key,
                store.CachedReply(
                    result.text, result.mode.value, result.prompt_tokens, result.completion_tokens
                ),
                self._clock(),
            )
        cost = estimated_cost(
            config.model, result.prompt_tokens, result.completion_tokens, config.is_local
        )
        generation = self._store(
            brief,
            ct,
            config.name,
            config.model,
            result.mode.value,
            params,
            system + "\n\n" + user,
            result.text,
            variants,
            reports,
            cache_key=key,
            latency_ms=latency,
            first_token_ms=(result.first_token_s or 0.0) * 1000,
            prompt_tokens=result.prompt_tokens,
            completion_tokens=result.completion_tokens,
            cost=cost,
            brief_id=brief_id,
        )
        return replace(generation, attempts=result.attempts)

    async def regenerate_variant(
        self,
        brief: Brief,
        provider_name: str,
        others: Sequence[Variant],
        *,
        template: str = BUILT_IN_PROMPT,
        on_event: EventSink | None = None,
    ) -> ShownVariant:
        """One new variant, different from ``others`` (the cache is bypassed)."""
        generation = await self.generate(
            brief,
            provider_name,
            on_event=on_event,
            bypass_cache=True,
            template=template,
            count=1,
            avoid=[t for v in others for t in _headline_texts(v)],
            queue=False,
        )
        return generation.variants[0]

    async def regenerate_field(
        self,
        brief: Brief,
        provider_name: str,
        variant: Variant,
        field_name: str,
        *,
        template: str = BUILT_IN_PROMPT,
        on_event: EventSink | None = None,
    ) -> ShownVariant:
        """``variant`` with one field written anew (the other fields are kept)."""
        ct = self.content_type(brief.content_type)
        keep = {f.name: variant.text(f.name) for f in ct.fields if f.name != field_name}
        generation = await self.generate(
            brief,
            provider_name,
            on_event=on_event,
            bypass_cache=True,
            template=template,
            count=1,
            fields=[field_name],
            keep=keep,
            base=variant,
            avoid=list(variant.items(field_name)),
            queue=False,
        )
        return generation.variants[0]

    def _merge_field(
        self, generation: Generation, base: Variant, fields: Sequence[str]
    ) -> Generation:
        merged = _merged(base, generation.variants[0].variant, fields)
        report = check_variant(
            merged, CheckContext(generation.content_type, generation.brief, self.brand_kit())
        )
        shown = generation.variants[0]
        with self.db.session() as conn:
            store.update_variant(conn, shown.id, merged.to_dict(), report.to_list(), self._clock())
        return replace(generation, variants=[replace(shown, variant=merged, report=report)])

    def _cached(
        self, key: str, validate: Callable[[object], list[Variant]]
    ) -> tuple[list[Variant], store.CachedReply] | None:
        from desktop.domain.content_output import OutputProblem
        from desktop.integrations.providers.structured import parse_reply

        with self.db.read_session() as conn:
            cached = store.cached_reply(conn, key)
        if cached is None:
            return None
        try:
            return validate(parse_reply(cached.output, OutputMode(cached.mode))), cached
        except (OutputProblem, ValueError):
            return None  # a stale entry (the content type changed): ask again

    def _make_provider(self, config: ProviderConfig) -> ChatProvider:
        refused = self.refusal(config)  # one saved before IT's lock arrived
        if refused is not None:
            raise ContentProblem(refused)
        api_key = self.keys.get(config.name) if config.needs_key else None
        if config.needs_key and not api_key:
            raise ProviderProblem(
                ProblemKind.NO_KEY,
                f"{config.name} needs an API key and none is saved. Add it under Providers "
                "(it is kept in your system's keyring).",
            )
        # One client per provider and event loop, kept between generations: creating one
        # costs tens of milliseconds (TLS set-up) and its connections are reused.
        import asyncio

        per_loop = self._live.setdefault(asyncio.get_running_loop(), {})
        live = per_loop.get(config.name)
        if live is not None and live[0] == config and live[1] == api_key:
            return live[2]
        provider = self._provider_factory(config, api_key)
        learned = self._learned.get(config.name)
        if learned is not None:
            provider.capabilities = learned
        per_loop[config.name] = (config, api_key, provider)
        return provider

    # -- storing ----------------------------------------------------------------------

    def _save_brief(self, brief: Brief) -> uuid.UUID:
        brief_id = uuid.uuid4()
        with self.db.session() as conn:
            store.save_brief(conn, brief_id, brief.content_type, brief.to_dict(), self._clock())
        return brief_id

    def last_brief(self) -> Brief | None:
        """The brief typed most recently (restored when the studio opens)."""
        with self.db.read_session() as conn:
            found = store.latest_brief(conn)
        if found is None:
            return None
        try:
            return Brief.from_dict(found[1])
        except ValueError:
            return None

    def save_draft_brief(self, brief: Brief) -> None:
        """Keep the brief being typed (nothing is lost if the app closes)."""
        self._save_brief(brief)

    def _store(
        self,
        brief: Brief,
        ct: ContentType,
        provider: str,
        model: str,
        mode: str,
        params: Mapping[str, Any],
        prompt: str,
        output: str,
        variants: Sequence[Variant],
        reports: Sequence[QualityReport],
        *,
        cached: bool = False,
        cache_key: str | None = None,
        latency_ms: float | None = None,
        first_token_ms: float | None = None,
        prompt_tokens: int = 0,
        completion_tokens: int = 0,
        cost: float | None = 0.0,
        brief_id: uuid.UUID | None = None,
    ) -> Generation:
        now = self._clock()
        gen_id = uuid.uuid4()
        shown: list[ShownVariant] = []
        with self.db.session() as conn:
            if brief_id is None:
                brief_id = uuid.uuid4()
                store.save_brief(conn, brief_id, brief.content_type, brief.to_dict(), now)
            if cached and cache_key:
                store.count_cache_hit(conn, cache_key)
            store.add_generation(
                conn,
                store.GenerationRecord(
                    gen_id,
                    brief_id,
                    ct.id,
                    provider,
                    model,
                    mode,
                    dict(params),
                    prompt,
                    output,
                    "done",
                    None,
                    latency_ms,
                    first_token_ms,
                    prompt_tokens,
                    completion_tokens,
                    cost,
                    cache_key,
                    cached,
                    now,
                ),
            )
            for position, (variant, report) in enumerate(zip(variants, reports, strict=True)):
                vid = uuid.uuid4()
                store.add_variant(
                    conn,
                    store.VariantRecord(
                        vid,
                        gen_id,
                        position,
                        variant.to_dict(),
                        report.to_list(),
                        False,
                        False,
                        now,
                    ),
                )
                shown.append(ShownVariant(vid, gen_id, variant, report))
        return Generation(
            gen_id,
            brief_id,
            brief,
            ct,
            provider,
            model,
            mode,
            shown,
            cached,
            latency_ms,
            first_token_ms,
            prompt_tokens,
            completion_tokens,
            cost,
        )

    def _store_failure(
        self,
        brief_id: uuid.UUID,
        ct: ContentType,
        config: ProviderConfig,
        params: Mapping[str, Any],
        system: str,
        user: str,
        output: str,
        status: str,
        error: str,
        t0: float,
    ) -> None:
        try:
            with self.db.session() as conn:
                store.add_generation(
                    conn,
                    store.GenerationRecord(
                        uuid.uuid4(),
                        brief_id,
                        ct.id,
                        config.name,
                        config.model,
                        "",
                        dict(params),
                        system + "\n\n" + user,
                        output,
                        status,
                        error,
                        (time.perf_counter() - t0) * 1000,
                        None,
                        0,
                        0,
                        None,
                        None,
                        False,
                        self._clock(),
                    ),
                )
        except Exception:  # recording a failure must never hide the failure itself
            log.exception("could not record a failed generation")

    # -- editing, favourites, export --------------------------------------------------

    def edit_variant(
        self,
        shown: ShownVariant,
        variant: Variant,
        ct: ContentType,
        brief: Brief,
        others: Sequence[Variant] = (),
    ) -> ShownVariant:
        """Store an edited variant; its quality checks run again."""
        report = check_variant(variant, CheckContext(ct, brief, self.brand_kit()), others)
        with self.db.session() as conn:
            store.update_variant(conn, shown.id, variant.to_dict(), report.to_list(), self._clock())
        return replace(shown, variant=variant, report=report, edited=True)

    def apply_fix(
        self,
        shown: ShownVariant,
        finding: Finding,
        ct: ContentType,
        brief: Brief,
        others: Sequence[Variant] = (),
    ) -> ShownVariant:
        return self.edit_variant(shown, apply_fix(shown.variant, finding), ct, brief, others)

    def set_favourite(self, shown: ShownVariant, favourite: bool) -> ShownVariant:
        with self.db.session() as conn:
            store.set_favourite(conn, shown.id, favourite, self._clock())
        return replace(shown, favourite=favourite)

    def favourites(self) -> list[ShownVariant]:
        with self.db.read_session() as conn:
            rows = store.favourites(conn)
        return [ShownVariant.from_record(r) for r in rows]

    def export(
        self,
        ct: ContentType,
        brief: Brief,
        variants: Sequence[ShownVariant],
        path: Path,
        *,
        final_url: str = "",
    ) -> Path:
        """Write the variants to ``path``: Google Ads Editor CSV for search ads (``.csv``),
        Markdown otherwise. Raises ExportBlocked when a variant has errors."""
        items = [ExportItem(n, v.variant, v.report) for n, v in enumerate(variants, start=1)]
        if ct.export == "google-ads-csv" and path.suffix.lower() == ".csv":
            text = google_ads_csv(items, brief, final_url=final_url)
        else:
            text = markdown(ct, items, brief)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(text, encoding="utf-8", newline="")
        tmp.replace(path)
        with self.db.session() as conn:  # exported counts as accepted (analytics)
            store.mark_exported(conn, [v.id for v in variants])
        return path

    def copy_text(self, ct: ContentType, variant: Variant) -> str:
        return plain_text(ct, variant)

    def counter(self, ct: ContentType, field_name: str, text: str) -> str:
        return counter_text(ct.field(field_name), text)

    # -- history ----------------------------------------------------------------------

    def history(self, limit: int = 200) -> list[HistoryEntry]:
        with self.db.read_session() as conn:
            records = store.generations(conn, limit)
            counts = {r.id: len(store.variants(conn, r.id)) for r in records}
            briefs = {r.brief_id: store.brief(conn, r.brief_id) for r in records}
        out = []
        for r in records:
            data = briefs.get(r.brief_id) or {}
            out.append(
                HistoryEntry(
                    r.id,
                    r.created_at,
                    self._type_label(r.content_type),
                    str(data.get("product", "")),
                    r.provider,
                    r.model,
                    r.status,
                    counts[r.id],
                    r.latency_ms,
                    r.prompt_tokens + r.completion_tokens,
                    r.cost_usd,
                    r.cached,
                    r.error,
                )
            )
        return out

    def open_generation(self, generation_id: uuid.UUID) -> Generation:
        with self.db.read_session() as conn:
            record = store.generation(conn, generation_id)
            if record is None:
                raise ContentProblem("That generation is not in the history any more.")
            rows = store.variants(conn, generation_id)
            brief_data = store.brief(conn, record.brief_id) or {}
        brief = Brief.from_dict(brief_data)
        ct = self.content_type(record.content_type)
        shown = [ShownVariant.from_record(r) for r in rows]
        return Generation(
            record.id,
            record.brief_id,
            brief,
            ct,
            record.provider,
            record.model,
            record.mode,
            shown,
            record.cached,
            record.latency_ms,
            record.first_token_ms,
            record.prompt_tokens,
            record.completion_tokens,
            record.cost_usd,
        )

    # -- the offline queue ------------------------------------------------------------

    def _enqueue(
        self, brief_id: uuid.UUID, brief: Brief, provider: str, template: str
    ) -> uuid.UUID:
        queue_id = uuid.uuid4()
        with self.db.session() as conn:
            store.enqueue(
                conn,
                store.QueuedRecord(
                    queue_id,
                    brief_id,
                    provider,
                    {"brief": brief.to_dict(), "template": template},
                    "waiting",
                    0,
                    None,
                    self._clock(),
                ),
            )
        return queue_id

    def queued(self) -> list[QueuedRequest]:
        with self.db.read_session() as conn:
            rows = store.queued(conn)
        out = []
        for r in rows:
            data = r.request.get("brief", {})
            out.append(
                QueuedRequest(
                    r.id,
                    r.provider,
                    str(data.get("product", "")),
                    self._type_label(str(data.get("content_type", ""))),
                    r.status,
                    r.attempts,
                    r.last_error,
                    r.created_at,
                )
            )
        return out

    def cancel_queued(self, queue_id: uuid.UUID) -> None:
        with self.db.session() as conn:
            store.dequeue(conn, queue_id)

    async def network_back(self, provider_name: str) -> bool:
        """Whether the provider's host accepts connections again."""
        from urllib.parse import urlsplit

        from desktop.integrations.providers.discovery import reachable

        config = self.provider(provider_name)
        parts = urlsplit(config.base_url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        return await reachable(parts.hostname or "", port)

    async def run_queue(self, on_event: EventSink | None = None) -> list[Generation]:
        """Send the waiting requests whose provider is reachable again. Those still
        unreachable keep waiting; those that fail otherwise are marked failed with the
        reason (and stay listed until removed)."""
        from desktop.domain.sandbox import TemplateProblem

        done: list[Generation] = []
        with self.db.read_session() as conn:
            waiting = [r for r in store.queued(conn) if r.status == "waiting"]
        checked: dict[str, bool] = {}
        for record in waiting:
            if record.provider not in checked:
                try:
                    checked[record.provider] = await self.network_back(record.provider)
                except ContentProblem as exc:
                    with self.db.session() as conn:
                        store.update_queued(conn, record.id, "failed", exc.user_message)
                    continue
            if not checked[record.provider]:
                continue
            brief = Brief.from_dict(record.request["brief"])
            try:
                generation = await self.generate(
                    brief,
                    record.provider,
                    on_event=on_event,
                    template=str(record.request.get("template") or BUILT_IN_PROMPT),
                    queue=False,
                )
            except ProviderProblem as problem:
                status = "waiting" if problem.kind is ProblemKind.UNREACHABLE else "failed"
                with self.db.session() as conn:
                    store.update_queued(conn, record.id, status, problem.user_message)
                continue
            except (ContentProblem, BriefProblem, TemplateProblem) as exc:
                with self.db.session() as conn:
                    store.update_queued(conn, record.id, "failed", exc.user_message)
                continue
            with self.db.session() as conn:
                store.dequeue(conn, record.id)
            done.append(generation)
        return done


def _merged(base: Variant, fresh: Variant, fields: Sequence[str]) -> Variant:
    out = base
    for name in fields:
        out = out.with_field(name, fresh.items(name))
    return replace(
        out,
        label=base.label or fresh.label,
        source=fresh.source if base.source is VariantSource.MODEL else base.source,
    )


def _headline_texts(v: Variant) -> list[str]:
    return [item for items in v.fields.values() for item in items][:6]


def _limit_text(spec: Any) -> str:
    from desktop.domain.content import Counting

    if spec.counting is Counting.SMS:
        return "one SMS segment: 160 GSM-7 characters (70 if any emoji or special character)"
    parts = []
    unit = (
        "weighted characters (links 23, emoji 2)"
        if spec.counting is Counting.X_WEIGHTED
        else "characters"
    )
    if spec.hard_limit is not None:
        parts.append(f"at most {spec.hard_limit} {unit}")
    if spec.soft_max is not None and spec.soft_min is not None:
        parts.append(f"aim for {spec.soft_min} to {spec.soft_max}")
    elif spec.soft_max is not None:
        parts.append(f"about {spec.soft_max} show before it is cut")
    return ", ".join(parts) or "no fixed limit"


def build_content_service(
    db: Database, secrets: SecretStore, provider_lock: Lock | None = None
) -> ContentService:
    """The service as the app uses it: bundled resources, keys in the OS keyring, and
    the providers IT allows."""
    from desktop.paths import resources_dir

    return ContentService(db, resources_dir(), ApiKeys(secrets), provider_lock=provider_lock)


def content_templates_from(library: TemplateLibrary) -> Callable[[], list[tuple[str, str]]]:
    """The hook for the team's template library: its content templates as (name, source)
    pairs, read each time the studio lists or renders them."""
    from desktop.domain.templates import TemplateKind

    def source() -> list[tuple[str, str]]:
        return [(t.name, t.body) for t in library.list(kind=TemplateKind.CONTENT)]

    return source


class _NamedTemplate(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def body(self) -> str: ...


class TemplateLibrary(Protocol):
    def list(self, kind: Any = None) -> Sequence[_NamedTemplate]: ...
