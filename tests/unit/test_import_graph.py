"""The house's import rules, read from the source (ast only; nothing is imported or run).

- No import circle between any two modules of ``shared/``, ``functions/``, ``devhost/`` and
  ``function_app.py``. Every import counts, including ones inside functions and under
  ``TYPE_CHECKING``: a circle hidden there is still two modules that cannot be read apart.
- ``shared/`` (the product) never imports ``functions/``, ``devhost/`` or the Functions SDKs
  (``azure.functions``, ``azure.durable_functions``).
- ``devhost/idp.py`` (the development identity provider) does not import the product.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("shared", "functions", "devhost")
ROOT_MODULES = ("function_app",)
SHARED_MUST_NOT_IMPORT = ("functions", "devhost", "azure.functions", "azure.durable_functions")


def module_files(root: Path) -> dict[str, Path]:
    """Dotted module name -> source file, for the packages and root modules above."""
    files: dict[str, Path] = {}
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            files[".".join(parts)] = path
    for name in ROOT_MODULES:
        path = root / f"{name}.py"
        if path.exists():
            files[name] = path
    return files


def imported_names(module: str, path: Path, tree: ast.Module) -> set[str]:
    """Every dotted name ``module`` imports: ``from a import b`` yields ``a.b`` and ``a`` (b may
    be a submodule or an attribute; the caller keeps whichever is a module)."""
    is_package = path.name == "__init__.py"
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".")
                anchor = anchor[: len(anchor) - node.level + (1 if is_package else 0)]
                base = ".".join([*anchor, base] if base else anchor)
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def import_graph(files: Mapping[str, Path]) -> dict[str, set[str]]:
    """Module -> the modules of ``files`` it imports (an attribute import points at its module)."""
    graph: dict[str, set[str]] = {}
    for module, path in files.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        targets: set[str] = set()
        for name in imported_names(module, path, tree):
            if name in files:
                targets.add(name)
        # ``from a import b`` where b is a submodule imports a.b, not a's ``__init__`` by intent.
        graph[module] = {
            t for t in targets if not any(o.startswith(t + ".") and o in targets for o in targets)
        } - {module}
    return graph


def external_imports(files: Mapping[str, Path]) -> dict[str, set[str]]:
    """Module -> every dotted name it imports, inside the tree or not."""
    return {
        module: imported_names(
            module, path, ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        )
        for module, path in files.items()
    }


def circles(graph: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work: list[tuple[str, list[str]]] = [(start, sorted(graph.get(start, ())))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, pending = work[-1]
            if pending:
                nxt = pending.pop()
                if nxt not in index:
                    index[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, sorted(graph.get(nxt, ()))))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component: list[str] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def _under(name: str, prefixes: Iterable[str]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def test_no_import_circles() -> None:
    graph = import_graph(module_files(ROOT))
    assert circles(graph) == []


def test_shared_never_imports_the_edges_or_the_functions_sdk() -> None:
    files = module_files(ROOT)
    wrong = {
        module: sorted(n for n in names if _under(n, SHARED_MUST_NOT_IMPORT))
        for module, names in external_imports(files).items()
        if _under(module, ("shared",))
    }
    assert {m: n for m, n in wrong.items() if n} == {}


def test_the_development_idp_does_not_import_the_product() -> None:
    names = external_imports(module_files(ROOT))["devhost.idp"]
    assert sorted(n for n in names if _under(n, ("shared",))) == []


def test_the_walker_finds_a_circle_and_a_forbidden_import(tmp_path: Path) -> None:
    """The rules above would pass on an empty graph; this proves they see what they guard."""
    (tmp_path / "shared" / "a").mkdir(parents=True)
    (tmp_path / "functions").mkdir()
    (tmp_path / "devhost").mkdir()
    (tmp_path / "shared" / "__init__.py").write_text("")
    (tmp_path / "shared" / "a" / "__init__.py").write_text("")
    (tmp_path / "shared" / "a" / "x.py").write_text("from . import y\n")
    (tmp_path / "shared" / "a" / "y.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from shared.a.x import X\n"
    )
    (tmp_path / "shared" / "z.py").write_text(
        "def f():\n    import azure.durable_functions as df\n    from functions.api import bp\n"
    )
    (tmp_path / "functions" / "__init__.py").write_text("")
    (tmp_path / "functions" / "api.py").write_text("from shared.a import x\n")
    files = module_files(tmp_path)
    assert circles(import_graph(files)) == [["shared.a.x", "shared.a.y"]]
    assert import_graph(files)["functions.api"] == {"shared.a.x"}
    forbidden = sorted(
        n for n in external_imports(files)["shared.z"] if _under(n, SHARED_MUST_NOT_IMPORT)
    )
    assert forbidden == ["azure.durable_functions", "functions.api", "functions.api.bp"]
