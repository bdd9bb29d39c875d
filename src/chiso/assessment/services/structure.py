"""A framework as a score sheet: its criteria (the leaves a unit scores, in order, grouped by field), how
each is scored (typed, by a rule, or imported from a survey) and the items ``core.scoring.totals`` adds up.
Built once per framework and data version."""

from __future__ import annotations

from dataclasses import dataclass, field

from chiso.core.framework import SURVEY_SOURCE_KINDS
from chiso.core.scoring import Item, Rule, RuleError, SheetTree, parse_rule, prepare
from chiso.frameworks.models import Framework, Node
from chiso.frameworks.services import framework_tree
from chiso.results.version import current_data_version

__all__ = ["Criterion", "Structure", "structure"]


@dataclass
class Criterion:
    node: Node
    rule: Rule | None
    survey: bool
    field: Node | None  # the depth-1 ancestor (lĩnh vực) it is listed under

    @property
    def code(self) -> str:
        return self.node.code

    @property
    def typed(self) -> bool:
        return self.rule is None and not self.survey


@dataclass
class Structure:
    framework: Framework
    items: list[Item] = field(default_factory=list)
    criteria: list[Criterion] = field(default_factory=list)
    by_code: dict[str, Criterion] = field(default_factory=dict)
    nodes: dict[str, Node] = field(default_factory=dict)
    root: str = ""
    #: ``items`` prepared once for ``core.scoring.totals`` (every sheet of the framework is added up on it)
    tree: SheetTree | None = None
    #: node id → code, to read scores as plain rows
    codes: dict[int, str] = field(default_factory=dict)

    @property
    def fields(self) -> list[Node]:
        seen: dict[int, Node] = {}
        for c in self.criteria:
            if c.field is not None:
                seen.setdefault(c.field.pk, c.field)
        return list(seen.values())


_CACHE: dict[tuple[int, int], Structure] = {}


def structure(framework: Framework) -> Structure:
    key = (framework.pk, current_data_version())
    cached = _CACHE.get(key)
    if cached is not None:
        return cached
    tree, nodes = framework_tree(framework)
    out = Structure(framework=framework, nodes=nodes, root=tree.root)
    for code in nodes:
        n = nodes[code]
        out.items.append(
            Item(
                code=code,
                parent=n.parent.code if n.parent_id else None,
                max=n.max_score,
                min=n.min_score,
                aggregation=n.aggregation,
                contributes=n.contributes,
                bonus=n.bonus,
                may_be_na=n.may_be_na,
            )
        )
    for code in tree.leaves():
        n = nodes[code]
        try:
            rule = parse_rule(n.rule) if n.rule else None
        except RuleError:  # validated when the framework was installed; never fatal here
            rule = None
        top = n
        while top.parent_id and nodes[top.parent.code].parent_id:
            top = nodes[top.parent.code]
        crit = Criterion(
            node=n,
            rule=rule,
            survey=n.source_kind in SURVEY_SOURCE_KINDS,
            field=top if top.code != code and top.parent_id else None,
        )
        out.criteria.append(crit)
        out.by_code[code] = crit
    out.tree = prepare(out.items)
    out.codes = {n.pk: code for code, n in nodes.items()}
    if len(_CACHE) > 32:
        _CACHE.clear()
    _CACHE[key] = out
    return out
