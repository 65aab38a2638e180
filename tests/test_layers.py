"""The layers only point down (src/vanban/layers.py, docs/architecture.md "Layers").

Every module of `vanban` but the migrations is read with `ast`: each import of another app, at
module level or inside a function, must point to a lower layer. An import inside a function is
also an import: hiding one there does not make a cycle go away.
"""

import ast
import sys
from pathlib import Path

import vanban
from vanban.layers import LAYERS, TOP_MODULES, layer_of

SOURCE = Path(vanban.__file__).parent


def _module_name(path: Path) -> str:
    parts = path.relative_to(SOURCE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, prefix: str = "vanban.") -> list[tuple[str, int]]:
    """(imported module, line) for every import in the file whose name starts with `prefix`
    (`vanban.*` unless told), relative ones resolved."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target == "vanban":  # `from vanban import documents`
                found += [(f"vanban.{alias.name}", node.lineno) for alias in node.names]
            else:
                found.append((target, node.lineno))
    return [(target, line) for target, line in found if target.startswith(prefix)]


def _modules() -> list[Path]:
    return sorted(p for p in SOURCE.rglob("*.py") if "migrations" not in p.parts)


def _app(module: str) -> str:
    return module.split(".")[1]


def _edges() -> dict[tuple[str, str], list[str]]:
    """(importing module, imported module) -> where, for imports between two apps."""
    edges: dict[tuple[str, str], list[str]] = {}
    for path in _modules():
        source = _module_name(path)
        if source == "vanban" or _app(source) in TOP_MODULES:
            continue
        for target, line in _imports(path):
            if _app(target) != _app(source):
                where = f"{path.relative_to(SOURCE.parent)}:{line}"
                edges.setdefault((source, target), []).append(where)
    return edges


def _wrong_way(source: str, target: str) -> bool:
    source_app, target_app = _app(source), _app(target)
    if target_app in TOP_MODULES:
        return True  # settings are read through django.conf, URLs through reverse()
    return layer_of(target_app) >= layer_of(source_app)


def test_every_app_is_in_a_layer():
    apps = {p.name for p in SOURCE.iterdir() if (p / "__init__.py").exists()}
    declared = {app for layer in LAYERS for app in layer}
    assert apps == declared


def test_imports_point_down():
    edges = _edges()
    wrong = sorted(
        f"{source} -> {target} ({', '.join(where)})"
        for (source, target), where in edges.items()
        if _wrong_way(source, target)
    )
    assert wrong == []


def test_the_application_imports_nothing_from_benchmarks():
    """The performance suite and its generated province (benchmarks/) stand on `vanban`, never the
    other way round: test data is not part of the application."""
    found = [
        f"{path.relative_to(SOURCE.parent)}:{line} {target}"
        for path in _modules()
        for target, line in _imports(path, prefix="benchmarks")
        if target == "benchmarks" or target.startswith("benchmarks.")
    ]
    assert found == []


def test_the_walk_sees_imports_inside_functions(tmp_path, monkeypatch):
    """The guard itself: an import hidden in a function body is found, a relative one resolved."""
    package = tmp_path / "vanban" / "documents"
    package.mkdir(parents=True)
    module = package / "x.py"
    module.write_text(
        "def f():\n    from vanban.drafting.models import Draft\n    from ..workflow import y\n"
        "    from benchmarks import benchdata\n"
    )
    monkeypatch.setattr(sys.modules[__name__], "SOURCE", tmp_path / "vanban")
    found = [target for target, _line in _imports(module)]
    assert found == ["vanban.drafting.models", "vanban.workflow"]
    assert _imports(module, prefix="benchmarks") == [("benchmarks", 4)]
    assert _wrong_way("vanban.documents.x", "vanban.drafting.models")
    assert not _wrong_way("vanban.drafting.x", "vanban.documents.models")
