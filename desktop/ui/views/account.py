"""Settings → Account and Team: sign in (or create an account with an invitation code),
this device's name, sign out; switch team, see members and roles; owners invite, remove
and change roles. Network work runs through the window's TaskRunner; the form says what
is happening and, when something goes wrong, what to do.
"""

from __future__ import annotations

import uuid
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.services.account import ROLE_HELP, ROLE_LABELS, AccountService
from desktop.services.sync import default_device_name
from desktop.ui import theme
from desktop.ui.tasks import TaskRunner, user_message
from desktop.ui.views.templates import Banner
from desktop.ui.widgets.common import Card, button, label, page_runner

DEFAULT_SERVER = "https://"


class MemberTableModel(QAbstractTableModel):
    """A team's members: name, email, role."""

    HEADERS = ("Name", "Email", "Role")

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[Any] = []  # sync_server.protocol.MemberOut
        self.me: uuid.UUID | None = None

    def set_members(self, rows: list[Any]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def member(self, row: int) -> Any:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid() or index.parent().isValid():
            return None
        member = self.member(index.row())
        if member is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            if index.column() == 0:
                you = " (you)" if member.user_id == self.me else ""
                return (member.display_name or member.email) + you
            if index.column() == 1:
                return member.email
            if index.column() == 2:
                return ROLE_LABELS.get(member.role, member.role)
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == 2:
            return ROLE_HELP.get(member.role, "")
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(self.HEADERS)
        ):
            return self.HEADERS[section]
        return None


class AccountPanel(QWidget):
    signed_in = Signal()
    signed_out = Signal()
    sync_requested = Signal()

    def __init__(self, account: AccountService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.account = account
        self.signup_mode = False
        col = QVBoxLayout(self)
        col.setContentsMargins(0, 0, 0, 0)
        col.setSpacing(20)
        col.addWidget(self._build_account_card())
        col.addWidget(self._build_team_card())
        col.addStretch(1)
        self.refresh()

    # -- building -----------------------------------------------------------------------

    def _build_account_card(self) -> Card:
        card = Card(padding=22)
        card.body.addWidget(label("Account and sync", "SectionTitle"))
        self.intro = label(
            "Sign in to your team's sync server to share templates with your team and keep "
            "your progress, bookmarks and notes the same on all your computers. Everything "
            "keeps working offline; changes sync when the network is back.",
            "Muted",
            wrap=True,
        )
        card.body.addWidget(self.intro)
        self.keyring_banner = Banner("warning")
        card.body.addWidget(self.keyring_banner)

        # Signed out: the form.
        self.form = QWidget()
        form = QFormLayout(self.form)
        form.setContentsMargins(0, 6, 0, 0)
        form.setHorizontalSpacing(14)
        self.server = QLineEdit()
        self.server.setPlaceholderText("https://sync.example.com")
        self.server.setAccessibleName("Server address")
        self.email = QLineEdit()
        self.email.setPlaceholderText("you@company.com")
        self.email.setAccessibleName("Email")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName("Password")
        self.device = QLineEdit()
        self.device.setAccessibleName("This device's name")
        self.invite_code = QLineEdit()
        self.invite_code.setPlaceholderText("The code a team owner sent you")
        self.invite_code.setAccessibleName("Invitation code")
        self.display_name = QLineEdit()
        self.display_name.setPlaceholderText("How your team sees you (optional)")
        self.display_name.setAccessibleName("Your name")
        form.addRow("Server", self.server)
        form.addRow("Email", self.email)
        form.addRow("Password", self.password)
        form.addRow("This device", self.device)
        self._code_row = ("Invitation code", self.invite_code)
        form.addRow(*self._code_row)
        form.addRow("Your name", self.display_name)
        self._form_layout = form
        self.password.returnPressed.connect(self.submit)
        card.body.addWidget(self.form)
        self.error = label("", wrap=True)
        self.error.setStyleSheet(f"color: {theme.PALETTE['danger-text']};")
        self.error.setVisible(False)
        card.body.addWidget(self.error)
        row = QHBoxLayout()
        self.submit_button = button("Sign in", variant="primary")
        self.submit_button.clicked.connect(self.submit)
        self.mode_button = button("Create an account with an invitation code", variant="ghost")
        self.mode_button.clicked.connect(lambda: self.set_signup(not self.signup_mode))
        row.addWidget(self.submit_button)
        row.addWidget(self.mode_button)
        row.addStretch(1)
        self.form_buttons = QWidget()
        self.form_buttons.setLayout(row)
        card.body.addWidget(self.form_buttons)
        self.signup_mode = False
        self.set_signup(False)

        # Signed in: who, where, and the two actions.
        self.signed_in_box = QWidget()
        box = QVBoxLayout(self.signed_in_box)
        box.setContentsMargins(0, 6, 0, 0)
        self.who = label("", wrap=True)
        self.who.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.addWidget(self.who)
        actions = QHBoxLayout()
        self.sync_button = button(
            "Sync now", variant="primary", icon="refresh", icon_colour="surface"
        )
        self.sync_button.clicked.connect(self.sync_requested)
        self.sign_out_button = button("Sign out")
        self.sign_out_button.setToolTip("Stop syncing on this computer; everything here stays")
        self.sign_out_button.clicked.connect(self.sign_out)
        actions.addWidget(self.sync_button)
        actions.addWidget(self.sign_out_button)
        actions.addStretch(1)
        box.addLayout(actions)
        card.body.addWidget(self.signed_in_box)
        return card

    def _build_team_card(self) -> Card:
        card = Card(padding=22)
        self.team_card = card
        head = QHBoxLayout()
        head.addWidget(label("Team", "SectionTitle"), 1)
        self.team_picker = QComboBox()
        self.team_picker.setAccessibleName("Team")
        self.team_picker.setMinimumWidth(220)
        self.team_picker.currentIndexChanged.connect(self._on_team_picked)
        head.addWidget(self.team_picker)
        card.body.addLayout(head)
        self.team_note = label("", "Muted", wrap=True)
        card.body.addWidget(self.team_note)
        self.members_model = MemberTableModel(self)
        self.members = QTableView()
        self.members.setModel(self.members_model)
        self.members.setAccessibleName("Team members")
        self.members.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.members.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.members.verticalHeader().setVisible(False)
        self.members.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.members.setFixedHeight(180)
        self.members.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        card.body.addWidget(self.members)

        self.owner_tools = QWidget()
        tools = QHBoxLayout(self.owner_tools)
        tools.setContentsMargins(0, 0, 0, 0)
        self.role_picker = QComboBox()
        self.role_picker.setAccessibleName("Role")
        for role in ("viewer", "editor", "owner"):
            self.role_picker.addItem(ROLE_LABELS[role], role)
        self.change_role_button = button("Change role")
        self.change_role_button.clicked.connect(self.change_role)
        self.remove_button = button("Remove from team", variant="danger")
        self.remove_button.clicked.connect(self.remove_member)
        self.invite_role = QComboBox()
        self.invite_role.setAccessibleName("Role of the person invited")
        for role in ("editor", "viewer", "owner"):
            self.invite_role.addItem(f"Invite as {ROLE_LABELS[role].lower()}", role)
        self.invite_button = button("Create invitation code", variant="primary")
        self.invite_button.clicked.connect(self.invite)
        tools.addWidget(self.role_picker)
        tools.addWidget(self.change_role_button)
        tools.addWidget(self.remove_button)
        tools.addStretch(1)
        tools.addWidget(self.invite_role)
        tools.addWidget(self.invite_button)
        card.body.addWidget(self.owner_tools)
        self.invitation = QLineEdit()
        self.invitation.setReadOnly(True)
        self.invitation.setAccessibleName("Invitation code to send")
        self.invitation.setVisible(False)
        card.body.addWidget(self.invitation)

        join = QHBoxLayout()
        self.join_code = QLineEdit()
        self.join_code.setPlaceholderText("Joining another team? Paste its invitation code")
        self.join_code.setAccessibleName("Invitation code to join a team")
        self.join_button = button("Join")
        self.join_button.clicked.connect(self.join)
        self.new_team = QLineEdit()
        self.new_team.setPlaceholderText("New team name")
        self.new_team.setAccessibleName("New team name")
        self.create_team_button = button("Create team")
        self.create_team_button.clicked.connect(self.create_team)
        join.addWidget(self.join_code, 2)
        join.addWidget(self.join_button)
        join.addSpacing(12)
        join.addWidget(self.new_team, 1)
        join.addWidget(self.create_team_button)
        card.body.addLayout(join)
        self.team_error = label("", wrap=True)
        self.team_error.setStyleSheet(f"color: {theme.PALETTE['danger-text']};")
        self.team_error.setVisible(False)
        card.body.addWidget(self.team_error)
        return card

    # -- state --------------------------------------------------------------------------

    @property
    def runner(self) -> TaskRunner:
        return page_runner(self)

    def set_signup(self, on: bool) -> None:
        self.signup_mode = on
        self._form_layout.setRowVisible(self.invite_code, on)
        self._form_layout.setRowVisible(self.display_name, on)
        self.submit_button.setText("Create account" if on else "Sign in")
        self.mode_button.setText(
            "I already have an account" if on else "Create an account with an invitation code"
        )

    def refresh(self) -> None:
        """Show the signed-in state or the form, and the team part."""
        problem = self.account.keyring_problem
        lock = self.account.server_lock
        if lock is not None and not lock[0]:
            problem = f"Sync is turned off on this computer by your organisation. {lock[1]}"
        if problem:
            self.keyring_banner.show_text(problem)
        else:
            self.keyring_banner.setVisible(False)
        if lock is not None and lock[0]:
            self.server.setText(lock[0])
            self.server.setReadOnly(True)
            self.server.setToolTip(f"Set by your organisation. {lock[1]}".strip())
        current = self.account.account()
        signed_in = current is not None
        again = self.account.session_problem() if signed_in else ""
        if again and not problem:
            self.keyring_banner.show_text(again)
        show_form = not signed_in or bool(again)
        self.form.setVisible(show_form)
        self.form_buttons.setVisible(show_form)
        self.mode_button.setVisible(not again)
        self.signed_in_box.setVisible(not show_form)
        self.submit_button.setEnabled(not problem)
        if current is not None:
            name = f" ({current.display_name})" if current.display_name else ""
            self.who.setText(
                f"Signed in as {current.email}{name}\nServer: {current.server_url}\n"
                f"This device: {current.device_name}"
            )
            self.members_model.me = current.user_id
        if show_form:
            remembered = self.account.remembered()
            if not self.server.text():
                self.server.setText(remembered.get("server_url", ""))
            if not self.email.text():
                self.email.setText(remembered.get("email", ""))
            if not self.device.text():
                self.device.setText(remembered.get("device_name", "") or default_device_name())
        self._refresh_teams(signed_in and not again)

    def _refresh_teams(self, signed_in: bool) -> None:
        teams = self.account.teams() if signed_in else []
        active = self.account.active_team() if signed_in else None
        self.team_picker.blockSignals(True)
        self.team_picker.clear()
        for team in teams:
            self.team_picker.addItem(f"{team.name} · {ROLE_LABELS[team.role]}", str(team.team_id))
        if active is not None:
            self.team_picker.setCurrentIndex(max(0, self.team_picker.findData(str(active.team_id))))
        self.team_picker.blockSignals(False)
        self.team_picker.setVisible(bool(teams))
        self.members.setVisible(bool(teams))
        self.owner_tools.setVisible(active is not None and active.role == "owner")
        for widget in (self.join_code, self.join_button, self.new_team, self.create_team_button):
            widget.setEnabled(signed_in)
        if not signed_in:
            self.team_note.setText("Sign in to see your teams.")
            self.members_model.set_members([])
        elif not teams:
            self.team_note.setText(
                "You are not in a team yet. Paste an invitation code from a team owner, or "
                "create a team and invite your colleagues."
            )
            self.members_model.set_members([])
        else:
            assert active is not None
            self.team_note.setText(
                f"You are {ROLE_LABELS[active.role].lower()} in {active.name}: "
                f"{ROLE_HELP[active.role]}."
                + ("" if active.role == "owner" else " Only owners manage members.")
            )
            self.load_members()

    def _selected_team(self) -> uuid.UUID | None:
        data = self.team_picker.currentData()
        return uuid.UUID(data) if data else None

    def _on_team_picked(self, _index: int) -> None:
        team = self._selected_team()
        if team is not None:
            self.account.set_active_team(team)
            self._refresh_teams(True)

    # -- actions ------------------------------------------------------------------------

    def _show_error(self, where: Any, exc: BaseException) -> None:
        where.setText(user_message(exc))
        where.setVisible(True)

    def submit(self) -> None:
        if not self.submit_button.isEnabled():
            return
        self.error.setVisible(False)
        self.submit_button.setEnabled(False)
        self.submit_button.setText("Creating account…" if self.signup_mode else "Signing in…")
        server, email, password = self.server.text(), self.email.text(), self.password.text()
        device = self.device.text()
        if self.signup_mode:
            code, name = self.invite_code.text(), self.display_name.text()

            def work() -> Any:
                return self.account.sign_up(server, code, email, password, device, name)
        else:

            def work() -> Any:
                return self.account.sign_in(server, email, password, device)

        self.runner.run_async(
            "Signing in", work, owner=self, on_done=self._signed_in, on_error=self._sign_in_failed
        )

    def _signed_in(self, _account: object) -> None:
        self.password.clear()
        self.invite_code.clear()
        self.set_signup(False)
        self.refresh()
        self.signed_in.emit()

    def _sign_in_failed(self, _description: str, exc: BaseException) -> None:
        self.set_signup(self.signup_mode)
        lock = self.account.server_lock
        locked_off = lock is not None and not lock[0]
        self.submit_button.setEnabled(not self.account.keyring_problem and not locked_off)
        self._show_error(self.error, exc)

    def sign_out(self) -> None:
        self.sign_out_button.setEnabled(False)

        def done(_result: object) -> None:
            self.sign_out_button.setEnabled(True)
            self.refresh()
            self.signed_out.emit()

        def failed(_description: str, exc: BaseException) -> None:
            self.sign_out_button.setEnabled(True)
            self._show_error(self.error, exc)

        self.runner.run_async(
            "Signing out", self.account.sign_out, owner=self, on_done=done, on_error=failed
        )

    def load_members(self) -> None:
        team = self._selected_team()
        if team is None:
            return

        def failed(_description: str, exc: BaseException) -> None:
            self.members_model.set_members([])
            self._show_error(self.team_error, exc)

        def done(rows: list[Any]) -> None:
            self.team_error.setVisible(False)
            self.members_model.set_members(rows)

        self.runner.run_async(
            "Reading the team",
            lambda: self.account.members(team),
            owner=self,
            on_done=done,
            on_error=failed,
        )

    def _selected_member(self) -> Any:
        index = self.members.currentIndex()
        return self.members_model.member(index.row()) if index.isValid() else None

    def _team_action(self, description: str, work: Any, after: str) -> None:
        self.team_error.setVisible(False)

        def done(_result: object) -> None:
            self.load_members()
            self.team_note.setText(after)

        self.runner.run_async(
            description,
            work,
            owner=self,
            on_done=done,
            on_error=lambda _d, e: self._show_error(self.team_error, e),
        )

    def change_role(self) -> None:
        team, member = self._selected_team(), self._selected_member()
        if team is None or member is None:
            self._show_error(self.team_error, ValueError("Pick a member in the list first."))
            return
        role = self.role_picker.currentData()
        self._team_action(
            "Changing a role",
            lambda: self.account.set_role(team, member.user_id, role),
            f"{member.email} is now {ROLE_LABELS[role].lower()}.",
        )

    def remove_member(self) -> None:
        team, member = self._selected_team(), self._selected_member()
        if team is None or member is None:
            self._show_error(self.team_error, ValueError("Pick a member in the list first."))
            return
        self._team_action(
            "Removing a member",
            lambda: self.account.remove_member(team, member.user_id),
            f"{member.email} was removed from the team; they keep their personal templates.",
        )

    def invite(self) -> None:
        team = self._selected_team()
        if team is None:
            return
        role = self.invite_role.currentData()

        def done(invitation: Any) -> None:
            self.invitation.setText(invitation.code)
            self.invitation.setVisible(True)
            QGuiApplication.clipboard().setText(invitation.code)
            expires = invitation.expires_at.astimezone().strftime("%d %b, %H:%M")
            self.team_note.setText(
                f"Invitation code copied: send it to your colleague. It works once, as "
                f"{ROLE_LABELS[role].lower()}, until {expires}."
            )

        self.runner.run_async(
            "Creating an invitation",
            lambda: self.account.invite(team, role),
            owner=self,
            on_done=done,
            on_error=lambda _d, e: self._show_error(self.team_error, e),
        )

    def join(self) -> None:
        code = self.join_code.text()

        def done(team: Any) -> None:
            self.join_code.clear()
            self.account.set_active_team(team.id)
            self.refresh()
            self.sync_requested.emit()

        self.runner.run_async(
            "Joining a team",
            lambda: self.account.accept_invitation(code),
            owner=self,
            on_done=done,
            on_error=lambda _d, e: self._show_error(self.team_error, e),
        )

    def create_team(self) -> None:
        name = self.new_team.text()

        def done(team: Any) -> None:
            self.new_team.clear()
            self.account.set_active_team(team.id)
            self.refresh()

        self.runner.run_async(
            "Creating a team",
            lambda: self.account.create_team(name),
            owner=self,
            on_done=done,
            on_error=lambda _d, e: self._show_error(self.team_error, e),
        )
