"""A small, safe expression language for rule conditions, evaluated on NumPy arrays.

Rule files say things like ``"N < 50 and P >= 4"`` or ``"missing(W) or T <= 600"``. The
text is parsed with Python's ``ast`` and only a whitelist of nodes is accepted: numbers,
names, arithmetic, comparisons, ``and``/``or``/``not``, and the functions below. Every name
is an array (one value per area), so one call evaluates every area at once. A comparison
with a missing value (NaN) is false, which is how "the other metric decides" works.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np

COMPARISONS: dict[type, Callable] = {
    ast.Lt: np.less,
    ast.LtE: np.less_equal,
    ast.Gt: np.greater,
    ast.GtE: np.greater_equal,
    ast.Eq: np.equal,
    ast.NotEq: np.not_equal,
}
SYMBOLS = {ast.Lt: "<", ast.LtE: "≤", ast.Gt: ">", ast.GtE: "≥", ast.Eq: "=", ast.NotEq: "≠"}
ARITHMETIC: dict[type, Callable] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
}
FUNCTIONS = {"missing", "known", "band", "share", "count", "min", "max"}
CONSTANTS = {"true": True, "false": False, "yes": True, "no": False}
# Functions whose argument names something (a band, a level) rather than reading a value.
NAMING_FUNCTIONS = {"band", "share", "count"}


class ExpressionError(ValueError):
    """A condition that cannot be read; the message says what is wrong."""


@dataclass(frozen=True)
class Expression:
    text: str
    # Equal texts are equal conditions: AST nodes only compare by identity.
    tree: ast.Expression = field(compare=False, repr=False)

    def names(self) -> set[str]:
        """Return the input names the expression reads (function arguments included)."""
        functions = {id(n.func) for n in ast.walk(self.tree) if isinstance(n, ast.Call)}
        return {
            node.id
            for node in ast.walk(self.tree)
            if isinstance(node, ast.Name) and node.id not in CONSTANTS and id(node) not in functions
        }

    def value_names(self) -> set[str]:
        """Return the names read as values: not the band or level named in band()/share()/count()."""
        named = {
            id(node.args[0])
            for node in ast.walk(self.tree)
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") in NAMING_FUNCTIONS
        }
        functions = {id(n.func) for n in ast.walk(self.tree) if isinstance(n, ast.Call)}
        return {
            node.id
            for node in ast.walk(self.tree)
            if isinstance(node, ast.Name)
            and node.id not in CONSTANTS
            and id(node) not in functions
            and id(node) not in named
        }

    def band_names(self) -> set[str]:
        return self._call_args("band")

    def level_keys(self) -> set[str]:
        return self._call_args("share") | self._call_args("count")

    def _call_args(self, function: str) -> set[str]:
        return {
            node.args[0].id if isinstance(node.args[0], ast.Name) else str(node.args[0].value)
            for node in ast.walk(self.tree)
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == function
        }


def parse(text: str) -> Expression:
    """Parse ``text`` or raise ExpressionError naming the offending part."""
    try:
        tree = ast.parse(str(text).strip(), mode="eval")
    except SyntaxError as exc:
        raise ExpressionError(f"cannot read {text!r}: {exc.msg}") from exc
    for node in ast.walk(tree):
        _check_node(node, text)
    # A quoted word is only allowed as the level named by share() or count(): share("4").
    level_args = {
        id(node.args[0])
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and node.func.id in {"share", "count"}
    }
    for node in ast.walk(tree):
        is_text = isinstance(node, ast.Constant) and isinstance(node.value, str)
        if is_text and id(node) not in level_args:
            raise ExpressionError(
                f"text {node.value!r} is not allowed in {text!r}; "
                "compare numbers (yes/no inputs are 1/0)"
            )
    return Expression(str(text), tree)


def _check_node(node: ast.AST, text: str) -> None:
    allowed = (
        ast.Expression,
        ast.BoolOp,
        ast.And,
        ast.Or,
        ast.UnaryOp,
        ast.Not,
        ast.USub,
        ast.BinOp,
        ast.Compare,
        ast.Name,
        ast.Load,
        ast.Constant,
        ast.Call,
        *COMPARISONS,
        *ARITHMETIC,
    )
    if not isinstance(node, allowed):
        raise ExpressionError(f"{type(node).__name__} is not allowed in {text!r}")
    if isinstance(node, ast.Constant) and not isinstance(node.value, int | float | str):
        raise ExpressionError(f"constant {node.value!r} is not allowed in {text!r}")
    if isinstance(node, ast.Call):
        name = getattr(node.func, "id", None)
        if name not in FUNCTIONS:
            raise ExpressionError(f"unknown function {name!r} in {text!r}")
        if len(node.args) != (2 if name in {"min", "max"} else 1) or node.keywords:
            raise ExpressionError(f"{name}() takes the wrong number of arguments in {text!r}")
        argument = node.args[0]
        if name in {"missing", "known", "band"} and not isinstance(argument, ast.Name):
            raise ExpressionError(f"{name}() takes a name in {text!r}")
        if name in {"share", "count"} and not (
            isinstance(argument, ast.Name)
            or (isinstance(argument, ast.Constant) and isinstance(argument.value, int | str))
        ):
            raise ExpressionError(f"{name}() takes a level key in {text!r}")


class Context:
    """The values an expression reads: inputs, derived values, bands, children's levels."""

    def __init__(
        self,
        values: Mapping[str, np.ndarray],
        size: int,
        bands: Mapping[str, np.ndarray] | None = None,
        child_levels: Mapping[str, tuple[np.ndarray, np.ndarray]] | None = None,
    ):
        self.values = values
        self.size = size
        self.bands = bands or {}
        # level key -> (children at that level, children assessed), per area
        self.child_levels = child_levels or {}

    def value(self, name: str) -> np.ndarray:
        if name in CONSTANTS:
            return np.full(self.size, CONSTANTS[name])
        if name not in self.values:
            raise ExpressionError(f"unknown name {name!r}")
        return self.values[name]


def evaluate(expression: Expression, context: Context) -> np.ndarray:
    """Return the expression's value for every area (bool or float array)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        result = _eval(expression.tree.body, context)
    if np.ndim(result) == 0:
        result = np.full(context.size, result)
    return result


def _eval(node: ast.AST, ctx: Context):
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        return ctx.value(node.id)
    if isinstance(node, ast.BoolOp):
        parts = [np.asarray(_eval(v, ctx), dtype=bool) for v in node.values]
        combine = np.logical_and if isinstance(node.op, ast.And) else np.logical_or
        result = parts[0]
        for part in parts[1:]:
            result = combine(result, part)
        return result
    if isinstance(node, ast.UnaryOp):
        operand = _eval(node.operand, ctx)
        return np.logical_not(operand) if isinstance(node.op, ast.Not) else -operand
    if isinstance(node, ast.BinOp):
        return ARITHMETIC[type(node.op)](_eval(node.left, ctx), _eval(node.right, ctx))
    if isinstance(node, ast.Compare):
        left = _eval(node.left, ctx)
        result = None
        for op, right_node in zip(node.ops, node.comparators, strict=True):
            right = _eval(right_node, ctx)
            part = COMPARISONS[type(op)](left, right)
            result = part if result is None else np.logical_and(result, part)
            left = right
        return result
    if isinstance(node, ast.Call):
        return _call(node, ctx)
    raise ExpressionError(f"cannot evaluate {ast.dump(node)}")


def _call(node: ast.Call, ctx: Context):
    name = node.func.id
    if name in {"min", "max"}:
        left, right = (_eval(a, ctx) for a in node.args)
        return (np.fmin if name == "min" else np.fmax)(left, right)
    argument = node.args[0]
    key = argument.id if isinstance(argument, ast.Name) else str(argument.value)
    if name in {"missing", "known"}:
        missing = np.isnan(np.asarray(ctx.value(key), dtype=np.float64))
        return missing if name == "missing" else ~missing
    if name == "band":
        if key not in ctx.bands:
            raise ExpressionError(f"unknown band {key!r}")
        return ctx.bands[key]
    at_level, assessed = ctx.child_levels.get(key, (np.zeros(ctx.size), np.zeros(ctx.size)))
    if name == "count":
        return at_level
    return np.where(assessed > 0, at_level / np.where(assessed > 0, assessed, 1), 0.0)


@dataclass(frozen=True)
class Fact:
    """One comparison that held, for an explanation: ``name`` ``symbol`` ``threshold``."""

    name: str
    value: float
    symbol: str
    threshold: float


def true_facts(expression: Expression, context: Context, index: int) -> list[Fact]:
    """Return the comparisons of ``name op number`` that made the expression true at ``index``.

    Under ``and`` every part is listed; under ``or`` only the parts that held.
    """
    facts: list[Fact] = []
    _collect(expression.tree.body, context, index, facts)
    return facts


def _holds(node: ast.AST, ctx: Context, index: int) -> bool:
    with np.errstate(invalid="ignore", divide="ignore"):
        value = _eval(node, ctx)
    return bool(np.asarray(value).reshape(-1)[index if np.ndim(value) else 0])


def _collect(node: ast.AST, ctx: Context, index: int, facts: list[Fact]) -> None:
    if isinstance(node, ast.BoolOp):
        for part in node.values:
            if isinstance(node.op, ast.And) or _holds(part, ctx, index):
                _collect(part, ctx, index, facts)
        return
    if isinstance(node, ast.Call) and node.func.id == "missing" and _holds(node, ctx, index):
        facts.append(Fact(node.args[0].id, float("nan"), "missing", float("nan")))
        return
    if isinstance(node, ast.Compare) and len(node.ops) == 1:
        left, right = node.left, node.comparators[0]
        if not isinstance(right, ast.Constant):
            return
        symbol, threshold = SYMBOLS[type(node.ops[0])], float(right.value)
        if isinstance(left, ast.Name):
            value = float(np.asarray(ctx.value(left.id), dtype=np.float64)[index])
            facts.append(Fact(left.id, value, symbol, threshold))
            return
        terms = _level_terms(left)
        if terms is not None:
            function, keys = terms
            with np.errstate(invalid="ignore", divide="ignore"):
                value = float(np.asarray(_eval(left, ctx), dtype=np.float64).reshape(-1)[index])
            facts.append(Fact(f"{function}:{'+'.join(keys)}", value, symbol, threshold))


def _level_terms(node: ast.AST) -> tuple[str, list[str]] | None:
    """Return ("share", [keys]) for ``share(a) + share(b) + …`` (or count), else None."""
    if isinstance(node, ast.Call) and node.func.id in {"share", "count"}:
        argument = node.args[0]
        key = argument.id if isinstance(argument, ast.Name) else str(argument.value)
        return node.func.id, [key]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _level_terms(node.left), _level_terms(node.right)
        if left and right and left[0] == right[0]:
            return left[0], left[1] + right[1]
    return None
