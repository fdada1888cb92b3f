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
"""

from __future__ import annotations

import libcst as cst

from . import call_rewrite
from ._support import as_keywords, rebuild, is_literal, keyword, take

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
    args = as_keywords(ctx.entry, ctx.call.args)
    originals = {a.keyword.value: a for a in as_keywords(ctx.entry, ctx.original.args)}
    sampler = take(args, "sampler")
    if sampler is not None and not is_literal(sampler.value, None):
        if "batch_sampler" in originals:
            raise ctx.unsupported("sampler= and batch_sampler= together (torch refuses them too)")
        shuffle = take(args, "shuffle")
        if shuffle is not None and not is_literal(shuffle.value, None, False):
            raise ctx.unsupported("shuffle=True with a sampler (torch refuses it too)")
        size = take(args, "batch_size")
        batch_size = size.value if size is not None else cst.Integer("1")
        if is_literal(batch_size, None):
            raise ctx.unsupported("batch_size=None (no automatic batching) has no Paddle equivalent")
        drop = take(args, "drop_last")
        drop_last = [keyword("drop_last", drop.value)] if drop is not None else []
        args.append(keyword("batch_sampler", _batch_sampler(ctx, sampler.value, originals["sampler"].value,
                                                            batch_size, drop_last)))
    return rebuild(ctx, ctx.render(ctx.entry.target), ctx.map_args(args))


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
