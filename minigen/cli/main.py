"""``minigen``: the command line. ``minigen train|sample|eval|info``; ``minigen -h`` for help.

Mistakes in the options or inputs (an unknown model, a missing data folder, a checkpoint of
another model, a run folder another process holds) and what the OS refuses (no space, a
read-only or forbidden folder, a file where a folder should be) print one line saying what is
wrong and what to do, and exit with status 2, no traceback.
"""

from __future__ import annotations

import argparse
import sys

from minigen.cli import eval as eval_command
from minigen.cli import export as export_command
from minigen.cli import sample as sample_command
from minigen.cli import train as train_command
from minigen.cli.errors import CLIError, describe_os_error


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="minigen", description="Train, sample and measure the classic generative models.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    train_command.add_parser(commands)
    sample_command.add_parser(commands)
    eval_command.add_parser(commands)
    export_command.add_parser(commands)
    from minigen.cli import bench as bench_command

    bench_command.add_parser(commands)
    info = commands.add_parser("info", help="versions and devices (for bug reports)")
    info.set_defaults(run_command=_info)
    return parser


def _info(args: argparse.Namespace) -> int:
    import minigen as mg

    mg.info()
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 1 diverged, 2 bad input, 130 Ctrl-C)."""
    from minigen.data.errors import DatasetNotFoundError
    from minigen.errors import MinigenError
    from minigen.train import CheckpointError, TrainingDiverged

    args = build_parser().parse_args(argv)
    command = args.run_command
    try:
        return command(args)
    except TrainingDiverged as error:
        print(f"minigen: {error}", file=sys.stderr)
        return 1
    except (CLIError, CheckpointError, DatasetNotFoundError, MinigenError, ValueError) as error:
        print(f"minigen {args.command}: error: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"minigen {args.command}: error: {describe_os_error(error)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("minigen: stopped", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
