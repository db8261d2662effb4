"""Only services write (DESIGN §3): the writers are found by scanning the source for ORM
write calls, so a write planted anywhere else fails the suite.

The scanner reads every module of the package with ``ast`` and reports each call that
writes through the ORM or raw SQL: ``.save()``, ``.create()``, ``.delete()``,
``.bulk_create()``, ``.bulk_update()``, ``.get_or_create()``, ``.update_or_create()``,
``.update()`` on a queryset, ``.raw()`` and ``cursor.execute()``. Writes are allowed in
services modules (``services.py``, ``services_*.py``: each public function audited, see
``test_every_service_is_audited``), in the loop and the stage functions it runs (derived
data, one audit entry per job: ``vungxanh.loop.drain``), and in migrations and tests.
Anything else is listed in ``ALLOWED`` with the reason, or fails.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import vungxanh

PACKAGE = Path(vungxanh.__file__).resolve().parent

# Methods that write whatever they are called on (no dict, list or set has them).
ALWAYS = {"bulk_create", "bulk_update", "get_or_create", "update_or_create", "raw"}
# Methods that write when called on a model, a manager or a queryset.
ORM = {"create", "delete", "update"}
# Queryset methods: a chain through one of these (or ``.objects``) is a queryset.
QUERYSET = {
    "objects",
    "all",
    "filter",
    "exclude",
    "for_user",
    "current",
    "valid_on",
    "select_related",
    "prefetch_related",
    "select_for_update",
    "only",
    "defer",
    "order_by",
    "using",
}
SQL = {"execute", "executemany"}

# The stage functions the loop runs (vungxanh.loop.stages): derived data, audited per job.
STAGE_MODULES = {
    "surveillance/indicators.py": "loop stage: indicators (audited once per loop job)",
    "surveillance/rt.py": "loop stage: Rt (audited once per loop job)",
}
# Other modules that write, each with the reason it is not a service.
ALLOWED = {
    "jobs/runner.py": "the state of a job (queued, running, done) is the job's own bookkeeping",
    "jobs/sweep.py": "marks jobs a crash left running as failed; bookkeeping of the runner",
    "jobs/progress.py": "a running job's progress; bookkeeping of the runner",
    "lib/bulk.py": "the set-based INSERT/COPY that services and stages call; writes nothing itself",
}


@dataclass(frozen=True)
class Write:
    file: str
    line: int
    call: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.call}"


def _chain(node: ast.AST) -> list[str]:
    """Return the names along an attribute/call chain: ``A.objects.filter(x).update`` →
    ["A", "objects", "filter", "update"]."""
    names: list[str] = []
    while True:
        if isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Attribute):
            names.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Name):
            names.append(node.id)
            break
        else:
            break
    return list(reversed(names))


def _is_write(call: ast.Call) -> bool:
    if not isinstance(call.func, ast.Attribute):
        return False
    method = call.func.attr
    receiver = _chain(call.func.value)
    if method in ALWAYS:
        return True
    if method == "save":
        # A model's or a model form's save() takes keywords only; a workbook's or an
        # image's save(path) takes the place to write to.
        return not call.args
    if method in ORM:
        if method == "create" or method == "delete":
            # Only a model (instance), a manager or a queryset has these; a file storage's
            # delete(name) names a file.
            return not (method == "delete" and call.args and any("storage" in n for n in receiver))
        return bool(set(receiver) & QUERYSET) or bool(receiver and receiver[-1][:1].isupper())
    if method in SQL or method == "copy":
        return any("cursor" in name for name in receiver) or _is_sql_write(call)
    return False


SQL_WRITES = ("INSERT", "UPDATE", "DELETE", "COPY", "TRUNCATE", "DROP", "ALTER", "CREATE")


def _is_sql_write(call: ast.Call) -> bool:
    """Whether the call's first argument is SQL text that writes."""
    if not call.args:
        return False
    first = call.args[0]
    if isinstance(first, ast.JoinedStr):
        parts = [v.value for v in first.values if isinstance(v, ast.Constant)]
        text = parts[0] if parts and isinstance(first.values[0], ast.Constant) else ""
    elif isinstance(first, ast.Constant) and isinstance(first.value, str):
        text = first.value
    else:
        return False
    return text.lstrip().upper().startswith(SQL_WRITES)


def _decorators(tree: ast.AST) -> set[int]:
    """The ids of decorator calls: ``@router.delete("/x")`` declares a route, writes nothing."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            found |= {id(d) for d in node.decorator_list}
    return found


def writes_in(source: str, file: str = "<source>") -> list[Write]:
    """Return every ORM or SQL write call in ``source``."""
    tree = ast.parse(source, filename=file)
    decorators = _decorators(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and id(node) not in decorators and _is_write(node):
            found.append(Write(file, node.lineno, ast.unparse(node.func)))
    return sorted(found, key=lambda w: w.line)


def may_write(relative: str) -> bool:
    """Whether the module at ``relative`` (to the package) may write."""
    path = Path(relative)
    parts = path.parts
    name = path.name
    return (
        name == "services.py"
        or (name.startswith("services_") and name.endswith(".py"))
        or parts[0] == "loop"
        or "migrations" in parts
        or "tests" in parts
        or name.startswith("test_")
        or name in {"testing.py", "conftest.py"}
        or relative in STAGE_MODULES
        or relative in ALLOWED
    )


def unauthorised_writes(root: Path = PACKAGE) -> list[Write]:
    """Return the writes in modules of ``root`` that may not write."""
    found = []
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root).as_posix()
        if may_write(relative):
            continue
        found += writes_in(path.read_text(encoding="utf-8"), relative)
    return found


def test_only_services_loop_stages_and_migrations_write():
    assert [str(w) for w in unauthorised_writes()] == []


def test_the_allowed_modules_exist_and_write():
    for relative in {**STAGE_MODULES, **ALLOWED}:
        path = PACKAGE / relative
        assert path.exists(), relative
        assert writes_in(path.read_text(encoding="utf-8"), relative), relative


def test_the_scanner_finds_each_kind_of_write():
    source = """
def handler(request, area, cursor):
    Area.objects.filter(pk=1).update(name="x")
    Area.objects.create(code="1")
    area.save()
    area.save(update_fields=["name"])
    area.delete()
    Area.objects.bulk_create([])
    Area.objects.bulk_update([], ["name"])
    Area.objects.get_or_create(code="1")
    Area.objects.update_or_create(code="1")
    Area.objects.raw("SELECT 1")
    cursor.execute("DELETE FROM areas_area")
    with connection.cursor() as c:
        connection.cursor().execute("UPDATE x SET y = 1")
    pg.execute(f"DELETE FROM {table}")
"""
    found = [(w.line, w.call) for w in writes_in(source)]
    assert found == [
        (3, "Area.objects.filter(pk=1).update"),
        (4, "Area.objects.create"),
        (5, "area.save"),
        (6, "area.save"),
        (7, "area.delete"),
        (8, "Area.objects.bulk_create"),
        (9, "Area.objects.bulk_update"),
        (10, "Area.objects.get_or_create"),
        (11, "Area.objects.update_or_create"),
        (12, "Area.objects.raw"),
        (13, "cursor.execute"),
        (15, "connection.cursor().execute"),
        (16, "pg.execute"),
    ]


def test_the_scanner_leaves_reads_and_plain_values_alone():
    source = """
values = {}
values.update(a=1)
workbook.save(buffer)
image.save(path, "PNG")
Area.objects.filter(pk=1).count()
default_storage.delete(name)
seen = set(); seen.update([1])
pg.execute("SELECT 1")

@router.delete("/zones/{pk}")
def remove(request, pk):
    return services.remove(pk)
"""
    assert writes_in(source) == []


def test_a_planted_write_outside_a_service_fails(tmp_path):
    (tmp_path / "risk").mkdir()
    (tmp_path / "risk" / "services.py").write_text(
        "def publish(record):\n    record.save()\n", encoding="utf-8"
    )
    (tmp_path / "risk" / "views.py").write_text(
        "from vungxanh.risk.models import Assessment\n\n"
        "def decide(request, pk):\n"
        "    Assessment.objects.filter(pk=pk).update(decided_key='1')\n",
        encoding="utf-8",
    )
    (tmp_path / "risk" / "migrations").mkdir()
    (tmp_path / "risk" / "migrations" / "0002_x.py").write_text(
        "def forwards(apps, schema_editor):\n    apps.get_model('risk', 'X').objects.create()\n",
        encoding="utf-8",
    )
    found = [str(w) for w in unauthorised_writes(tmp_path)]
    assert found == ["risk/views.py:4: Assessment.objects.filter(pk=pk).update"]
