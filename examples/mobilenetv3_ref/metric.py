"""Evaluation metrics."""

import torch


def accuracy(output, target, topk=(1,)):
    """Computes the accuracy over the k top predictions for the specified values of k.

    Args:
        output (Tensor): logits of shape ``(N, num_classes)``
        target (Tensor): class indices of shape ``(N,)`` (or one-hot / soft targets of shape ``(N, num_classes)``)
        topk (tuple of int): the values of k to evaluate

    Returns:
        list of 0-dim tensors, the top-k accuracies in percent, one per entry of ``topk``
    """
    with torch.no_grad():
        maxk = max(topk)
        batch_size = target.size(0)
        if target.ndim == 2:
            target = target.max(dim=1)[1]

        _, pred = output.topk(maxk, 1, True, True)
        pred = pred.t()
        correct = pred.eq(target.view(1, -1).expand_as(pred))

        res = []
        for k in topk:
            correct_k = correct[:k].flatten().sum(dtype=torch.float32)
            res.append(correct_k * (100.0 / batch_size))
        return res
