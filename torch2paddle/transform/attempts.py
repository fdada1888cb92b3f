"""One rewrite's side effects, held until it succeeds: a refusal leaves nothing to undo.

A rewrite renders Paddle names (which the import pass must then import), may add a statement after its
line, write per-function scratch state, need the run-time module's keyword adapter or one of its helpers.
All of that goes into the open attempt; ``_attempt`` commits it when the rewrite returns and drops it when
the rewrite raises ``UnsupportedUse`` (the caller then records the refusal). So a rewrite may do its work in
any order, and no call site snapshots or restores anything.
"""

from __future__ import annotations

import copy
from contextlib import contextmanager
from dataclasses import dataclass, field

import libcst as cst


@dataclass
class Attempt:
    """What one rewrite asked for, committed only if it succeeds."""

    statements: list[cst.BaseSmallStatement] = field(default_factory=list)  # to add after the current line
    scope_state: dict = field(default_factory=dict)  # the function's scratch state, as the rewrite leaves it
    runtime_apis: set[str] = field(default_factory=set)  # entries whose **kwargs the run-time adapter translates
    helpers_used: bool = False  # a call of a run-time helper was written


class Attempts:
    """The transformer's side of attempts: ``with self._attempt(): ...`` around every rewrite it runs."""

    @contextmanager
    def _attempt(self):
        state = self._scope_state[-1]
        attempt = Attempt(scope_state=copy.deepcopy(state) if state else {})
        self._attempts.append(attempt)
        self.output.begin()
        try:
            yield attempt
        except BaseException:
            self.output.end(commit=False)
            raise
        else:
            self.output.end(commit=True)
            self._commit(attempt)
        finally:
            self._attempts.pop()

    def _commit(self, attempt: Attempt) -> None:
        if self._attempts[-1] is not attempt:  # popped below by _attempt's finally; the outer one takes it
            raise AssertionError("attempts commit innermost first")
        outer = self._attempts[-2] if len(self._attempts) > 1 else None
        if outer is not None:
            outer.statements.extend(attempt.statements)
            outer.scope_state = attempt.scope_state
            outer.runtime_apis |= attempt.runtime_apis
            outer.helpers_used |= attempt.helpers_used
            return
        if attempt.statements:
            self._after[-1].extend(attempt.statements)
        self._scope_state[-1] = attempt.scope_state
        self._pending_runtime = attempt.runtime_apis
        self._helpers_used |= attempt.helpers_used
