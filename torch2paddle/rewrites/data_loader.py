"""``DataLoader(ds, batch_size=B, sampler=s, drop_last=D)`` -> ``DataLoader(ds, batch_sampler=BatchSampler(sampler=s, batch_size=B, drop_last=D))``.

Why a rewrite: Paddle's DataLoader has no ``sampler=``; an index sampler is
batched by ``paddle.io.BatchSampler``.  torch's ``DistributedSampler`` is an
index sampler too, but its Paddle counterpart ``DistributedBatchSampler``
batches itself and needs the batch size, which only the DataLoader call knows:

* ``sampler=DistributedSampler(ds, ...)`` written in the call becomes
  ``batch_sampler=DistributedBatchSampler(ds, batch_size=B, ..., drop_last=D)``;
* a sampler held in a name that the file also binds to a ``DistributedSampler``
  (the torchvision-reference pattern: distributed or plain sampler chosen at
  run time, in another function) gets a run-time choice: the distributed
  sampler's settings are used to build a ``DistributedBatchSampler`` with the
  loader's batch size, any other sampler is wrapped in a ``BatchSampler``.
  Paddle's DistributedBatchSampler advances its shuffling epoch by itself on
  every pass, so epochs are reshuffled without ``set_epoch``; a ``set_epoch``
  call on the original sampler object no longer reaches the loader (the order
  after a resume differs from an uninterrupted run, not the partitioning).

``DataLoader(ds, **kwargs)`` (pytorch/examples' MNIST: ``train_kwargs = {'batch_size': ...}``, updated
with ``num_workers``/``pin_memory``/``shuffle``...): the mapping goes through the run-time keyword
adapter, which applies the entry's rules when the call runs (``pin_memory`` dropped, ``shuffle=None`` /
``prefetch_factor=None`` dropped, ``batch_size=None``, a ``generator``, a ``multiprocessing_context``
refused) and raises a TypeError for a ``sampler`` the mapping holds: the batch sampler it needs is built
from keywords only the run time knows.  ``sampler=`` written next to ``**kwargs`` is refused for the
same reason.
"""

from __future__ import annotations

import libcst as cst

from . import call_rewrite
from ._support import as_keywords, is_literal, is_simple, keyword, rebuild, take

_DISTRIBUTED = "torch.utils.data.distributed.DistributedSampler"


def _is_distributed(ctx, node: cst.BaseExpression) -> bool:
    if isinstance(node, cst.Call):
        entry = ctx.resolve(node.func)
        return entry is not None and entry.name == _DISTRIBUTED
    return False


def _attr(value: cst.BaseExpression, name: str) -> cst.Attribute:
    return cst.Attribute(value=value, attr=cst.Name(name))


def _with_keyword(call_node: cst.Call, name: str, value: cst.BaseExpression) -> list[cst.Arg]:
    args = [a for a in call_node.args if not (a.keyword is not None and a.keyword.value == name)]
    return [*args, keyword(name, value)]


@call_rewrite("data_loader")
def data_loader(ctx) -> cst.BaseExpression:
    if any(a.star == "**" for a in ctx.call.args):
        return _through_mapping(ctx)
    args = as_keywords(ctx.entry, ctx.call.args)
    originals = {a.keyword.value: a for a in as_keywords(ctx.entry, ctx.original.args)}
    sampler = take(args, "sampler")
    if sampler is not None and not is_literal(sampler.value, None):
        given = originals.get("batch_sampler")
        if given is not None and not is_literal(given.value, None):
            raise ctx.unsupported("sampler= and batch_sampler= together (torch refuses them too)")
        take(args, "batch_sampler")  # batch_sampler=None: torch's default, made below
        shuffle = take(args, "shuffle")
        if shuffle is not None and is_literal(shuffle.value, True):
            raise ctx.unsupported("shuffle=True with a sampler (torch refuses it too)")
        size = take(args, "batch_size")
        batch_size = size.value if size is not None else cst.Integer("1")
        if is_literal(batch_size, None):
            raise ctx.unsupported("batch_size=None (no automatic batching) has no Paddle equivalent")
        drop = take(args, "drop_last")
        drop_last = [keyword("drop_last", drop.value)] if drop is not None else []
        batch_sampler = _batch_sampler(ctx, sampler.value, originals["sampler"].value, batch_size, drop_last)
        may_be_none = isinstance(sampler.value, cst.Name) and any(
            a.keyword.value == "dataset" and is_simple(a.value) for a in args if a.keyword is not None)
        if may_be_none and (shuffle is None or is_literal(shuffle.value, None, False)):
            # `sampler=val_sampler` that the script sets to None when not distributed (the ImageNet example):
            # then the loader reads the dataset in order, as torch's does with no sampler
            batch_sampler = _or_dataset(ctx, args, sampler.value, batch_sampler, cst.Name("False"), batch_size,
                                        drop_last)
        elif shuffle is not None and not is_literal(shuffle.value, None, False):
            # `shuffle=(sampler is None), sampler=sampler`: the sampler may be None at run time, and then
            # the loader batches the dataset itself, shuffled or not
            batch_sampler = _or_dataset(ctx, args, sampler.value, batch_sampler, shuffle.value, batch_size, drop_last)
        args.append(keyword("batch_sampler", batch_sampler))
    return rebuild(ctx, ctx.render(ctx.entry.target), ctx.map_args(args))


def _through_mapping(ctx) -> cst.BaseExpression:
    """``DataLoader(ds, 64, **kw)``: the written arguments mapped as in any call, ``**kw`` translated by the
    run-time adapter (which refuses a sampler in it); a sampler written out is refused, since the batch
    size, drop_last and shuffle its batch sampler takes may be in the mapping."""
    stars = [a for a in ctx.call.args if a.star]
    if any(a.star == "*" for a in stars):
        raise ctx.unsupported(f"*args cannot be matched to {ctx.entry.name}'s parameters")
    if len(stars) > 1:
        raise ctx.unsupported("more than one **mapping: merge them into one dict")
    written = as_keywords(ctx.entry, [a for a in ctx.call.args if not a.star])
    sampler = next((a for a in written if a.keyword.value == "sampler"), None)
    if sampler is not None and not is_literal(sampler.value, None):
        raise ctx.unsupported("sampler= next to **kwargs: the batch sampler it becomes takes the batch size, "
                              "drop_last and shuffle, which the mapping may hold: write them all out")
    star = stars[0]
    index = ctx.call.args.index(star)  # the mapping keeps its place among the keywords
    before = sum(1 for a in ctx.call.args[:index] if not a.star)
    args = [*written[:before], star, *written[before:]]
    return rebuild(ctx, ctx.render(ctx.entry.target), ctx.map_args(args))


def _or_dataset(ctx, args, sampler, batch_sampler, shuffle, batch_size, drop_last) -> cst.BaseExpression:
    dataset = next((a.value for a in args if a.keyword.value == "dataset"), None)
    if not isinstance(sampler, cst.Name) or dataset is None or not is_simple(dataset):
        raise ctx.unsupported("shuffle= computed at run time next to sampler=: pass the sampler and the dataset by name")
    own = cst.Call(
        func=ctx.render("paddle.io.BatchSampler"),
        args=_commas([keyword("dataset", dataset), keyword("shuffle", shuffle), keyword("batch_size", batch_size),
                      *drop_last]),
    )
    test = cst.Comparison(left=sampler, comparisons=[cst.ComparisonTarget(operator=cst.IsNot(), comparator=cst.Name("None"))])
    space = cst.SimpleWhitespace(" ")
    body = batch_sampler.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()]) if isinstance(batch_sampler, cst.IfExp) else batch_sampler
    return cst.IfExp(test=test, body=body, orelse=own, whitespace_before_if=space, whitespace_after_if=space,
                     whitespace_before_else=space, whitespace_after_else=space)


def _batch_sampler(ctx, sampler, original, batch_size, drop_last) -> cst.BaseExpression:
    distributed = ctx.render("paddle.io.DistributedBatchSampler")
    plain = cst.Call(
        func=ctx.render("paddle.io.BatchSampler"),
        args=_commas([keyword("sampler", sampler), keyword("batch_size", batch_size), *drop_last]),
    )
    if _is_distributed(ctx, original):  # converted already: DistributedBatchSampler(ds, ..., batch_size=1)
        args = _with_keyword(sampler, "batch_size", batch_size)
        for arg in drop_last:
            args = [a for a in args if not (a.keyword is not None and a.keyword.value == "drop_last")] + [arg]
        return sampler.with_changes(args=_commas(args))
    if not any(_is_distributed(ctx, v) for v in ctx.bound_values(original)):
        return plain
    if not isinstance(sampler, cst.Name):
        raise ctx.unsupported("a DistributedSampler passed through an expression: pass it by name")
    rebuilt = cst.Call(
        func=distributed,
        args=_commas([
            cst.Arg(value=_attr(sampler, "dataset")),
            keyword("batch_size", batch_size),
            keyword("num_replicas", _attr(sampler, "nranks")),
            keyword("rank", _attr(sampler, "local_rank")),
            keyword("shuffle", _attr(sampler, "shuffle")),
            *drop_last,
        ]),
    )
    space = cst.SimpleWhitespace(" ")
    test = cst.Call(func=cst.Name("isinstance"), args=_commas([cst.Arg(value=sampler), cst.Arg(value=distributed)]))
    return cst.IfExp(
        test=test, body=rebuilt, orelse=plain,
        whitespace_before_if=space, whitespace_after_if=space, whitespace_before_else=space, whitespace_after_else=space,
    )


def _commas(args: list[cst.Arg]) -> list[cst.Arg]:
    comma = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    return [a.with_changes(comma=comma) for a in args[:-1]] + [a.with_changes(comma=cst.MaybeSentinel.DEFAULT) for a in args[-1:]]
