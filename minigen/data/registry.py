"""The datasets minigen knows how to obtain, with their published checksums.

Which checks exist for which dataset:

- **Fashion-MNIST**: SHA-256 of each decompressed IDX payload, computed from Debian's
  ``dataset-fashion-mnist`` copy, whose payloads are identical to upstream's (Debian
  re-compressed the files, so its ``.gz`` bytes differ; both copies pass). For reference
  only, the upstream ``.gz`` md5s are: train-images 8d4fb7e6c68d591d4c3dfef9ec88bf0d,
  train-labels 25c81989df183df01b3e8a0aad5dffbe, t10k-images bef4ecab320f06d8554ea6380940ec79,
  t10k-labels bb300cfdad3c16e7a12a480ee83cd310; Debian's: f78720b4224f21cce2f2ccf2d7a94c9a,
  0d30e22e447f3c33dab9ed536400ac01, cf8536b0aa1a6ac5fa3f23001093305c,
  10bea18fdb374794d4bb42e356e600c9 (same order). The payload check covers both.
- **MNIST**: no copy was at hand to compute payload checksums, so the ``.gz`` files are
  checked against the SHA-256 and md5 that are published for the upstream files (the same
  values appear in torchvision, TensorFlow Datasets and many download scripts). A raw
  (gunzipped) MNIST file therefore cannot be verified and is refused: keep the ``.gz``.
- **MNIST sample** (shipped in the package): SHA-256 of both decompressed payloads.
"""

from __future__ import annotations

from minigen.data.specs import DatasetSpec, FileSpec

DIGITS = tuple(str(d) for d in range(10))

MNIST = DatasetSpec(
    name="mnist",
    title="MNIST",
    train_images=FileSpec(
        "train-images-idx3-ubyte",
        (60000, 28, 28),
        gz_sha256=("440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",),
        gz_md5=("f68b3c2dcbeaaa9fbdd348bbdeb94873",),
    ),
    train_labels=FileSpec(
        "train-labels-idx1-ubyte",
        (60000,),
        gz_sha256=("3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",),
        gz_md5=("d53e105ee54ea40749a09fcbcd1e9432",),
    ),
    test_images=FileSpec(
        "t10k-images-idx3-ubyte",
        (10000, 28, 28),
        gz_sha256=("8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",),
        gz_md5=("9fb629c4189551a2d022fa330f9573f3",),
    ),
    test_labels=FileSpec(
        "t10k-labels-idx1-ubyte",
        (10000,),
        gz_sha256=("f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",),
        gz_md5=("ec29112dd5afa0611ce80d1b7f02629c",),
    ),
    classes=DIGITS,
    # Copies of the official files kept by PyTorch and by TensorFlow, then the original
    # site, last because it has refused scripted downloads (HTTP 403) since about 2023.
    urls=(
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "https://storage.googleapis.com/cvdf-datasets/mnist/",
        "https://yann.lecun.com/exdb/mnist/",
    ),
    homepage="http://yann.lecun.com/exdb/mnist/",
    license="CC BY-SA 3.0 (Yann LeCun, Corinna Cortes, Christopher J.C. Burges)",
)

FASHION_MNIST = DatasetSpec(
    name="fashion-mnist",
    title="Fashion-MNIST",
    train_images=FileSpec(
        "train-images-idx3-ubyte",
        (60000, 28, 28),
        payload_sha256=("c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",),
    ),
    train_labels=FileSpec(
        "train-labels-idx1-ubyte",
        (60000,),
        payload_sha256=("bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",),
    ),
    test_images=FileSpec(
        "t10k-images-idx3-ubyte",
        (10000, 28, 28),
        payload_sha256=("5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",),
    ),
    test_labels=FileSpec(
        "t10k-labels-idx1-ubyte",
        (10000,),
        payload_sha256=("0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",),
    ),
    classes=(
        "T-shirt/top",
        "Trouser",
        "Pullover",
        "Dress",
        "Coat",
        "Sandal",
        "Shirt",
        "Sneaker",
        "Bag",
        "Ankle boot",
    ),
    # The official location (Zalando Research's bucket), then the files in the project's
    # GitHub repository.
    urls=(
        "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
        "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/",
    ),
    package_hint="apt-get install dataset-fashion-mnist",
    homepage="https://github.com/zalandoresearch/fashion-mnist",
    license="MIT (copyright 2017 Zalando SE)",
)

#: The MNIST sample shipped inside the package (``minigen/data/mnist10k``).
SAMPLE_IMAGES = FileSpec(
    "images-idx3-ubyte",
    (10000, 28, 28),
    payload_sha256=("4e3355b0dd14bc12e53353f1d2789806361e6ef7350c92a8c5e778a74ea77696",),
)
SAMPLE_LABELS = FileSpec(
    "labels-idx1-ubyte",
    (10000,),
    payload_sha256=("364de413ea4102745aa4d08a168e3501716cb789ace0f8b3033481882a00e25f",),
)
