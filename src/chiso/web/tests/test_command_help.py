"""Every chiso command (and each of its subcommands) prints its help: an administrator's first step
with a command is ``--help``, and a stray ``%`` in a help text used to crash it."""

import argparse

import pytest
from django.core.management import get_commands, load_command_class


def _chiso_commands() -> list[tuple[str, str]]:
    return sorted((name, app) for name, app in get_commands().items() if app.startswith("chiso"))


def _parsers(parser: argparse.ArgumentParser):
    yield parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                yield from _parsers(sub)


def test_there_are_chiso_commands_to_check():
    names = {name for name, _app in _chiso_commands()}
    assert {"plan", "assessment", "import_framework", "import_results"} <= names


@pytest.mark.parametrize(("name", "app"), _chiso_commands())
def test_help_of_every_command_and_subcommand_renders(name, app):
    command = load_command_class(app, name)
    parser = command.create_parser("chiso", name)
    for each in _parsers(parser):
        text = each.format_help()
        assert each.prog in text
