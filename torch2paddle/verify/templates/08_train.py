"""Step train: a short training run (same init, sequential order), then top-1 on val.

On the image folder, the arrays of the project's dataset factory, or synthetic data (model.input_shape,
num_classes) when the config names no dataset; top-1 with the project's metric, or argmax without one.

Dropout-like layers are in eval mode on both sides; the reference side runs it again in float64 (the noise
floor of the loss curve).
"""

import numpy as np
import torch
import torchvision

import t2p_support as support


def train(model):
    criterion = __LOSS__
    optimizer = __OPTIMIZER__
    lr_scheduler = __SCHEDULER__
    metric = support.factory(cfg["metric"]) if cfg.get("metric") else None
    losses, lrs = [], []
    for epoch in range(cfg["train_epochs"]):
        model.train()
        support.disable_random_layers("train", model)
        for images, labels in train_loader:
            output = model(support.to_device(images))
            loss = criterion(output, support.to_device(labels))
            optimizer.zero_grad()
            loss.backward()
            lrs.append(support.learning_rate(optimizer))
            optimizer.step()
            losses.append(loss.item())
        if lr_scheduler is not None:
            lr_scheduler.step()
    model.eval()
    correct, seen = 0.0, 0
    with torch.no_grad():
        for images, labels in val_loader:
            output = model(support.to_device(images))
            if metric is not None:
                top1 = metric(output, support.to_device(labels), topk=(1,))[0]
            else:
                top1 = support.top1(output, labels)
            correct += support.scalar(top1) * len(images) / 100.0
            seen += len(images)
    return dict(loss=np.array(losses), lr=np.array(lrs), top1=np.array(100.0 * correct / seen),
                val_images=np.array(seen))


cfg = support.CONFIG
support.seed_all(cfg["seed"])
if cfg["data"]["kind"] == "imagefolder":
    root = support.dataset_root()
    transform = support.factory(cfg["data"]["eval_transform"])(**cfg["data"]["transform_kwargs"])
    train_set = torchvision.datasets.ImageFolder(root + "/train", transform=transform)
    val_set = torchvision.datasets.ImageFolder(root + "/val", transform=transform)
    batch_size = cfg["data"]["batch_size"]
    train_loader = torch.utils.data.DataLoader(
        train_set, batch_size=batch_size, sampler=torch.utils.data.SequentialSampler(train_set), num_workers=0
    )
    val_loader = torch.utils.data.DataLoader(
        val_set, batch_size=batch_size, sampler=torch.utils.data.SequentialSampler(val_set), num_workers=0
    )
else:  # the project's arrays, or synthetic data
    train_loader = support.array_batches("train")
    val_loader = support.array_batches("val")
model = support.to_device(support.load_weights(support.build_model()))
twin = support.float64_twin("train", model)
support.record("train", **train(model))
support.record_float64("train", train, twin)
