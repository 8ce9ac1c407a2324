"""``minigen export RUN --to model.safetensors``: a run's weights in the file PyTorch reads.

The file holds the model's state_dict under PyTorch's names and layouts, so the same model
written in PyTorch loads it with::

    torch_model.load_state_dict(safetensors.torch.load_file("model.safetensors"))

and so does minigen (``model.load_state_dict("model.safetensors")``). The header's metadata
names the minigen model and its training settings. docs/coming_from_pytorch.md shows a DCGAN
trained here continuing in PyTorch.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from minigen.cli.holding import holding_run


def add_parser(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser(
        "export", help="write a run's weights as .safetensors (for PyTorch)",
        description=("Write the trained model of RUN as a safetensors file with PyTorch's "
                     "parameter names and layouts: torch_model.load_state_dict("
                     "safetensors.torch.load_file(PATH)) loads it into the same model in PyTorch."),
    )
    p.add_argument("run", metavar="RUN", help="a run folder written by minigen train")
    p.add_argument("--to", metavar="PATH",
                   help="the file to write (default: RUN/model.safetensors)")
    p.set_defaults(run_command=run)


def run(args: argparse.Namespace) -> int:
    from minigen.safetensors_file import save_safetensors
    from minigen.train import load_model

    model, config = load_model(args.run, "cpu")
    target = Path(args.to) if args.to else Path(args.run) / "model.safetensors"
    if target.exists() and target.is_dir():
        raise ValueError(f"--to {target} is a folder; give a file name such as model.safetensors")
    state = model.state_dict()
    metadata = {"minigen_model": config.model, "minigen_config": config.to_json()}
    with holding_run(args.run, [target], "minigen export"):
        save_safetensors(state, target, metadata)
    numbers = sum(p.numel() for p in model.parameters())
    print(f"Wrote the {config.model} of {args.run} to {target}: {len(state)} tensors, "
          f"{numbers:,} parameters, float32, PyTorch's names and layouts.")
    print(f"In PyTorch: model.load_state_dict(safetensors.torch.load_file({str(target)!r}))")
    return 0
