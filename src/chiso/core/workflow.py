"""A document workflow kept as data: states, transitions and who may take them.

Pure Python. Workflows are named files ``chiso/data/workflows/<name>.yaml`` (``plan`` for plans and
periodic reports); ``load_workflow`` reads and validates one (every problem listed, in Vietnamese) and
``shipped_workflow(name)`` returns a named one. A state carries its label and what it means for the
rest of chiso, so code asks the workflow instead of naming states:

- ``locked``: the document can no longer be edited (a change makes an amendment);
- ``live``: the document is in force: its tasks are carried out, reported on, reminded of, cascaded;
  an amendment that reaches a live state supersedes the version it amends;
- ``public``: the document has been published: officers of the units concerned (and later the public
  portal) see it, and monitoring counts it.

A state may also say which work it ``opens`` (a free word the app that owns the workflow reads: an
assessment round's states open the self-assessment, the appraisal, the explanations …).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

__all__ = [
    "STATE_FLAGS",
    "State",
    "Transition",
    "StepConflict",
    "Workflow",
    "WorkflowError",
    "load_workflow",
    "shipped_workflow",
]

ROLES = ("admin", "coordinator", "leader", "officer", "viewer", "appraiser")


class WorkflowError(ValueError):
    """The workflow file is wrong, or a transition is not allowed (message in Vietnamese)."""


class StepConflict(WorkflowError):
    """A step refused because of the state the document is in now (not allowed from it, or someone just
    took another step): the request was valid, the moment is not (the API answers 409 Conflict)."""


@dataclass(frozen=True)
class State:
    code: str
    label: str
    locked: bool = False
    live: bool = False
    public: bool = False
    opens: str = ""
    label_en: str = ""

    def label_for(self, language: str | None) -> str:
        """The label in ``language`` ("en…": the English one when the file gives it)."""
        return self.label_en if self.label_en and (language or "").startswith("en") else self.label


#: The flags a state may carry (see the module docstring).
STATE_FLAGS = ("locked", "live", "public")


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: tuple[str, ...]
    target: str
    roles: tuple[str, ...]
    needs_comment: bool = False
    needs_number: bool = False
    label_en: str = ""

    def label_for(self, language: str | None) -> str:
        return self.label_en if self.label_en and (language or "").startswith("en") else self.label


@dataclass
class Workflow:
    initial: str
    states: dict[str, State]
    transitions: list[Transition] = field(default_factory=list)

    def state(self, code: str) -> State:
        try:
            return self.states[code]
        except KeyError:
            raise WorkflowError(f"Trạng thái không có trong quy trình: {code!r}") from None

    def label(self, code: str, language: str | None = None) -> str:
        """A state's label; in ``language`` ("en…": the English one when the file gives it)."""
        return self.states[code].label_for(language) if code in self.states else code

    def is_locked(self, code: str) -> bool:
        return self.state(code).locked

    def is_live(self, code: str) -> bool:
        return code in self.states and self.states[code].live

    def is_public(self, code: str) -> bool:
        return code in self.states and self.states[code].public

    def states_where(self, flag: str) -> tuple[str, ...]:
        """Codes of the states carrying ``flag`` (one of STATE_FLAGS), in the file's order."""
        if flag not in STATE_FLAGS:
            raise ValueError(f"unknown state flag {flag!r}")
        return tuple(code for code, st in self.states.items() if getattr(st, flag))

    @property
    def live_states(self) -> tuple[str, ...]:
        return self.states_where("live")

    @property
    def public_states(self) -> tuple[str, ...]:
        return self.states_where("public")

    def state_opening(self, work: str) -> str | None:
        """The state that opens ``work`` (None: no state does)."""
        return next((code for code, st in self.states.items() if st.opens == work), None)

    def next_states(self, code: str) -> list[str]:
        """States reachable from ``code`` in one step, in the file's order of transitions."""
        return list(dict.fromkeys(t.target for t in self.transitions if code in t.sources))

    def choices(self) -> list[tuple[str, str]]:
        return [(code, st.label) for code, st in self.states.items()]

    def available(self, state: str, roles: Iterable[str]) -> list[Transition]:
        """Transitions from `state` that someone holding any of `roles` may take."""
        held = set(roles)
        return [t for t in self.transitions if state in t.sources and held & set(t.roles)]

    def transition(self, name: str) -> Transition:
        for t in self.transitions:
            if t.name == name:
                return t
        raise WorkflowError(f"Không có bước «{name}» trong quy trình")

    def check(self, state: str, name: str, roles: Iterable[str]) -> Transition:
        """The transition `name` from `state` for these roles, or WorkflowError saying why not."""
        t = self.transition(name)
        if state not in t.sources:
            raise StepConflict(
                f"Không thể «{t.label}» khi văn bản đang ở trạng thái «{self.label(state)}» "
                f"(chỉ khi: {', '.join(self.label(s) for s in t.sources)})"
            )
        if not set(roles) & set(t.roles):
            raise WorkflowError(f"Bạn không có quyền «{t.label}»")
        return t


def load_workflow(data: Mapping[str, Any]) -> Workflow:
    problems: list[str] = []
    if not isinstance(data, Mapping):
        raise WorkflowError("Tệp quy trình phải là một bảng (mapping) YAML")
    raw_states = data.get("states")
    states: dict[str, State] = {}
    if not isinstance(raw_states, Mapping) or not raw_states:
        problems.append("Thiếu danh sách trạng thái (states)")
    else:
        for code, spec in raw_states.items():
            spec = spec or {}
            if not isinstance(spec, Mapping):
                problems.append(f"Trạng thái {code!r} phải là một bảng (label, locked, live, public)")
                continue
            label = str(spec.get("label") or "").strip()
            if not label:
                problems.append(f"Trạng thái {code!r} thiếu nhãn (label)")
            unknown = sorted(set(spec) - {"label", "label_en", "opens", *STATE_FLAGS})
            if unknown:
                problems.append(
                    f"Trạng thái {code!r}: khóa không được hỗ trợ: {', '.join(map(str, unknown))}"
                )
            flags = {f: bool(spec.get(f, False)) for f in STATE_FLAGS}
            opens = str(spec.get("opens") or "").strip()
            label_en = str(spec.get("label_en") or "").strip()
            states[str(code)] = State(str(code), label or str(code), opens=opens, label_en=label_en, **flags)
    initial = str(data.get("initial") or "")
    if initial not in states:
        problems.append(f"Trạng thái ban đầu {initial!r} không có trong danh sách trạng thái")
    transitions: list[Transition] = []
    seen: set[str] = set()
    for i, spec in enumerate(data.get("transitions") or [], start=1):
        if not isinstance(spec, Mapping):
            problems.append(f"Bước thứ {i} không phải là một bảng")
            continue
        name = str(spec.get("name") or "").strip()
        if not name:
            problems.append(f"Bước thứ {i} thiếu tên (name)")
        elif name in seen:
            problems.append(f"Tên bước «{name}» bị trùng")
        seen.add(name)
        sources = spec.get("from") or []
        sources = [sources] if isinstance(sources, str) else list(sources)
        target = str(spec.get("to") or "")
        for s in [*sources, target]:
            if s not in states:
                problems.append(f"Bước «{name or i}»: trạng thái {s!r} không có trong danh sách trạng thái")
        roles = [str(r) for r in spec.get("roles") or []]
        if not roles:
            problems.append(f"Bước «{name or i}» thiếu vai trò được phép (roles)")
        for r in roles:
            if r not in ROLES:
                problems.append(
                    f"Bước «{name or i}»: vai trò không hợp lệ {r!r} (hợp lệ: {', '.join(ROLES)})"
                )
        transitions.append(
            Transition(
                name,
                str(spec.get("label") or name),
                tuple(str(s) for s in sources),
                target,
                tuple(roles),
                bool(spec.get("needs_comment", False)),
                bool(spec.get("needs_number", False)),
                label_en=str(spec.get("label_en") or "").strip(),
            )
        )
    if problems:
        raise WorkflowError("; ".join(problems))
    return Workflow(initial, states, transitions)


WORKFLOWS_DIR = Path(__file__).resolve().parent.parent / "data" / "workflows"
_SHIPPED: dict[str, Workflow] = {}


def shipped_workflow(name: str = "plan") -> Workflow:
    """The workflow kept in ``chiso/data/workflows/<name>.yaml`` (read once per process)."""
    if name not in _SHIPPED:
        if not name.replace("_", "").replace("-", "").isalnum():
            raise WorkflowError(f"Tên quy trình không hợp lệ: {name!r}")
        path = WORKFLOWS_DIR / f"{name}.yaml"
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise WorkflowError(f"Không có quy trình «{name}» ({path.name})") from None
        _SHIPPED[name] = load_workflow(yaml.safe_load(text))
    return _SHIPPED[name]
