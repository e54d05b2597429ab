"""Every command of the ``partybot`` tree explains itself: ``--help`` works and shows an example."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from bot.cli import main


def command_paths(group: click.Group = main, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    paths: list[tuple[str, ...]] = [prefix]
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            paths.extend(command_paths(command, (*prefix, name)))
        else:
            paths.append((*prefix, name))
    return paths


PATHS = command_paths()


def test_the_tree_is_walked() -> None:
    assert ("ingest",) in PATHS and ("models", "activate") in PATHS and len(PATHS) > 25


@pytest.mark.parametrize("path", PATHS, ids=lambda p: " ".join(p) or "partybot")
def test_help_has_an_example(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(main, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Example" in result.output, f"partybot {' '.join(path)} --help has no example"


def test_an_os_error_in_any_command_is_one_error_line() -> None:
    from bot.cli.main import FriendlyGroup

    @click.group(cls=FriendlyGroup)
    def top() -> None:
        """Top."""

    @top.command()
    def opens() -> None:
        open("/nonexistent/dir/x.jsonl", "w")  # noqa: SIM115 - the error is the point

    result = CliRunner().invoke(top, ["opens"])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert result.output == "error: /nonexistent/dir/x.jsonl: No such file or directory\n"


def _examples(path: tuple[str, ...]) -> list[list[str]]:
    import shlex

    result = CliRunner().invoke(main, [*path, "--help"])
    lines = result.output.split("Example", 1)[-1].splitlines()
    examples = []
    for line in lines:
        if line.strip().startswith("partybot "):
            words = shlex.split(line.strip())[1:]
            cut = [i for i, w in enumerate(words) if w in (">", "|", "&&")]  # the shell's part
            examples.append(words[: cut[0]] if cut else words)
    return examples


@pytest.mark.parametrize("path", PATHS, ids=lambda p: " ".join(p) or "partybot")
def test_every_help_example_parses(path: tuple[str, ...]) -> None:
    # An example an admin copies must at least be read as written ("users allow 1
    # -1001234567890" was refused: click read the group's id as an option).
    for example in _examples(path):
        command: click.Command = main
        args = list(example)
        while isinstance(command, click.Group) and args and args[0] in command.commands:
            command = command.commands[args.pop(0)]
        try:
            command.make_context(" ".join(path), args)
        except click.BadParameter as exc:
            assert "does not exist" in str(exc), (example, str(exc))  # a path of the example's
        except click.UsageError as exc:  # pragma: no cover - the failure being tested for
            pytest.fail(f"partybot {' '.join(example)}: {exc}")
