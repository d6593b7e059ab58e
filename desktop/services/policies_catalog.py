"""What Policy Studio knows from its bundled files: questionnaires, templates, rule packs.

Everything under ``resources/policies/`` is read once per catalog and kept; a file that
is broken is reported with its name and what to fix (:class:`QuestionnaireError`).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from desktop import paths
from desktop.domain.policy import (
    POLICY_TYPES,
    Questionnaire,
    QuestionnaireError,
    questionnaire_from_data,
)
from desktop.domain.policy_rules import (
    ChecklistItem,
    CrossCheck,
    JurisdictionPack,
    cross_checks_from_data,
    pack_from_data,
)

PACK_ORDER = ("eu", "uk", "us_ca", "us")

# Reviewers tick these for every policy, whatever the jurisdiction.
GENERAL_CHECKLIST = (
    ChecklistItem("general-facts", "general", "Names, numbers and contact details are correct."),
    ChecklistItem(
        "general-date", "general", "The effective date is right and customers are told in time."
    ),
    ChecklistItem(
        "general-consistent",
        "general",
        "The policy agrees with the other policies and with the marketing copy.",
    ),
)


def policies_dir() -> Path:
    return paths.resources_dir() / "policies"


def _load_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise QuestionnaireError(
            f"{path}: cannot be read ({exc.strerror}). Reinstall Playbook to restore it."
        ) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        raise QuestionnaireError(f"{path}{where}: not valid YAML ({exc}).") from exc


@dataclass(frozen=True)
class PolicyCatalog:
    root: Path

    @classmethod
    def bundled(cls) -> PolicyCatalog:
        return _bundled()

    @functools.cached_property
    def profile_questionnaire(self) -> Questionnaire:
        path = self.root / "questionnaires" / "profile.yaml"
        return questionnaire_from_data(_load_yaml(path), str(path))

    @functools.cached_property
    def questionnaires(self) -> dict[str, Questionnaire]:
        out = {}
        for policy_type in POLICY_TYPES:
            path = self.root / "questionnaires" / f"{policy_type}.yaml"
            out[policy_type] = questionnaire_from_data(_load_yaml(path), str(path))
        return out

    def questionnaire(self, policy_type: str) -> Questionnaire:
        try:
            return self.questionnaires[policy_type]
        except KeyError:
            known = ", ".join(POLICY_TYPES)
            raise QuestionnaireError(
                f"There is no policy type {policy_type!r}. Choose one of: {known}."
            ) from None

    def template(self, policy_type: str) -> str:
        self.questionnaire(policy_type)  # a clear error for an unknown type
        path = self.root / "templates" / f"{policy_type}.md.j2"
        try:
            return path.read_text(encoding="utf-8")
        except OSError as exc:
            raise QuestionnaireError(
                f"{path}: cannot be read ({exc.strerror}). Reinstall Playbook to restore it."
            ) from exc

    @functools.cached_property
    def packs(self) -> list[JurisdictionPack]:
        packs = []
        for pack_id in PACK_ORDER:
            path = self.root / "jurisdictions" / f"{pack_id}.yaml"
            packs.append(pack_from_data(_load_yaml(path), str(path)))
        return packs

    def pack(self, pack_id: str) -> JurisdictionPack:
        for pack in self.packs:
            if pack.id == pack_id:
                return pack
        raise KeyError(pack_id)

    @functools.cached_property
    def cross_checks(self) -> list[CrossCheck]:
        return cross_checks_from_data(_load_yaml(self.root / "cross_checks.yaml"))

    @functools.cached_property
    def stylesheet(self) -> str:
        return (self.root / "pdf" / "policy.css").read_text(encoding="utf-8")


@functools.cache
def _bundled() -> PolicyCatalog:
    return PolicyCatalog(policies_dir())
