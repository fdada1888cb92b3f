"""Step data: the data pipeline (dataset + eval transforms + sequential sampler + DataLoader), or the arrays
the project's dataset factory returns: the length and the first batches."""

import numpy as np
import torch
import torchvision

import t2p_support as support

cfg = support.CONFIG
values = {}
if cfg["data"]["kind"] == "imagefolder":
    root = support.dataset_root()
    transform = support.factory(cfg["data"]["eval_transform"])(**cfg["data"]["transform_kwargs"])
    dataset = torchvision.datasets.ImageFolder(root + "/val", transform=transform)
    loader = torch.utils.data.DataLoader(
        dataset,
        batch_size=cfg["data"]["batch_size"],
        sampler=torch.utils.data.SequentialSampler(dataset),
        num_workers=0,
    )
    values["length"] = np.array(len(dataset))
else:  # the project's dataset factory: arrays or tensors
    loader = support.array_batches("val")
    values["length"] = np.array(support.array_length("val"))
for i, (images, labels) in enumerate(loader):
    if i == cfg["data"]["batches"]:
        break
    values[f"images_{i}"] = support.to_numpy(images)
    values[f"labels_{i}"] = support.to_numpy(labels).reshape(-1)
support.record("data", **values)
