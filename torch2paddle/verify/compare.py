"""A comparator that can be trusted (pure numpy, nothing global).

reprod_log 1.0.1 was measured to pass NaN, broadcast (2,1) against (1,3) to a
zero diff, silently transpose a transposed shape back, and add a handler to
the root logger on every report.  Here: NaN/Inf fail, shapes and dtypes must
match exactly, every key of the reference must be present, and the result is
a plain value.

Noise floors: where the torch side also ran the same computation in float64,
``|torch32 - torch64|`` is float32's own rounding error on this model.  A
difference of that size says nothing about the port, so a tolerance may allow
``noise_factor`` times that floor on top of its absolute part (see
``Tolerance.limit``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Tolerance:
    atol: float = 1e-5
    rtol: float = 0.0
    noise_factor: float = 0.0  # k: a difference within k x the float32 noise floor passes as well

    def limit(self, reference: np.ndarray, floor=None) -> np.ndarray:
        """The largest difference allowed at each element: max(atol + rtol*|ref|, k * floor).

        One rule, so that a wrong constant (an epsilon, a momentum) of a size float32 never produces on this
        model still fails: the floor is measured, not guessed, and k (10 by default) leaves room only for two
        float32 computations disagreeing a little more than one does with float64.
        """
        base = self.atol + self.rtol * np.abs(reference)
        if floor is None or not self.noise_factor:
            return base
        return np.maximum(base, self.noise_factor * np.asarray(floor, dtype=np.float64))

    def allows(self, diff: np.ndarray, reference: np.ndarray, floor=None) -> bool:
        return bool(np.all(diff <= self.limit(reference, floor)))

    def describe(self) -> str:
        text = f"atol={self.atol:g}" + (f", rtol={self.rtol:g}" if self.rtol else "")
        return f"max({text}, {self.noise_factor:g}x noise)" if self.noise_factor else text


def noise_floor(reference, reference64, *, trajectory: bool = False):
    """float32's own error on a compared value: max |torch32 - torch64| (one number per tensor).

    The per-tensor maximum, not the element's own difference: an element where float32 happens to land on
    the float64 value says nothing about how far a second float32 computation may land.  ``trajectory``
    (per-iteration losses): the running maximum up to each iteration, a floor that grows as a training run
    drifts and never shrinks back at an iteration where the two runs happen to cross.  None when the float64
    value is missing, of another shape, or not finite.
    """
    if reference64 is None:
        return None
    ref, ref64 = np.asarray(reference), np.asarray(reference64)
    if ref.shape != ref64.shape or ref.dtype == object or ref64.dtype == object:
        return None
    diff = np.abs(ref.astype(np.float64) - ref64.astype(np.float64))
    if not np.all(np.isfinite(diff)):
        return None
    if trajectory and diff.ndim == 1:
        return np.maximum.accumulate(diff) if diff.size else diff
    return float(diff.max()) if diff.size else 0.0


@dataclass
class KeyResult:
    key: str
    passed: bool
    max_abs: float = float("nan")
    mean_abs: float = float("nan")
    ref_scale: float = float("nan")
    problem: str | None = None
    noise: float | None = None  # the noise floor (its largest value), None without a float64 reference
    float32_noise: float | None = None  # max |torch32 - torch64| (where a kink floor was measured too)
    kink_noise: float | None = None  # max |torch64 - torch64 with kinks' derivatives at shifted inputs|
    usage: float = 0.0  # max(diff / allowed difference): above 1 fails

    @property
    def noise_ratio(self) -> float | None:
        """Worst difference in units of the noise floor ("3.1x float32 noise")."""
        if self.noise is None or self.problem:
            return None
        return self.max_abs / self.noise if self.noise > 0 else (0.0 if self.max_abs == 0 else float("inf"))

    @property
    def sensitive(self) -> bool:
        """The kink floor set the threshold: a kink/threshold within float32 rounding moves this value."""
        return (self.kink_noise is not None and self.float32_noise is not None
                and self.kink_noise > self.float32_noise)

    def line(self) -> str:
        status = "passed" if self.passed else "FAILED"
        if self.problem:
            return f"{self.key}: {status}: {self.problem}"
        noise = "" if self.noise is None else f", float32 noise floor {self.noise:.3e} ({self.noise_ratio:.3g}x)"
        if self.kink_noise is not None and self.float32_noise is not None:
            noise += (f" [floors: |torch32 - torch64| {self.float32_noise:.3e}, kink {self.kink_noise:.3e}"
                      + ("; sensitive: a kink/threshold within float32 rounding" if self.sensitive else "") + "]")
        return (f"{self.key}: {status}: max abs diff {self.max_abs:.3e}, mean abs diff {self.mean_abs:.3e}, "
                f"reference mean |x| {self.ref_scale:.3e}{noise}")


@dataclass
class Comparison:
    keys: list[KeyResult] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return bool(self.keys) and all(k.passed for k in self.keys)

    @property
    def worst(self) -> KeyResult | None:
        """The first failure with a problem, else the key nearest its limit (keys differ in scale)."""
        finite = [k for k in self.keys if k.problem is None]
        failed = [k for k in self.keys if not k.passed]
        if failed:
            return failed[0] if failed[0].problem else max(failed, key=lambda k: (k.usage, k.max_abs))
        return max(finite, key=lambda k: (k.usage, k.max_abs)) if finite else None


def _dtype_kind(array: np.ndarray) -> str:
    return str(array.dtype)


def _usage(diff: np.ndarray, limit: np.ndarray) -> float:
    """The largest share of its allowed difference any element uses (inf where nothing was allowed)."""
    if not diff.size:
        return 0.0
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(diff == 0, 0.0, diff / np.broadcast_to(limit, diff.shape))
    return float(share.max())


def compare_arrays(key: str, reference, actual, tolerance: Tolerance, floor=None) -> KeyResult:
    ref, act = np.asarray(reference), np.asarray(actual)
    if ref.shape != act.shape:
        return KeyResult(key, False, problem=f"shape {act.shape} != reference {ref.shape}")
    if _dtype_kind(ref) != _dtype_kind(act):
        return KeyResult(key, False, problem=f"dtype {act.dtype} != reference {ref.dtype}")
    if ref.dtype == object or act.dtype == object:
        return KeyResult(key, False, problem="object arrays cannot be compared")
    if ref.dtype == bool:
        ref, act = ref.astype(np.int8), act.astype(np.int8)
    ref64, act64 = ref.astype(np.float64), act.astype(np.float64)
    for name, values in (("reference", ref64), ("result", act64)):
        if not np.all(np.isfinite(values)):
            return KeyResult(key, False, problem=f"{name} holds NaN or Inf")
    diff = np.abs(ref64 - act64)
    max_abs = float(diff.max()) if diff.size else 0.0
    mean_abs = float(diff.mean()) if diff.size else 0.0
    scale = float(np.abs(ref64).mean()) if ref64.size else 0.0
    limit = tolerance.limit(ref64, floor)
    noise = None if floor is None else (float(np.max(floor)) if np.size(floor) else 0.0)
    return KeyResult(key, bool(np.all(diff <= limit)), max_abs, mean_abs, scale, noise=noise,
                     usage=_usage(diff, limit))


def kink_floor(reference64, kinks64, *, trajectory: bool = False):
    """The kink floor: max |torch64 - torch64 with each kinked activation's derivative taken at an input shifted
    by float32's noise there| (a running maximum when ``trajectory``); None without that record."""
    return noise_floor(reference64, kinks64, trajectory=trajectory)


def compare_records(reference: dict, actual: dict, tolerance: Tolerance, keys: list[str] | None = None,
                    float64: dict | None = None, trajectory: bool = False, kinks: dict | None = None) -> Comparison:
    """Compare two reprod_log-style records key by key (the reference decides the keys).

    ``float64``: the torch side's record of the same computation in float64; each key found there gets its
    noise floor (``noise_floor``, a running one when ``trajectory``). ``kinks``: the torch side's float64 run
    with kinks' derivatives at float32-noise-shifted inputs; the floor is then the larger of the two
    (``kink_floor``), and the key says which set it.
    """
    result = Comparison()
    for key in keys if keys is not None else list(reference):
        if key not in reference:
            result.keys.append(KeyResult(key, False, problem="missing in the reference record"))
        elif key not in actual:
            result.keys.append(KeyResult(key, False, problem="missing in the converted side's record"))
        else:
            floor = noise_floor(reference[key], (float64 or {}).get(key), trajectory=trajectory)
            kink = None
            if floor is not None and kinks is not None:
                kink = kink_floor(float64[key], kinks.get(key), trajectory=trajectory)
            if kink is not None:
                float32_floor = floor
                floor = np.maximum(floor, kink) if trajectory else max(floor, kink)
            compared = compare_arrays(key, reference[key], actual[key], tolerance, floor)
            if kink is not None:
                compared.float32_noise = float(np.max(float32_floor)) if np.size(float32_floor) else 0.0
                compared.kink_noise = float(np.max(kink)) if np.size(kink) else 0.0
            result.keys.append(compared)
    extra = sorted(set(actual) - set(reference))
    if extra and keys is None:
        result.keys.append(KeyResult(", ".join(extra), False, problem="keys only in the converted side's record"))
    return result


def compare_init_stats(reference: dict, actual: dict, rel: float = 0.1) -> Comparison:
    """Per-parameter [mean, std, size] from fresh models: equal sizes, means and stds within sampling error.

    The standard error of a mean of n draws with std s is s/sqrt(n); of a
    std, about s/sqrt(2n).  Allow 5 standard errors plus ``rel`` of the std,
    so a different distribution (Xavier vs kaiming, zero vs uniform bias) fails
    while two draws of the same one pass.
    """
    result = Comparison()
    for key in reference:
        if key not in actual:
            result.keys.append(KeyResult(key, False, problem="parameter missing in the converted model"))
            continue
        (m_ref, s_ref, n_ref), (m_act, s_act, n_act) = np.asarray(reference[key]), np.asarray(actual[key])
        if int(n_ref) != int(n_act):
            result.keys.append(KeyResult(key, False, problem=f"size {int(n_act)} != reference {int(n_ref)}"))
            continue
        n = max(1.0, float(n_ref))
        mean_tol = 5 * s_ref / np.sqrt(n) + 1e-7
        std_tol = 5 * s_ref / np.sqrt(2 * n) + rel * s_ref + 1e-7
        d_mean, d_std = abs(m_ref - m_act), abs(s_ref - s_act)
        passed = bool(d_mean <= mean_tol and d_std <= std_tol)
        problem = None if passed else (
            f"mean {m_act:.4g} vs {m_ref:.4g} (tolerance {mean_tol:.2g}), std {s_act:.4g} vs {s_ref:.4g} "
            f"(tolerance {std_tol:.2g})")
        result.keys.append(KeyResult(key, passed, max(d_mean, d_std), (d_mean + d_std) / 2, abs(s_ref), problem))
    for key in sorted(set(actual) - set(reference)):
        result.keys.append(KeyResult(key, False, problem="parameter only in the converted model"))
    return result
