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
