"""``minigen eval RUN``: the honest numbers of a trained model.

- VAEs: the test-set negative ELBO in nats per image (one z sample per image).
- Generative models, with ``--classifier RUN`` (a run of ``minigen train classifier`` on the
  same data): the classifier Frechet distance between N samples and the test images, and
  the class coverage of the samples.
- The classifier itself: its test accuracy.
Results are printed and written to RUN/eval.json (atomically, holding RUN's lock: a run
that is training there is not evaluated until it is done). N is at most 100,000 (the
samples are held in memory: 0.3 GB).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from minigen.cli.errors import CLIError, non_negative_int, positive_int

#: The most samples eval draws (held in memory, 3 kB each: 0.3 GB).
MAX_SAMPLES = 100_000


def add_parser(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser("eval", help="measure a trained model",
                            description=__doc__.split("\n\n", 1)[1])
    p.add_argument("run", metavar="RUN", help="a run folder written by minigen train")
    p.add_argument("--classifier", metavar="RUN",
                   help="a classifier run, for the Frechet distance and class coverage")
    p.add_argument("-n", type=positive_int, default=10000,
                   help=f"samples to draw (default 10000, at most {MAX_SAMPLES:,})")
    p.add_argument("--data-dir", help="where the test set is, if not where training found it")
    p.add_argument("--device", help="cpu, cuda or cuda:N (default: $MINIGEN_DEVICE, else cpu)")
    p.add_argument("--seed", type=non_negative_int, default=0, help="random seed (default 0)")
    p.set_defaults(run_command=run)


def evaluate(run: str, classifier: str | None = None, n: int = 10000, data_dir: str | None = None,
             device: str | None = None, seed: int = 0) -> dict[str, Any]:
    """The numbers ``minigen eval`` prints, as a dict."""
    import minigen as mg
    from minigen.data import get_dataset
    from minigen.metrics import (
        accuracy,
        class_coverage,
        classify,
        draw_samples,
        frechet_distance,
        negative_elbo,
    )
    from minigen.metrics.batches import unit_images
    from minigen.train import RECIPES, load_model

    device = device or str(mg.get_default_device())
    model, config = load_model(run, device)
    test = get_dataset(config.data, root=data_dir or config.data_dir, train=False)
    images = unit_images(test)
    kind = RECIPES[config.model].kind
    results: dict[str, Any] = {
        "model": config.model, "data": config.data, "test_images": len(images)}
    mg.manual_seed(seed)
    if kind == "classifier":
        results["test_accuracy"] = accuracy(model, images, test.labels, device)
        return results
    if kind == "vae":
        results["test_neg_elbo_nats"] = negative_elbo(model, images, device)
    if classifier is not None:
        judge, judge_config = load_model(classifier, device, expect_model="classifier")
        if judge_config.data != config.data:
            raise CLIError(f"the classifier was trained on {judge_config.data}, "
                           f"the model on {config.data}")
        mg.manual_seed(seed)  # again: building the judge drew random numbers; samples must
        samples = draw_samples(model, n, device)  # equal `minigen sample RUN --seed SEED`'s
        f_samples, predicted = classify(judge, samples, device)
        f_real, real_predicted = classify(judge, images, device)
        coverage = class_coverage(predicted)
        results.update({
            "samples": n,
            "classifier_test_accuracy": float((real_predicted == test.labels).mean()),
            "classifier_frechet_distance": frechet_distance(f_samples, f_real),
            "classes_covered": coverage.covered,
            "class_histogram_entropy": coverage.entropy,
            "class_counts": coverage.counts.tolist(),
        })
    return results


def run(args: argparse.Namespace) -> int:
    from minigen.folder_lock import lock_folder
    from minigen.serialization import atomic_write

    if args.n > MAX_SAMPLES:
        raise CLIError(f"-n {args.n}: at most {MAX_SAMPLES:,} samples (they are held in memory)")
    if args.data_dir is not None and not Path(args.data_dir).is_dir():
        raise CLIError(f"--data-dir {args.data_dir}: no such folder")
    if args.classifier is not None and not Path(args.classifier).exists():
        raise CLIError(f"--classifier {args.classifier}: no such run folder")
    if not Path(args.run).is_dir():
        raise CLIError(f"{args.run}: no such run folder (give the folder minigen train wrote)")
    with lock_folder(args.run, "minigen eval", create=False):
        results = evaluate(args.run, args.classifier, args.n, args.data_dir, args.device,
                           args.seed)
        for key, value in results.items():
            print(f"{key}: {value:.4f}" if isinstance(value, float) else f"{key}: {value}")
        if args.classifier is None and results["model"] != "classifier":
            print("(add --classifier RUN for the classifier Frechet distance and class coverage)")
        with atomic_write(Path(args.run, "eval.json")) as f:
            f.write(json.dumps(results, indent=2).encode())
    return 0
