"""An AST lint over src/: no eval/exec, no pickle, no unsafe YAML, no shell, no string-built
SQL. It fails the build on a violation and names file, line and rule; the control test
proves every rule fires."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"

BANNED_CALLS = {"eval", "exec"}
BANNED_MODULES = {"pickle", "cPickle", "_pickle", "shelve", "dill", "cloudpickle", "marshal"}
UNSAFE_YAML = {
    "load",
    "load_all",
    "unsafe_load",
    "unsafe_load_all",
    "full_load",
    "full_load_all",
    "Loader",
    "UnsafeLoader",
    "FullLoader",
}
SHELL_FUNCTIONS = {("os", "system"), ("os", "popen")}
SQL_METHODS = {"execute", "executemany", "exec_driver_sql", "executescript"}
SQL_CONSTRUCTORS = {"text"}


@dataclass(frozen=True)
class Violation:
    path: str
    line: int
    rule: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.rule}"


def _is_text(node: ast.AST) -> bool:
    """A string literal or an f-string."""
    return isinstance(node, ast.JoinedStr) or (
        isinstance(node, ast.Constant) and isinstance(node.value, str)
    )


def _is_string_built(node: ast.AST) -> bool:
    """An f-string with placeholders, ``"..." + x``, ``"..." % x`` or ``"...".format(x)``."""
    if isinstance(node, ast.JoinedStr):
        return any(isinstance(v, ast.FormattedValue) for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Mod):
        return any(_is_text(side) or _is_string_built(side) for side in (node.left, node.right))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return node.func.attr == "format" and isinstance(
            node.func.value, ast.Constant | ast.JoinedStr
        )
    return False


class _Linter(ast.NodeVisitor):
    def __init__(self, path: str) -> None:
        self.path = path
        self.found: list[Violation] = []
        self.aliases: dict[str, str] = {}  # local name -> module or "module.attr"

    def _add(self, node: ast.AST, rule: str) -> None:
        self.found.append(Violation(self.path, getattr(node, "lineno", 0), rule))

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            root = alias.name.split(".")[0]
            if root in BANNED_MODULES:
                self._add(node, f"import {alias.name}")
            self.aliases[alias.asname or root] = alias.name if alias.asname else root
        self.generic_visit(node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = node.module or ""
        if module.split(".")[0] in BANNED_MODULES:
            self._add(node, f"from {module} import")
        for alias in node.names:
            if module == "yaml" and alias.name in UNSAFE_YAML:
                self._add(node, f"from yaml import {alias.name}")
            self.aliases[alias.asname or alias.name] = f"{module}.{alias.name}"
        self.generic_visit(node)

    def _qualified(self, node: ast.AST) -> str | None:
        if isinstance(node, ast.Name):
            return self.aliases.get(node.id, node.id)
        if isinstance(node, ast.Attribute):
            base = self._qualified(node.value)
            return f"{base}.{node.attr}" if base else None
        return None

    def visit_Attribute(self, node: ast.Attribute) -> None:
        name = self._qualified(node)
        if name and name.startswith("yaml.") and name.split(".", 1)[1] in UNSAFE_YAML:
            self._add(node, f"unsafe YAML: {name}")
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        name = self._qualified(node.func) or ""
        if name in BANNED_CALLS or name in {f"builtins.{c}" for c in BANNED_CALLS}:
            self._add(node, f"{name}()")
        if tuple(name.split(".")) in SHELL_FUNCTIONS:
            self._add(node, f"{name}() runs a shell")
        for keyword in node.keywords:
            if keyword.arg == "shell" and not (
                isinstance(keyword.value, ast.Constant) and keyword.value.value is False
            ):
                self._add(node, f"{name or 'call'}(shell=...)")
        method = node.func.attr if isinstance(node.func, ast.Attribute) else name.rsplit(".", 1)[-1]
        sql = method in SQL_METHODS or method in SQL_CONSTRUCTORS
        if sql and node.args and _is_string_built(node.args[0]):
            self._add(node, f"string-built SQL passed to {method}()")
        self.generic_visit(node)


def lint_source(source: str, path: str = "<string>") -> list[Violation]:
    linter = _Linter(path)
    linter.visit(ast.parse(source, filename=path))
    return linter.found


def test_src_has_no_banned_construct() -> None:
    files = sorted(SRC.rglob("*.py"))
    assert len(files) > 100
    violations = [
        v
        for path in files
        for v in lint_source(path.read_text(encoding="utf-8"), str(path.relative_to(SRC)))
    ]
    assert violations == [], "\n".join(map(str, violations))


BAD = {
    "eval": "eval('1')",
    "exec": "exec('x = 1')",
    "builtins.exec": "import builtins\nbuiltins.exec('x')",
    "pickle": "import pickle",
    "pickle alias": "import pickle as p",
    "from pickle": "from pickle import loads",
    "marshal": "import marshal",
    "yaml.load": "import yaml\nyaml.load(s)",
    "yaml alias": "import yaml as y\ny.unsafe_load(s)",
    "yaml.Loader": "import yaml\nyaml.safe_load(s); yaml.Loader",
    "from yaml": "from yaml import load",
    "shell=True": "import subprocess\nsubprocess.run('ls', shell=True)",
    "shell=var": "import subprocess\nsubprocess.Popen(cmd, shell=flag)",
    "os.system": "import os\nos.system('ls')",
    "os.popen": "import os as o\no.popen('ls')",
    "f-string SQL": "conn.execute(f'SELECT * FROM t WHERE id = {i}')",
    "concat SQL": "cursor.execute('SELECT * FROM t WHERE id = ' + i)",
    "percent SQL": "cursor.executemany('DELETE FROM %s' % table, rows)",
    "format SQL": "session.execute(text('SELECT {}'.format(col)))",
    "text f-string": "from sqlalchemy import text\nq = text(f'SELECT {col}')",
}
GOOD = [
    "import yaml\nyaml.safe_load(s)",
    "import subprocess\nsubprocess.run(['ls'], shell=False)",
    "conn.execute(text('SELECT * FROM t WHERE id = :id'), {'id': i})",
    "conn.execute(select(table).where(table.c.id == i))",
    "cursor.execute('SELECT 1')",
    "x = f'not sql {y}'",
    "model.evaluate(x)",
]


@pytest.mark.parametrize("name", list(BAD))
def test_every_rule_fires(name: str) -> None:
    assert lint_source(BAD[name]), name


@pytest.mark.parametrize("source", GOOD)
def test_safe_forms_pass(source: str) -> None:
    assert lint_source(source) == []
