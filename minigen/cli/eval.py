"""``minigen eval RUN``: the honest numbers of a trained model.

- VAEs: the test-set negative ELBO in nats per image (one z sample per image).
- Generative models, with ``--classifier RUN`` (a run of ``minigen train classifier`` on the
  same data): the classifier Frechet distance between N samples and the test images, and
  the class coverage of the samples.
- The classifier itself: its test accuracy.
Results are printed and written to RUN/eval.json.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from minigen.cli.errors import CLIError, non_negative_int, positive_int


def add_parser(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser("eval", help="measure a trained model",
                            description=__doc__.split("\n\n", 1)[1])
    p.add_argument("run", metavar="RUN", help="a run folder written by minigen train")
    p.add_argument("--classifier", metavar="RUN",
                   help="a classifier run, for the Frechet distance and class coverage")
    p.add_argument("-n", type=positive_int, default=10000, help="samples to draw (default 10000)")
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
    if args.data_dir is not None and not Path(args.data_dir).is_dir():
        raise CLIError(f"--data-dir {args.data_dir}: no such folder")
    if args.classifier is not None and not Path(args.classifier).exists():
        raise CLIError(f"--classifier {args.classifier}: no such run folder")
    results = evaluate(args.run, args.classifier, args.n, args.data_dir, args.device, args.seed)
    for key, value in results.items():
        print(f"{key}: {value:.4f}" if isinstance(value, float) else f"{key}: {value}")
    if args.classifier is None and results["model"] != "classifier":
        print("(add --classifier RUN for the classifier Frechet distance and class coverage)")
    Path(args.run, "eval.json").write_text(json.dumps(results, indent=2))
    return 0
