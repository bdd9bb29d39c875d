"""Framework tree aggregation: derive parent scores bottom-up from their children. Pure Python."""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

__all__ = ["Aggregation", "NodeSpec", "NodeValue", "Tree", "aggregate", "percent_of_max"]

Aggregation = Literal["sum", "mean", "weighted", "none", "capped"]
DEFAULT_TOLERANCE = 0.0051


@dataclass(frozen=True)
class NodeSpec:
    """One node of a framework tree.

    aggregation: how THIS node is derived from its contributing children ("none": never derived, only
    its own published value counts; "capped": their sum clipped to [min, max] — a bonus or penalty group,
    or a total that bonus points may not push above its maximum). weight: its weight in a "weighted" parent. contributes=False: an
    informational child that does not enter the parent's derivation.
    """

    code: str
    parent: str | None
    max: float | None
    min: float | None = None
    aggregation: Aggregation = "sum"
    weight: float = 1.0
    contributes: bool = True
    order: int = 0


@dataclass
class NodeValue:
    """Result for one node.

    value: derived value when all contributing children are complete, else the published value (or None).
    published: the value given for the node itself. mismatch: published − derived when it exceeds the
    tolerance (value stays the derived one; callers flag it). missing: contributing direct children
    that are incomplete.
    """

    value: float | None
    derived: bool
    published: float | None
    complete: bool
    mismatch: float | None = None
    missing: tuple[str, ...] = ()


def percent_of_max(value: float | None, maximum: float | None) -> float | None:
    """100 · value / maximum; None when either is None or maximum is 0."""
    if value is None or maximum is None or maximum == 0:
        return None
    return 100.0 * value / maximum


def _num(x: object) -> float | None:
    if isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x):
        return float(x)
    return None


_LEAF, _NONE, _SUM, _MEAN, _WEIGHTED, _CAPPED = range(6)


class Tree:
    """A validated framework tree, built once; .aggregate(values) derives one unit's scores."""

    def __init__(self, nodes: Sequence[NodeSpec]) -> None:
        self.specs: dict[str, NodeSpec] = {}
        for n in nodes:
            if n.code in self.specs:
                raise ValueError(f"duplicate node code {n.code!r}")
            if n.aggregation not in ("sum", "mean", "weighted", "none", "capped"):
                raise ValueError(f"node {n.code!r}: unknown aggregation {n.aggregation!r}")
            self.specs[n.code] = n
        roots = [n.code for n in nodes if n.parent is None]
        if len(roots) != 1:
            raise ValueError(f"a tree needs exactly one root (parent None), found {roots}")
        self.root: str = roots[0]
        position = {n.code: i for i, n in enumerate(nodes)}
        kids: dict[str, list[str]] = {c: [] for c in self.specs}
        for n in nodes:
            if n.parent is not None:
                if n.parent not in self.specs:
                    raise ValueError(f"node {n.code!r}: unknown parent {n.parent!r}")
                kids[n.parent].append(n.code)
        for lst in kids.values():
            lst.sort(key=lambda c: (self.specs[c].order, position[c]))
        self._children: dict[str, tuple[str, ...]] = {c: tuple(v) for c, v in kids.items()}

        # post-order (children before parents), iterative
        order: list[str] = []
        seen: set[str] = set()
        stack: list[tuple[str, bool]] = [(self.root, False)]
        while stack:
            code, expanded = stack.pop()
            if expanded:
                order.append(code)
                continue
            if code in seen:
                raise ValueError(f"cycle at node {code!r}")
            seen.add(code)
            stack.append((code, True))
            stack.extend((c, False) for c in reversed(self._children[code]))
        if len(order) != len(self.specs):
            unreachable = sorted(set(self.specs) - set(order))
            raise ValueError(f"nodes not connected to the root {self.root!r} (cycle?): {unreachable}")
        self.order: tuple[str, ...] = tuple(order)

        plan = []
        for code in order:
            spec = self.specs[code]
            contrib = tuple(c for c in self._children[code] if self.specs[c].contributes)
            if spec.aggregation == "none":
                kind = _NONE
            elif not contrib:
                kind = _LEAF
            else:
                kind = {"sum": _SUM, "mean": _MEAN, "weighted": _WEIGHTED, "capped": _CAPPED}[
                    spec.aggregation
                ]
            weights = tuple(float(self.specs[c].weight) for c in contrib)
            if kind == _WEIGHTED and not math.fsum(weights) > 0:
                raise ValueError(f"node {code!r}: weights of its children must add up to more than 0")
            plan.append((code, kind, contrib, weights, math.fsum(weights)))
        self._plan = tuple(plan)

    # ------------------------------------------------------------------ structure

    def __contains__(self, code: object) -> bool:
        return code in self.specs

    def __iter__(self) -> Iterator[NodeSpec]:
        return (self.specs[c] for c in self.order)

    def __len__(self) -> int:
        return len(self.specs)

    def children(self, code: str) -> tuple[str, ...]:
        """All direct children, in display order."""
        return self._children[code]

    def contributing_children(self, code: str) -> tuple[str, ...]:
        return tuple(c for c in self._children[code] if self.specs[c].contributes)

    def is_leaf(self, code: str) -> bool:
        """True when the node is never derived from children (no contributing children, or "none")."""
        spec = self.specs[code]
        return spec.aggregation == "none" or not self.contributing_children(code)

    def leaves(self, code: str | None = None) -> list[str]:
        """Leaf codes under code (default: the root), in display order."""
        out: list[str] = []
        stack = [code or self.root]
        while stack:
            c = stack.pop()
            if self.is_leaf(c):
                out.append(c)
            else:
                stack.extend(reversed(self.contributing_children(c)))
        return out

    # ------------------------------------------------------------------ aggregation

    def aggregate(
        self, values: Mapping[str, float], *, tolerance: float = DEFAULT_TOLERANCE
    ) -> dict[str, NodeValue]:
        """Derive every node bottom-up from leaf values; values may also hold published values of parents."""
        out: dict[str, NodeValue] = {}
        get = values.get
        for code, kind, contrib, weights, wsum in self._plan:
            given = _num(get(code))
            if kind == _LEAF or kind == _NONE:
                out[code] = NodeValue(given, False, given, given is not None)
                continue
            missing: list[str] = []
            vals: list[float] = []
            parts_complete = True
            for c in contrib:
                nv = out[c]
                if nv.value is not None:
                    # A child known by its published value counts, even when its own parts are not.
                    vals.append(nv.value)
                    parts_complete = parts_complete and nv.complete
                else:
                    missing.append(c)
            if missing:
                out[code] = NodeValue(given, False, given, False, None, tuple(missing))
                continue
            if kind == _SUM:
                derived = math.fsum(vals)
            elif kind == _CAPPED:
                spec = self.specs[code]
                derived = math.fsum(vals)
                if spec.max is not None:
                    derived = min(derived, spec.max)
                if spec.min is not None:
                    derived = max(derived, spec.min)
            elif kind == _MEAN:
                derived = math.fsum(vals) / len(vals)
            else:
                derived = math.fsum(w * v for w, v in zip(weights, vals, strict=True)) / wsum
            mismatch = None
            if given is not None and abs(given - derived) > tolerance:
                mismatch = given - derived
            out[code] = NodeValue(derived, True, given, parts_complete, mismatch)
        return out

    def total(self, values: Mapping[str, float]) -> float | None:
        """The root value for one unit (derived, or published when incomplete)."""
        return self.aggregate(values)[self.root].value

    def out_of_range(self, result: Mapping[str, NodeValue], *, tolerance: float = 1e-9) -> list[str]:
        """Codes whose value lies outside [min, max] of their spec."""
        bad = []
        for code in self.order:
            v = result[code].value
            spec = self.specs[code]
            if v is None:
                continue
            if (spec.max is not None and v > spec.max + tolerance) or (
                spec.min is not None and v < spec.min - tolerance
            ):
                bad.append(code)
        return bad


def aggregate(
    nodes: Sequence[NodeSpec], values: Mapping[str, float], *, tolerance: float = DEFAULT_TOLERANCE
) -> dict[str, NodeValue]:
    """One-off aggregation; build a Tree once and call Tree.aggregate when doing many units."""
    return Tree(nodes).aggregate(values, tolerance=tolerance)
