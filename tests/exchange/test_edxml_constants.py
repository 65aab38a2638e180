"""The edXML namespace, the status texts and the business types are written once in src: in the
codec's constants, which every page, message and model choice uses."""

import ast
import functools
import sys
from pathlib import Path

from vanban.exchange import edxml
from vanban.exchange.edxml import constants

SRC = Path(__file__).resolve().parents[2] / "src" / "vanban"
HOME = Path(constants.__file__).resolve()


def sources() -> list[Path]:
    """The Python modules of src, but migrations (a record of past states, not definitions)."""
    return [path for path in SRC.rglob("*.py") if "migrations" not in path.parts]


@functools.cache
def string_literals(path: Path) -> tuple[str, ...]:
    """Each module is parsed once per test session: the scans ask for every text in turn."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return tuple(
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    )


def places(predicate) -> list[str]:
    return [
        str(path.relative_to(SRC))
        for path in sources()
        for literal in string_literals(path)
        if predicate(literal)
    ]


def test_the_namespace_is_defined_once():
    assert places(lambda text: edxml.NAMESPACE in text) == [str(HOME.relative_to(SRC))]


def test_each_status_text_is_defined_once():
    texts = {status.label for status in edxml.STATUSES}
    texts |= {status.list_name for status in edxml.STATUSES if status.list_name}
    assert len(texts) == len(edxml.STATUSES) + sum(1 for s in edxml.STATUSES if s.list_name)
    for text in sorted(texts):
        assert places(lambda literal, text=text: literal == text) == [str(HOME.relative_to(SRC))], (
            text
        )


def test_each_business_type_is_defined_once():
    for text in edxml.BUSINESS_TYPES.values():
        assert places(lambda literal, text=text: literal == text) == [str(HOME.relative_to(SRC))], (
            text
        )


def test_the_scan_finds_a_second_definition(tmp_path):
    """The scan itself: a module spelling a status text is found."""
    module = tmp_path / "copy.py"
    module.write_text(f'LABEL = "{edxml.STATUS_CODES["02"]}"\nNS = "{edxml.NAMESPACE}/x"\n')
    found = string_literals(module)
    assert edxml.STATUS_CODES["02"] in found
    assert any(edxml.NAMESPACE in literal for literal in found)


def test_the_codec_is_a_leaf():
    """The codec imports the standard library, lxml and vanban.core only (and itself)."""
    codec = HOME.parent
    for path in codec.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""] if node.level == 0 else []
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            for name in names:
                if name.startswith("vanban"):
                    assert name.startswith("vanban.core"), (path.name, name)
                else:
                    assert name.split(".")[0] in {"lxml", "__future__"} | set(
                        sys.stdlib_module_names
                    ), (path.name, name)
