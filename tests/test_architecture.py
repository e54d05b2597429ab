"""The layering contract, checked on the source (an AST walk, no import side effects).

* Only ``bot/tg`` imports ``telegram``; only ``bot/cli`` imports ``click``; only ``bot/store``
  imports ``sqlalchemy`` (so only the store writes SQL).
* Domain packages never import the Telegram layer or the CLI; the corpus (text, parsing,
  documents) sits below everything; the store depends on the corpus and the kernel only.
* No module imports another package's private names, and nothing hides a broken import of
  our own code behind ``except ImportError``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BOT = ROOT / "bot"
KERNEL = {"bot.errors", "bot.bounds", "bot.timeutil", "bot.config", "bot.logs"}


def modules() -> list[tuple[str, Path, ast.Module]]:
    out = []
    for path in sorted(BOT.rglob("*.py")):
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        out.append((name, path, ast.parse(path.read_text("utf-8"))))
    return out


MODULES = modules()


def imports(tree: ast.Module) -> list[tuple[str, list[str], int]]:
    """(module, names, line) of every import statement, at any depth, except those only for
    type checkers (``if TYPE_CHECKING:``)."""
    skipped = {
        id(child)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and ast.unparse(node.test).endswith("TYPE_CHECKING")
        for child in ast.walk(node)
    }
    found = []
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found.extend((a.name, [], node.lineno) for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, [a.name for a in node.names], node.lineno))
    return found


def package(module: str) -> str:
    parts = module.split(".")
    return ".".join(parts[:2]) if len(parts) > 1 else module


@pytest.mark.parametrize(
    ("library", "allowed"),
    [("telegram", "bot.tg"), ("click", "bot.cli"), ("sqlalchemy", "bot.store")],
)
def test_only_one_package_imports_each_framework(library: str, allowed: str) -> None:
    offenders = [
        f"{name}:{line}"
        for name, _, tree in MODULES
        for module, _, line in imports(tree)
        if module.split(".")[0] == library and not name.startswith(allowed)
    ]
    assert offenders == [], f"{library} imported outside {allowed}: {offenders}"


DOMAIN = (
    "bot.corpus",
    "bot.store",
    "bot.search",
    "bot.classifier",
    "bot.digest",
    "bot.feeds",
    "bot.access",
)
ALLOWED_BELOW = {
    "bot.corpus": set(KERNEL),
    "bot.store": KERNEL | {"bot.corpus"},
}


@pytest.mark.parametrize("domain", DOMAIN)
def test_domain_never_imports_the_telegram_layer_or_the_cli(domain: str) -> None:
    offenders = [
        f"{name}:{line} imports {module}"
        for name, _, tree in MODULES
        if name.startswith(domain)
        for module, _, line in imports(tree)
        if module.startswith(("bot.tg", "bot.cli"))
    ]
    assert offenders == []


@pytest.mark.parametrize("layer", sorted(ALLOWED_BELOW))
def test_lower_layers_import_only_what_is_below_them(layer: str) -> None:
    allowed = ALLOWED_BELOW[layer] | {layer}
    offenders = [
        f"{name}:{line} imports {module}"
        for name, _, tree in MODULES
        if name.startswith(layer)
        for module, _, line in imports(tree)
        if module.startswith("bot.") and package(module) not in allowed and module not in allowed
    ]
    assert offenders == []


def test_no_private_names_across_packages() -> None:
    offenders = [
        f"{name}:{line} takes {n} from {module}"
        for name, _, tree in MODULES
        for module, names, line in imports(tree)
        if module.startswith("bot.") and package(module) != package(name)
        for n in names
        if n.startswith("_")
    ]
    assert offenders == []


def test_no_import_error_guards() -> None:
    offenders = []
    for name, _, tree in MODULES:
        for node in ast.walk(tree):
            if isinstance(node, ast.ExceptHandler) and node.type is not None:
                caught = ast.unparse(node.type)
                if "ImportError" in caught or "ModuleNotFoundError" in caught:
                    offenders.append(f"{name}:{node.lineno}")
    assert offenders == []


def test_every_package_exports_its_public_names() -> None:
    for init in sorted(BOT.glob("*/__init__.py")):
        tree = ast.parse(init.read_text("utf-8"))
        exported = [
            node
            for node in tree.body
            if isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets)
        ]
        assert exported, f"{init.relative_to(ROOT)} has no __all__"


def test_one_message_catalogue_with_the_same_keys_in_both_languages() -> None:
    from bot.present.messages import CATALOG

    assert set(CATALOG["vi"]) == set(CATALOG["en"])
    # No module keeps its own table of user-facing sentences any more.
    offenders = [
        name
        for name, _, tree in MODULES
        if name != "bot.present.messages"
        for node in ast.walk(tree)
        if isinstance(node, ast.Dict)
        and {ast.literal_eval(k) for k in node.keys if isinstance(k, ast.Constant)} >= {"vi", "en"}
    ]
    assert offenders == []


def test_digest_help_names_real_topic_codes() -> None:
    import re

    from bot.config import PROJECT_ROOT
    from bot.corpus.topics import load_taxonomy
    from bot.present.messages import t

    slugs = load_taxonomy(PROJECT_ROOT / "training" / "taxonomy.json").slugs
    for lang in ("vi", "en"):
        text = t(lang, "digest_usage", slugs=", ".join(slugs))
        example = re.search(r"/digest topics ([\w ]+)</code>", text)
        assert example and set(example.group(1).split()) <= set(slugs), lang
