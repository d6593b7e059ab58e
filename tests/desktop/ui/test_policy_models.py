"""Policy Studio's Qt models pass pytest-qt's model tester."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from PySide6.QtCore import Qt

from desktop.domain.policy import Column, QuestionType
from desktop.domain.policy_text import Placeholder
from desktop.storage.policies import ChecklistRecord, CommentRecord, DocumentRecord, VersionRecord
from desktop.ui.models.policy import (
    ChecklistModel,
    CommentListModel,
    PlaceholderListModel,
    PolicyListModel,
    VersionListModel,
)
from desktop.ui.models.policy_table import TableAnswerModel

NOW = datetime(2026, 11, 25, tzinfo=UTC)


def test_policy_models(qapp, qtmodeltester) -> None:
    doc = DocumentRecord(uuid.uuid4(), "refund", "Returns", ["eu"], NOW, NOW, 2, "draft", 1)
    docs = PolicyListModel()
    docs.set_rows([doc])
    qtmodeltester.check(docs)
    version = VersionRecord(uuid.uuid4(), doc.id, 1, "approved", {}, "# x", "2027-03-01", "Ana",
                            "Ben", "First.", "", "h", NOW, NOW, NOW)  # fmt: skip
    versions = VersionListModel()
    versions.set_rows([version])
    qtmodeltester.check(versions)
    toggled: list[tuple[str, bool]] = []
    checklist = ChecklistModel()
    checklist.on_toggle = lambda item, on: toggled.append((item, on))
    checklist.set_rows([ChecklistRecord("eu-form", "eu", "Form attached", False, None, None)])
    qtmodeltester.check(checklist)
    assert checklist.setData(
        checklist.index(0, 0), Qt.CheckState.Checked.value, Qt.ItemDataRole.CheckStateRole
    )
    assert toggled == [("eu-form", True)]
    comments = CommentListModel()
    comments.set_rows(
        [CommentRecord(uuid.uuid4(), version.id, "refunds", "Refunds", "Ben", "Hm", False, NOW)]
    )
    qtmodeltester.check(comments)
    placeholders = PlaceholderListModel()
    placeholders.set_rows([Placeholder(3, 1, 5, "TODO", "a note")])
    qtmodeltester.check(placeholders)
    table = TableAnswerModel(
        (
            Column("from_percent", "From", QuestionType.INT),
            Column("rate", "Rate", QuestionType.PERCENT),
        )
    )
    table.set_rows_from([{"from_percent": 0, "rate": 5}])
    table.add_row()
    qtmodeltester.check(table)
    assert table.setData(table.index(1, 0), "100")
    assert table.rows_as_dicts() == [
        {"from_percent": 0, "rate": 5},
        {"from_percent": 100, "rate": 5},
    ]
