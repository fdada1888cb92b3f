"""torchvision datasets Paddle has no counterpart of, written for the generated run-time module.

``paddle.vision.datasets.MNIST``/``Cifar10`` read other files than torchvision's
(their own download cache, the gz / tar.gz archives, ``mode="train"``), so a
converted ``torchvision.datasets.MNIST(root, train=True, ...)`` becomes
``_torch2paddle_runtime.MNIST(root, train=True, ...)``: a ``paddle.io.Dataset``
with torchvision's constructor, reading the same files under ``root`` that
torchvision reads (``root/MNIST/raw/train-images-idx3-ubyte``,
``root/cifar-10-batches-py/data_batch_1``, ...), with the same checks (CIFAR's
md5 sums), and giving the same samples (PIL images: mode ``L`` for MNIST, RGB
for CIFAR; int labels), ``data``/``targets``/``classes``/``class_to_idx``.
MNIST's ``data``/``targets`` are Paddle tensors on the CPU (torch: CPU tensors,
uint8 [N, 28, 28] and int64 [N]); CIFAR's are a numpy array and a list of
ints, as in torchvision.

Nothing is downloaded: ``download=True`` does what torchvision does with the
files already on disk (an MNIST ``.gz`` or the CIFAR ``.tar.gz`` with the right
md5 is extracted where torchvision extracts it); when a file torchvision would
download is missing, a RuntimeError names the path it expects.

``FakeData`` keeps torchvision's contract (sample ``i`` depends on ``i +
random_offset`` only, the global random state is left alone, images are
``ToPILImage`` of a standard-normal [C, H, W] tensor, labels in
``[0, num_classes)``), but its values are drawn by numpy's generator, not
torch's: the images and labels differ from torchvision's.

The file also holds the torch helpers of ``mappings/data.yaml`` and ``mappings/training.yaml`` that Paddle
lacks or answers differently: ``WeightedRandomSampler`` and ``ChainDataset`` (built on first use, like the
datasets), ``autograd_grad`` (torch.autograd.grad), ``Variable``, ``checkpoint`` (torch.utils.checkpoint on
Paddle's recompute), the ``cuda_*`` / ``cpu_*`` / ``cudnn_*`` queries (torch's device arguments; torch's
answers without a GPU), the AMP queries (``is_autocast_enabled``, ``get_autocast_dtype``, ``cpu_autocast``) and
the legacy ``torch.cuda.<T>Tensor`` classes (``CudaFloatTensor``, ...).
Their names are in ``CLASSES`` so that runtime.py copies this file when a converted file uses one.

Everything below the ``COPIED`` line is copied verbatim into
``_torch2paddle_runtime.py`` (``runtime.module_source``) after
``runtime_layers.py``'s part when a converted file uses one of these names.
It imports nothing but the standard library when it is imported; the classes
(which derive from ``paddle.io.Dataset``) are built on first use by the
module's ``__getattr__``, which also serves ``runtime_layers.py``'s classes.
"""

# the classes below: runtime.py copies this file into the generated module when an entry targets one of them
CLASSES = frozenset({"MNIST", "FashionMNIST", "CIFAR10", "CIFAR100", "FakeData",
                     # torch.utils.data, torch.autograd, torch.utils.checkpoint and torch.cuda helpers (below)
                     "WeightedRandomSampler", "ChainDataset", "autograd_grad", "autograd_backward", "Variable", "checkpoint",
                     "cuda_memory_allocated", "cuda_max_memory_allocated", "cuda_memory_reserved",
                     "cuda_max_memory_reserved", "cuda_reset_peak_memory_stats", "cuda_reset_max_memory_allocated",
                     "cuda_synchronize", "cuda_current_device", "cuda_get_device_name", "cuda_get_device_capability",
                     "cuda_manual_seed", "cuda_manual_seed_all", "cuda_initial_seed", "cuda_is_initialized",
                     "cuda_get_rng_state", "cuda_set_rng_state", "cuda_get_rng_state_all", "cuda_set_rng_state_all",
                     "cuda_is_bf16_supported", "cuda_get_device_properties", "cuda_nvtx_range_push",
                     "cuda_nvtx_range_pop", "cpu_current_device", "cpu_set_device", "cudnn_is_available",
                     "cpu_autocast", "is_autocast_enabled", "get_autocast_dtype", "get_autocast_gpu_dtype",
                     "CudaFloatTensor", "CudaDoubleTensor", "CudaHalfTensor", "CudaBFloat16Tensor",
                     "CudaByteTensor", "CudaCharTensor", "CudaShortTensor", "CudaIntTensor", "CudaLongTensor",
                     "CudaBoolTensor"})

# ---- COPIED into _torch2paddle_runtime.py from here on (torch2paddle/runtime_datasets.py) ----


def _ds_md5_ok(path, md5=None):
    """torchvision's ``check_integrity``: the file exists and, when ``md5`` is given, has that md5 sum."""
    import hashlib
    import os

    if not os.path.isfile(path):
        return False
    if md5 is None:
        return True
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as f:
        while chunk := f.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest() == md5


def _ds_not_found(dataset, missing, why, detail=""):
    """torchvision's error (``why``), followed by the paths it expects and why nothing is downloaded."""
    return RuntimeError(f"{why} ({type(dataset).__name__}: {detail}expected {', '.join(map(str, missing))}; "
                        "torch2paddle: converted code reads torchvision's files but never downloads them: put them "
                        "there, e.g. by running torchvision's download once)")


def _ds_read_idx(path, ndim):
    """torchvision's ``read_image_file``/``read_label_file``: an IDX ("SN3 Pascal Vincent") file of uint8."""
    import numpy as np

    with open(path, "rb") as f:
        data = f.read()
    magic = int.from_bytes(data[0:4], "big")
    nd, ty = magic % 256, magic // 256
    if not 1 <= nd <= 3 or not 8 <= ty <= 14:
        raise AssertionError(f"{path}: not an IDX file")
    if ty != 8:
        raise TypeError(f"x should be of dtype torch.uint8 instead of IDX type {ty}")
    shape = [int.from_bytes(data[4 * (i + 1):4 * (i + 2)], "big") for i in range(nd)]
    if nd != ndim:
        raise ValueError(f"x should have {ndim} dimension instead of {nd}")
    return np.frombuffer(bytearray(data), dtype=np.uint8, offset=4 * (nd + 1)).reshape(shape)


# The classes derive from paddle.io.Dataset, so they can only be built once paddle is imported: each is built by a
# short function below (`_ds_build_*`, a `class` statement whose zero-argument super() calls keep torchvision's
# cooperative __init__), and `_build_datasets` builds them all on the first use of one.  The longer method bodies
# are the module-level `_ds_*` functions that the class statements take as methods.


def _ds_build_vision_base():
    """The base class of the datasets below, torchvision's VisionDataset."""
    import os

    import paddle

    class _VisionDataset(paddle.io.Dataset):
        """torchvision's VisionDataset: root (``~`` expanded), transform, target_transform, its repr."""

        _repr_indent = 4

        def __init__(self, root=None, transform=None, target_transform=None):
            super().__init__()
            self.root = os.path.expanduser(root) if isinstance(root, str) else root
            self.transform = transform
            self.target_transform = target_transform

        def __repr__(self):
            body = [f"Number of datapoints: {self.__len__()}"]
            if self.root is not None:
                body.append(f"Root location: {self.root}")
            body += self.extra_repr().splitlines()
            for head, t in (("Transform: ", self.transform), ("Target transform: ", self.target_transform)):
                if t is not None:
                    lines = repr(t).splitlines()
                    body += [head + lines[0]] + [" " * len(head) + line for line in lines[1:]]
            return "\n".join(["Dataset " + type(self).__name__] + [" " * self._repr_indent + b for b in body])

        def extra_repr(self):
            return ""

        def _transformed(self, img, target):
            """A sample with the dataset's transform and target_transform applied, as torchvision's do."""
            if self.transform is not None:
                img = self.transform(img)
            if self.target_transform is not None:
                target = self.target_transform(target)
            return img, target

    return _VisionDataset


def _ds_split_repr(self):
    """MNIST's and CIFAR's ``extra_repr``."""
    return f"Split: {'Train' if self.train is True else 'Test'}"


def _ds_mnist_load(self, download):
    """The rest of MNIST's ``__init__`` (after VisionDataset's): torchvision's checks, then ``data``/``targets``
    read from the raw IDX files as CPU tensors (uint8 [N, 28, 28], int64 [N])."""
    import os

    import paddle

    legacy = [os.path.join(self.processed_folder, f) for f in (self.training_file, self.test_file)]
    if all(os.path.isfile(f) for f in legacy):
        raise NotImplementedError(
            f"{type(self).__name__}: torchvision would read its legacy torch.save files {legacy[0]} and "
            f"{legacy[1]}, which only torch can load (torch2paddle): remove the processed folder so that the "
            f"raw files under {self.raw_folder} are read")
    if download:
        self.download()
    if not self._check_exists():
        raise _ds_not_found(self, [p for p in self._raw_files() if not os.path.isfile(p)],
                            "Dataset not found. You can use download=True to download it")
    prefix = "train" if self.train else "t10k"
    place = paddle.CPUPlace()
    self.data = paddle.to_tensor(
        _ds_read_idx(os.path.join(self.raw_folder, f"{prefix}-images-idx3-ubyte"), 3), place=place)
    self.targets = paddle.to_tensor(
        _ds_read_idx(os.path.join(self.raw_folder, f"{prefix}-labels-idx1-ubyte"), 1).astype("int64"),
        place=place)


def _ds_mnist_raw_files(self):
    """The raw files torchvision reads: each resource's name without ``.gz``, under ``raw_folder``."""
    import os

    return [os.path.join(self.raw_folder, os.path.splitext(os.path.basename(url))[0]) for url, _ in self.resources]


def _ds_mnist_download(self):
    """torchvision's download with the files on disk: a raw file missing is extracted from its ``.gz``
    beside it when that archive has torchvision's md5 sum; nothing is fetched."""
    import gzip
    import os

    if self._check_exists():
        return
    os.makedirs(self.raw_folder, exist_ok=True)
    for (url, md5), raw in zip(self.resources, self._raw_files()):
        archive = os.path.join(self.raw_folder, os.path.basename(url))
        if _ds_md5_ok(archive, md5):
            with gzip.open(archive, "rb") as src, open(raw, "wb") as dst:
                dst.write(src.read())
        elif os.path.isfile(raw):
            continue  # torchvision would download the archive again and extract this same file
        elif os.path.isfile(archive):
            raise _ds_not_found(self, [archive], f"Error downloading {os.path.basename(archive)}",
                                "the archive's md5 sum is not torchvision's (torchvision would download it "
                                "again); ")
        else:
            raise _ds_not_found(self, [raw, archive], f"Error downloading {os.path.basename(archive)}",
                                "download=True would download the archive; ")


def _ds_mnist_getitem(self, index):
    """MNIST's sample: a PIL image of mode L and an int label, transformed."""
    import numpy as np
    import paddle
    from PIL import Image

    img, target = self.data[index], int(self.targets[index])
    # .clone(): numpy() of a Paddle view copies the whole tensor it views (60000 images)
    img = img.clone().numpy() if isinstance(img, paddle.Tensor) else np.asarray(img)
    img = Image.fromarray(img.astype(np.uint8, copy=False))  # mode L
    return self._transformed(img, target)


def _ds_renamed(self, old, new):
    """MNIST's old attribute names (``train_labels``, ...): a warning, then the attribute's new name."""
    import warnings

    warnings.warn(f"{old} has been renamed {new}")
    return getattr(self, new)


def _ds_build_mnist(base):
    import os

    class MNIST(base):
        mirrors = ["https://ossci-datasets.s3.amazonaws.com/mnist/", "http://yann.lecun.com/exdb/mnist/"]  # unused
        resources = [
            ("train-images-idx3-ubyte.gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
            ("train-labels-idx1-ubyte.gz", "d53e105ee54ea40749a09fcbcd1e9432"),
            ("t10k-images-idx3-ubyte.gz", "9fb629c4189551a2d022fa330f9573f3"),
            ("t10k-labels-idx1-ubyte.gz", "ec29112dd5afa0611ce80d1b7f02629c"),
        ]
        training_file = "training.pt"
        test_file = "test.pt"
        classes = ["0 - zero", "1 - one", "2 - two", "3 - three", "4 - four", "5 - five", "6 - six", "7 - seven",
                   "8 - eight", "9 - nine"]

        def __init__(self, root, train=True, transform=None, target_transform=None, download=False):
            super().__init__(root, transform=transform, target_transform=target_transform)
            self.train = train
            _ds_mnist_load(self, download)

        _raw_files = _ds_mnist_raw_files
        download = _ds_mnist_download
        __getitem__ = _ds_mnist_getitem
        _renamed = _ds_renamed
        extra_repr = _ds_split_repr

        def _check_exists(self):
            return all(os.path.isfile(p) for p in self._raw_files())

        def __len__(self):
            return len(self.data)

        train_labels = property(lambda self: self._renamed("train_labels", "targets"))
        test_labels = property(lambda self: self._renamed("test_labels", "targets"))
        train_data = property(lambda self: self._renamed("train_data", "data"))
        test_data = property(lambda self: self._renamed("test_data", "data"))

        @property
        def raw_folder(self):
            return os.path.join(self.root, type(self).__name__, "raw")

        @property
        def processed_folder(self):
            return os.path.join(self.root, type(self).__name__, "processed")

        @property
        def class_to_idx(self):
            return {_class: i for i, _class in enumerate(self.classes)}

    return MNIST


def _ds_build_fashion_mnist(mnist):
    class FashionMNIST(mnist):
        mirrors = ["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"]  # unused: nothing is downloaded
        resources = [
            ("train-images-idx3-ubyte.gz", "8d4fb7e6c68d591d4c3dfef9ec88bf0d"),
            ("train-labels-idx1-ubyte.gz", "25c81989df183df01b3e8a0aad5dffbe"),
            ("t10k-images-idx3-ubyte.gz", "bef4ecab320f06d8554ea6380940ec79"),
            ("t10k-labels-idx1-ubyte.gz", "bb300cfdad3c16e7a12a480ee83cd310"),
        ]
        classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
                   "Ankle boot"]

    return FashionMNIST


def _ds_cifar_load(self, download):
    """The rest of CIFAR's ``__init__`` (after VisionDataset's): torchvision's checks, then ``data`` (numpy,
    uint8 [N, 32, 32, 3]), ``targets`` (a list of ints) and the classes read from the pickled batches."""
    import os
    import pickle

    import numpy as np

    if download:
        self.download()
    if not self._check_integrity():
        raise _ds_not_found(self, self._files(), "Dataset not found or corrupted. You can use download=True "
                                                 "to download it", "a file is missing or its md5 sum is not "
                                                 "torchvision's; ")
    self.data = []
    self.targets = []
    for file_name, _ in self.train_list if self.train else self.test_list:
        with open(os.path.join(self.root, self.base_folder, file_name), "rb") as f:
            entry = pickle.load(f, encoding="latin1")
            self.data.append(entry["data"])
            self.targets.extend(entry["labels"] if "labels" in entry else entry["fine_labels"])
    self.data = np.vstack(self.data).reshape(-1, 3, 32, 32).transpose((0, 2, 3, 1))  # HWC
    self._load_meta()


def _ds_cifar_load_meta(self):
    """torchvision's ``_load_meta``: ``classes`` and ``class_to_idx`` from the md5-checked meta file."""
    import os
    import pickle

    path = os.path.join(self.root, self.base_folder, self.meta["filename"])
    if not _ds_md5_ok(path, self.meta["md5"]):
        raise _ds_not_found(self, [path], "Dataset metadata file not found or corrupted. You can use "
                                          "download=True to download it")
    with open(path, "rb") as infile:
        self.classes = pickle.load(infile, encoding="latin1")[self.meta["key"]]
    self.class_to_idx = {_class: i for i, _class in enumerate(self.classes)}


def _ds_cifar_download(self):
    """torchvision's download with the archive on disk: ``root/<filename>`` with torchvision's md5 sum
    is extracted into root; nothing is fetched."""
    import os
    import tarfile

    if self._check_integrity():
        return
    archive = os.path.join(self.root, self.filename)
    if not _ds_md5_ok(archive, self.tgz_md5):
        detail = ("the archive's md5 sum is not torchvision's (torchvision would download it again); "
                  if os.path.isfile(archive) else "download=True would download the archive; ")
        raise _ds_not_found(self, [archive], f"Error downloading {self.filename}", detail)
    with tarfile.open(archive, "r:gz") as tar:  # the "data" filter where Python has it (3.12+ warns without)
        tar.extractall(self.root, **({"filter": "data"} if hasattr(tarfile, "data_filter") else {}))


def _ds_cifar_getitem(self, index):
    """CIFAR's sample: an RGB PIL image and an int label, transformed."""
    from PIL import Image

    img, target = self.data[index], self.targets[index]
    img = Image.fromarray(img)
    return self._transformed(img, target)


def _ds_build_cifar10(base):
    import os

    class CIFAR10(base):
        base_folder = "cifar-10-batches-py"
        url = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"  # unused: nothing is downloaded
        filename = "cifar-10-python.tar.gz"
        tgz_md5 = "c58f30108f718f92721af3b95e74349a"
        train_list = [
            ["data_batch_1", "c99cafc152244af753f735de768cd75f"],
            ["data_batch_2", "d4bba439e000b95fd0a9bffe97cbabec"],
            ["data_batch_3", "54ebc095f3ab1f0389bbae665268c751"],
            ["data_batch_4", "634d18415352ddfa80567beed471001a"],
            ["data_batch_5", "482c414d41f54cd18b22e5b47cb7c3cb"],
        ]
        test_list = [["test_batch", "40351d587109b95175f43aff81a1287e"]]
        meta = {"filename": "batches.meta", "key": "label_names", "md5": "5ff9c542aee3614f3951f8cda6e48888"}

        def __init__(self, root, train=True, transform=None, target_transform=None, download=False):
            super().__init__(root, transform=transform, target_transform=target_transform)
            self.train = train
            _ds_cifar_load(self, download)

        _load_meta = _ds_cifar_load_meta
        download = _ds_cifar_download
        __getitem__ = _ds_cifar_getitem
        extra_repr = _ds_split_repr

        def _files(self):
            return [os.path.join(self.root, self.base_folder, name) for name, _ in self.train_list + self.test_list]

        def _check_integrity(self):
            return all(_ds_md5_ok(os.path.join(self.root, self.base_folder, name), md5)
                       for name, md5 in self.train_list + self.test_list)

        def __len__(self):
            return len(self.data)

    return CIFAR10


def _ds_build_cifar100(cifar10):
    class CIFAR100(cifar10):
        base_folder = "cifar-100-python"
        url = "https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz"
        filename = "cifar-100-python.tar.gz"
        tgz_md5 = "eb9058c3a382ffc7106e4002c42a8d85"
        train_list = [["train", "16019d7e3df5f24257cddd939b257f8d"]]
        test_list = [["test", "f0ef6b0ae62326f3e7ffdfab6717acfc"]]
        meta = {"filename": "meta", "key": "fine_label_names", "md5": "7973b15100ade9c7d40fb424638fde48"}

    return CIFAR100


def _ds_fake_getitem(self, index):
    """FakeData's sample ``index``: see the class's docstring."""
    import numpy as np
    import paddle
    from PIL import Image

    if index >= len(self):
        raise IndexError(f"{type(self).__name__} index out of range")
    rng = np.random.default_rng((index + self.random_offset) % 2 ** 64)  # torch takes negative seeds too
    img = rng.standard_normal(tuple(self.image_size), dtype=np.float32)
    target = paddle.to_tensor(int(rng.integers(0, self.num_classes)), dtype="int64", place=paddle.CPUPlace())
    if img.ndim == 2:
        img = img[None]
    if img.ndim != 3 or img.shape[0] not in (1, 2, 3, 4):
        raise ValueError(f"pic should be 2/3 dimensional with 1 to 4 channels. Got {img.ndim} dimensions "
                         f"and shape {img.shape}")
    # torch's float -> uint8 cast: truncated toward zero, wrapped modulo 256
    img = (img * 255).astype(np.int64).astype(np.uint8).transpose(1, 2, 0)
    img = Image.fromarray(img[:, :, 0] if img.shape[2] == 1 else img)  # L, LA, RGB or RGBA, as ToPILImage
    img, target = self._transformed(img, target)
    return img, target.item()


def _ds_build_fake_data(base):
    class FakeData(base):
        """torchvision's FakeData: sample ``index`` is drawn from a generator seeded with ``index +
        random_offset`` (the global random state is untouched), a standard-normal image of ``image_size``
        made a PIL image as ToPILImage makes it (x 255, cast to uint8) and a label in [0, num_classes),
        given to target_transform as a 0-d int64 tensor.  The generator is numpy's, not torch's: the values
        differ from torchvision's."""

        def __init__(self, size=1000, image_size=(3, 224, 224), num_classes=10, transform=None,
                     target_transform=None, random_offset=0):
            super().__init__(None, transform=transform, target_transform=target_transform)
            self.size = size
            self.num_classes = num_classes
            self.image_size = image_size
            self.random_offset = random_offset

        __getitem__ = _ds_fake_getitem

        def __len__(self):
            return self.size

    return FakeData


def _build_datasets():
    """torchvision's MNIST, FashionMNIST, CIFAR10, CIFAR100 and FakeData as ``paddle.io.Dataset`` classes."""
    base = _ds_build_vision_base()
    mnist, cifar10 = _ds_build_mnist(base), _ds_build_cifar10(base)
    classes = {"MNIST": mnist, "FashionMNIST": _ds_build_fashion_mnist(mnist), "CIFAR10": cifar10,
               "CIFAR100": _ds_build_cifar100(cifar10), "FakeData": _ds_build_fake_data(base)}
    for name, cls in classes.items():
        cls.__module__ = __name__  # found again by name (pickle): the module's __getattr__ builds it
        cls.__qualname__ = name
    return classes


_DATASETS = {}


def _dataset_class(name):
    if not _DATASETS:
        _DATASETS.update(_build_datasets())
    return _DATASETS[name]


# classes built on first use (`module.MNIST`), then kept; runtime_layers.py's, when copied above, are kept too
_LAZY_CLASSES = {**globals().get("_LAZY_CLASSES", {}),
                 **{name: (lambda name=name: _dataset_class(name))
                    for name in ("MNIST", "FashionMNIST", "CIFAR10", "CIFAR100", "FakeData")}}


def __getattr__(name):
    builder = _LAZY_CLASSES.get(name)
    if builder is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return globals().setdefault(name, builder())


# ---- torch.utils.data samplers and datasets Paddle lacks or differs on ---------------------------------------


def _ds_build_weighted_random_sampler():
    import numpy as np
    import paddle

    class WeightedRandomSampler(paddle.io.Sampler):
        """torch's WeightedRandomSampler: ``num_samples`` indices drawn with probabilities proportional to the
        1-D ``weights`` (with or without replacement), torch's checks and ``len``.  Paddle's own takes 2-D
        weights, has no ``len`` for list weights and asserts where torch raises ValueError.  The draws come
        from numpy's global generator (``np.random.seed``), not torch's: the distribution is torch's, the
        sequence is not."""

        def __init__(self, weights, num_samples, replacement=True, generator=None):
            if not isinstance(num_samples, int) or isinstance(num_samples, bool) or num_samples <= 0:
                raise ValueError(f"num_samples should be a positive integer value, but got num_samples={num_samples}")
            if not isinstance(replacement, bool):
                raise ValueError(f"replacement should be a boolean value, but got replacement={replacement}")
            if generator is not None:
                raise NotImplementedError("WeightedRandomSampler: a torch.Generator has no Paddle counterpart "
                                          "(torch2paddle): seed numpy's generator (np.random.seed) instead")
            if isinstance(weights, paddle.Tensor):
                weights = weights.numpy()
            weights = np.asarray(weights, dtype=np.float64)
            if weights.ndim != 1:
                raise ValueError(f"weights should be a 1d sequence but given weights have shape {tuple(weights.shape)}")
            self.weights = paddle.to_tensor(weights, dtype="float64", place=paddle.CPUPlace())
            self.num_samples = num_samples
            self.replacement = replacement
            self.generator = generator

        def __iter__(self):
            w = self.weights.numpy()
            if w.size == 0 or (w < 0).any() or not np.isfinite(w).all() or w.sum() <= 0:
                raise RuntimeError("invalid multinomial distribution (weights must be finite, non-negative and "
                                   "sum to a positive number)")
            if not self.replacement and self.num_samples > np.count_nonzero(w):
                raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without replacement")
            idx = np.random.choice(w.size, self.num_samples, replace=self.replacement, p=w / w.sum())
            yield from idx.tolist()

        def __len__(self):
            return self.num_samples

    return WeightedRandomSampler


def _ds_build_chain_dataset():
    import paddle

    class ChainDataset(paddle.io.IterableDataset):
        """torch's ChainDataset: the datasets' samples one dataset after the other, and ``len`` (the sum of the
        datasets' lengths), which Paddle's lacks; like torch's, a dataset that is not iterable-style is refused
        when iterated, not when the chain is built."""

        def __init__(self, datasets):
            super().__init__()
            self.datasets = datasets

        def __iter__(self):
            for d in self.datasets:
                if not isinstance(d, paddle.io.IterableDataset):
                    raise AssertionError("ChainDataset only supports IterableDataset")
                yield from d

        def __len__(self):
            total = 0
            for d in self.datasets:
                if not isinstance(d, paddle.io.IterableDataset):
                    raise AssertionError("ChainDataset only supports IterableDataset")
                total += len(d)
            return total

    return ChainDataset


_DATA_CLASSES = {}


def _data_class(name):
    if name not in _DATA_CLASSES:
        builder = {"WeightedRandomSampler": _ds_build_weighted_random_sampler,
                   "ChainDataset": _ds_build_chain_dataset}[name]
        cls = builder()
        cls.__module__ = __name__
        cls.__qualname__ = name
        _DATA_CLASSES[name] = cls
    return _DATA_CLASSES[name]


_LAZY_CLASSES.update({name: (lambda name=name: _data_class(name)) for name in ("WeightedRandomSampler", "ChainDataset")})


# ---- torch.autograd ---------------------------------------------------------------------------------------------


def _ag_tensors(value):
    import paddle

    return [value] if isinstance(value, paddle.Tensor) else list(value)


def autograd_grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, only_inputs=True,
                  allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """torch.autograd.grad in Paddle: a tuple with one gradient per input (``paddle.grad`` returns a list);
    an implicit gradient only for one-element outputs (paddle.grad fills ones for any output); retain_graph
    defaulting to create_graph; allow_unused=True gives None for an unused input, materialize_grads=True
    zeros."""
    import paddle

    if is_grads_batched:
        raise NotImplementedError("autograd.grad(is_grads_batched=True) has no Paddle counterpart (torch2paddle): "
                                  "loop over the batch of grad_outputs")
    if materialize_grads and allow_unused is False:
        raise ValueError("Expected allow_unused to be True or not passed when materialize_grads=True, "
                         "but got: allow_unused=False.")
    if allow_unused is None:
        allow_unused = materialize_grads
    outs, ins = _ag_tensors(outputs), _ag_tensors(inputs)
    grads = [None] * len(outs) if grad_outputs is None else _ag_tensors(grad_outputs)[:len(outs)]
    if len(grads) != len(outs):
        raise RuntimeError(f"grad_outputs has {len(grads)} tensors but outputs has {len(outs)}")
    for out, grad in zip(outs, grads):
        if grad is None and out.size != 1:
            raise RuntimeError("grad can be implicitly created only for scalar outputs")
    if retain_graph is None:
        retain_graph = create_graph
    result = paddle.grad(outs, ins, grad_outputs=None if all(g is None for g in grads) else grads,
                         retain_graph=retain_graph, create_graph=create_graph, allow_unused=allow_unused)
    if materialize_grads:
        result = [paddle.zeros_like(i) if g is None else g for g, i in zip(result, ins)]
    return tuple(result)


def autograd_backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, grad_variables=None,
                      inputs=None):
    """torch.autograd.backward in Paddle: gradients accumulated into the leaves' ``.grad``; retain_graph
    defaulting to create_graph; an implicit gradient only for one-element tensors (Paddle fills ones for any);
    single tensors or sequences for both arguments."""
    import paddle

    if create_graph or inputs is not None:
        raise NotImplementedError("autograd.backward(create_graph=True / inputs=...) has no Paddle counterpart "
                                  "(torch2paddle): use torch.autograd.grad")
    if grad_variables is not None:
        if grad_tensors is not None:
            raise RuntimeError("'grad_tensors' and 'grad_variables' (deprecated) arguments both passed to "
                               "backward(). Please only use 'grad_tensors'.")
        grad_tensors = grad_variables
    outs = _ag_tensors(tensors)
    grads = [None] * len(outs) if grad_tensors is None else _ag_tensors(grad_tensors)[:len(outs)]
    if len(grads) != len(outs):
        raise RuntimeError(f"grad_tensors has {len(grads)} tensors but tensors has {len(outs)}")
    for out, grad in zip(outs, grads):
        if grad is None and out.size != 1:
            raise RuntimeError("grad can be implicitly created only for scalar outputs")
    paddle.autograd.backward(outs, None if all(g is None for g in grads) else grads,
                             retain_graph=bool(create_graph if retain_graph is None else retain_graph))


class _VariableMeta(type):
    def __instancecheck__(cls, obj):
        import paddle

        return isinstance(obj, paddle.Tensor)


class Variable(metaclass=_VariableMeta):
    """torch.autograd.Variable: ``Variable(t, requires_grad=False)`` is a tensor sharing ``t``'s data, detached
    from its graph, that requires grad when asked (a leaf); every tensor is an instance of it."""

    def __new__(cls, data, requires_grad=False, volatile=False):
        import paddle

        if not isinstance(data, paddle.Tensor):
            raise TypeError("Variable data has to be a tensor, but got " + type(data).__name__)
        out = data.detach()
        out.stop_gradient = not requires_grad
        return out


def checkpoint(function=None, *args, use_reentrant=None, preserve_rng_state=True, context_fn=None,
               determinism_check="default", debug=False, early_stop=True, **kwargs):
    """torch.utils.checkpoint.checkpoint through paddle.distributed.fleet.utils.recompute: the same two
    implementations (use_reentrant, True when not given, as torch with its warning), preserve_rng_state, and
    torch's refusal of keyword arguments to ``function`` with the reentrant one."""
    import functools
    import warnings

    from paddle.distributed.fleet.utils import recompute

    if context_fn is not None or determinism_check != "default" or debug:
        raise NotImplementedError("checkpoint: context_fn, determinism_check and debug have no Paddle "
                                  "counterpart (torch2paddle): drop them")
    if function is None and not args:
        if kwargs:
            raise ValueError("Unexpected keyword arguments: " + ",".join(arg for arg in kwargs))
        return functools.partial(checkpoint, use_reentrant=use_reentrant, preserve_rng_state=preserve_rng_state)
    if use_reentrant is None:
        warnings.warn("torch.utils.checkpoint: the use_reentrant parameter should be passed explicitly; "
                      "use_reentrant=True is used", stacklevel=2)
        use_reentrant = True
    if kwargs and use_reentrant:
        raise ValueError("Unexpected keyword arguments: " + ",".join(arg for arg in kwargs))
    return recompute(function, *args, use_reentrant=use_reentrant, preserve_rng_state=preserve_rng_state, **kwargs)


# ---- torch.cuda: the answers torch gives without a GPU, and torch's device arguments ---------------------------


def _cuda_index(device, optional=True):
    """A torch device argument (None, an int, 'cuda', 'cuda:1', torch.device) as Paddle's: None or an index."""
    import paddle

    if device is None or isinstance(device, int) and not isinstance(device, bool):
        return device
    if isinstance(device, paddle.CUDAPlace):
        return device.get_device_id()
    text = str(device)
    kind, _, index = text.partition(":")
    if kind not in ("cuda", "gpu"):
        raise ValueError(f"Expected a cuda device, but got: {text}")
    return int(index) if index else None


def _cuda_count():
    import paddle

    return paddle.device.cuda.device_count() if paddle.is_compiled_with_cuda() else 0


def _cuda_stat(name, device):
    import paddle

    index = _cuda_index(device)
    if not _cuda_count():  # torch answers 0 without CUDA (Paddle's CPU build raises)
        return 0
    return getattr(paddle.device.cuda, name)(index)


def cuda_memory_allocated(device=None):
    """torch.cuda.memory_allocated: bytes held by tensors (0 without a GPU, as torch)."""
    return _cuda_stat("memory_allocated", device)


def cuda_max_memory_allocated(device=None):
    """torch.cuda.max_memory_allocated: the peak of memory_allocated in bytes (0 without a GPU, as torch)."""
    return _cuda_stat("max_memory_allocated", device)


def cuda_memory_reserved(device=None):
    """torch.cuda.memory_reserved: bytes held by the caching allocator (0 without a GPU, as torch)."""
    return _cuda_stat("memory_reserved", device)


def cuda_max_memory_reserved(device=None):
    """torch.cuda.max_memory_reserved: the peak of memory_reserved in bytes (0 without a GPU, as torch)."""
    return _cuda_stat("max_memory_reserved", device)


def _cuda_require(what):
    if not _cuda_count():
        raise RuntimeError(f"torch.cuda.{what}: no CUDA GPU is available")


def cuda_reset_peak_memory_stats(device=None):
    """torch.cuda.reset_peak_memory_stats: the allocated and reserved peaks restart from the current values."""
    import paddle

    index = _cuda_index(device)
    _cuda_require("reset_peak_memory_stats")
    paddle.device.cuda.reset_max_memory_allocated(index)
    paddle.device.cuda.reset_max_memory_reserved(index)


def cuda_reset_max_memory_allocated(device=None):
    """torch.cuda.reset_max_memory_allocated."""
    import paddle

    index = _cuda_index(device)
    _cuda_require("reset_max_memory_allocated")
    paddle.device.cuda.reset_max_memory_allocated(index)


def cuda_synchronize(device=None):
    """torch.cuda.synchronize: waits for the GPU's work (raises without a GPU, as torch)."""
    import paddle

    index = _cuda_index(device)
    _cuda_require("synchronize")
    paddle.device.synchronize(f"gpu:{index}" if index is not None else None)


def cuda_current_device():
    """torch.cuda.current_device: the index of the current GPU."""
    import paddle

    _cuda_require("current_device")
    kind, _, index = paddle.device.get_device().partition(":")
    return int(index) if kind == "gpu" and index else 0


def cuda_get_device_name(device=None):
    """torch.cuda.get_device_name."""
    import paddle

    index = _cuda_index(device)
    _cuda_require("get_device_name")
    return paddle.device.cuda.get_device_name(index)


def cuda_get_device_capability(device=None):
    """torch.cuda.get_device_capability: (major, minor)."""
    import paddle

    index = _cuda_index(device)
    _cuda_require("get_device_capability")
    return tuple(paddle.device.cuda.get_device_capability(index))


def _cuda_current_index(device="cuda"):
    """The GPU index a torch device argument names; the current GPU where it names none."""
    index = _cuda_index(device)
    return cuda_current_device() if index is None else index


def cuda_manual_seed(seed):
    """torch.cuda.manual_seed: seeds the current GPU's generator only (paddle.seed would reseed the CPU and
    every GPU); nothing without a GPU, as torch's (its call waits for a CUDA initialisation that never comes)."""
    import paddle

    if _cuda_count():
        paddle.base.core.default_cuda_generator(cuda_current_device()).manual_seed(int(seed))


def cuda_manual_seed_all(seed):
    """torch.cuda.manual_seed_all: seeds every GPU's generator, not the CPU's; nothing without a GPU."""
    import paddle

    for index in range(_cuda_count()):
        paddle.base.core.default_cuda_generator(index).manual_seed(int(seed))


def cuda_initial_seed():
    """torch.cuda.initial_seed: the seed of the current GPU's generator (raises without a GPU, as torch)."""
    import paddle

    _cuda_require("initial_seed")
    return paddle.base.core.default_cuda_generator(cuda_current_device()).initial_seed()


def cuda_is_initialized():
    """torch.cuda.is_initialized: Paddle has no lazy CUDA start, so: whether a GPU is in use at all."""
    return _cuda_count() > 0


def cuda_get_rng_state(device="cuda"):
    """torch.cuda.get_rng_state: the state of a GPU's generator, as Paddle's GeneratorState (torch: a uint8
    tensor) for cuda_set_rng_state; raises without a GPU, as torch."""
    import paddle

    _cuda_index(device)
    _cuda_require("get_rng_state")
    return paddle.base.core.default_cuda_generator(_cuda_current_index(device)).get_state()


def cuda_set_rng_state(new_state, device="cuda"):
    """torch.cuda.set_rng_state with a state from cuda_get_rng_state; nothing without a GPU, as torch's."""
    import paddle

    _cuda_index(device)
    if _cuda_count():
        paddle.base.core.default_cuda_generator(_cuda_current_index(device)).set_state(new_state)


def cuda_get_rng_state_all():
    """torch.cuda.get_rng_state_all: one state per GPU ([] without a GPU, as torch)."""
    import paddle

    return [paddle.base.core.default_cuda_generator(i).get_state() for i in range(_cuda_count())]


def cuda_set_rng_state_all(new_states):
    """torch.cuda.set_rng_state_all: the i-th state to GPU i."""
    for index, state in enumerate(new_states):
        cuda_set_rng_state(state, index)


def cuda_is_bf16_supported(including_emulation=True):
    """torch.cuda.is_bf16_supported: False without a GPU (Paddle's answers for the CPU); True on compute
    capability 8.0 or newer; else, with including_emulation, whether a bfloat16 tensor can be made on the GPU."""
    import paddle

    if not _cuda_count():
        return False
    index = cuda_current_device()
    if paddle.device.cuda.get_device_capability(index)[0] >= 8:
        return True
    if not including_emulation:
        return False
    try:
        paddle.to_tensor([1.0], dtype="bfloat16", place=paddle.CUDAPlace(index))
        return True
    except Exception:
        return False


def cuda_get_device_properties(device=None):
    """torch.cuda.get_device_properties: name, major, minor, total_memory (bytes) and multi_processor_count,
    as torch's; raises without a GPU, as torch."""
    import paddle

    index = _cuda_index(device)
    _cuda_require("get_device_properties")
    return paddle.device.cuda.get_device_properties(index)


def cuda_nvtx_range_push(msg):
    """torch.cuda.nvtx.range_push: opens an NVTX range on a CUDA build (nothing on a CPU build).  Returns None,
    not torch's range depth."""
    import paddle

    if hasattr(paddle.base.core, "nvprof_nvtx_push"):
        paddle.base.core.nvprof_nvtx_push(msg)


def cuda_nvtx_range_pop():
    """torch.cuda.nvtx.range_pop: closes the innermost NVTX range (nothing on a CPU build); returns None."""
    import paddle

    if hasattr(paddle.base.core, "nvprof_nvtx_pop"):
        paddle.base.core.nvprof_nvtx_pop()


def cpu_current_device():
    """torch.cpu.current_device: always 'cpu'."""
    return "cpu"


def cpu_set_device(device):
    """torch.cpu.set_device: does nothing, as torch's."""


def cudnn_is_available():
    """torch.backends.cudnn.is_available: whether this build has cuDNN (Paddle's CUDA builds do)."""
    import paddle

    return paddle.device.get_cudnn_version() is not None


def cpu_autocast(enabled=True, dtype=None, cache_enabled=True):
    """torch.cpu.amp.autocast: only its disabled form converts (paddle.amp.auto_cast(enable=False), which also
    switches off an enclosing GPU autocast, as torch's does for the CPU); Paddle does not cast on the CPU."""
    import paddle

    if enabled:
        raise NotImplementedError("torch.cpu.amp.autocast: Paddle's auto_cast does not cast on the CPU (torch runs "
                                  "it in bfloat16) (torch2paddle): remove it to run in float32")
    return paddle.amp.auto_cast(enable=False)


def is_autocast_enabled(device_type=None):
    """torch.is_autocast_enabled: the GPU autocast state (paddle.amp.is_autocast_enabled, Paddle's one AMP state)
    for None or 'cuda'; False for 'cpu', where Paddle never casts."""
    import paddle

    if device_type is not None and str(device_type).partition(":")[0] == "cpu":
        return False
    return paddle.amp.is_autocast_enabled()


def get_autocast_dtype(device_type="cuda"):
    """torch.get_autocast_dtype / get_autocast_gpu_dtype: the dtype of the enclosing enabled GPU autocast, else
    float16 (as a Paddle dtype); bfloat16 for 'cpu' (torch's default there)."""
    import paddle

    if str(device_type).partition(":")[0] == "cpu":
        return paddle.bfloat16
    return getattr(paddle, paddle.amp.get_autocast_dtype())


def get_autocast_gpu_dtype():
    """torch.get_autocast_gpu_dtype."""
    return get_autocast_dtype("cuda")


# ---- torch.cuda.FloatTensor and the other legacy CUDA tensor classes --------------------------------------------


class _CudaTensorType(type):
    """The legacy ``torch.cuda.<T>Tensor`` classes: calling one makes a tensor of its dtype on the current GPU
    (raises without a GPU, as torch); ``isinstance(x, cls)``: a tensor of that dtype on a GPU."""

    def __instancecheck__(cls, obj):
        import paddle

        return isinstance(obj, paddle.Tensor) and obj.dtype == getattr(paddle, cls._dtype) and obj.place.is_gpu_place()

    def __call__(cls, *args, **kwargs):
        import paddle

        name = "torch.cuda." + cls.__name__[len("Cuda"):]
        if kwargs:
            raise NotImplementedError(f"{name}(...) with keywords (torch2paddle): write paddle.to_tensor(data, "
                                      f"dtype='{cls._dtype}', place=paddle.CUDAPlace(i))")
        _cuda_require(cls.__name__[len("Cuda"):])
        place = paddle.CUDAPlace(cuda_current_device())
        if len(args) == 1 and isinstance(args[0], paddle.Tensor):  # torch: the tensor itself, if of this type
            if not isinstance(args[0], cls):
                raise TypeError(f"expected {name} (got a {args[0].dtype} tensor on {args[0].place})")
            return args[0]
        if all(isinstance(a, int) and not isinstance(a, bool) for a in args):  # sizes; none: an empty tensor
            return paddle.empty(list(args) if args else [0], dtype=cls._dtype, device=place)
        if len(args) == 1:  # a sequence or an array: data
            return paddle.to_tensor(args[0], dtype=cls._dtype, place=place)
        raise TypeError(f"{name}(): expected a sequence of data or integer sizes")


for _name, _dtype in {"FloatTensor": "float32", "DoubleTensor": "float64", "HalfTensor": "float16",
                      "BFloat16Tensor": "bfloat16", "ByteTensor": "uint8", "CharTensor": "int8",
                      "ShortTensor": "int16", "IntTensor": "int32", "LongTensor": "int64",
                      "BoolTensor": "bool"}.items():
    globals()["Cuda" + _name] = _CudaTensorType("Cuda" + _name, (), {"_dtype": _dtype, "__module__": __name__})
del _name, _dtype
