"""torch functions and tensor methods Paddle has no counterpart of, composed of Paddle ops, for the generated
run-time module.

A table entry whose target is ``_torch2paddle_runtime.<name>`` names a function defined below (a tensor
method's entry receives the tensor as the first argument). Each is torch's semantics written in Paddle ops
where no single expression says it: ``torch.fmod`` (C-style remainder: Paddle's ``mod`` is Python's floor
remainder), ``torch.std_mean`` (one call, a pair) and the like. Every function carries a differential example in
its table entry.

Everything below the ``COPIED`` line is copied verbatim into ``_torch2paddle_runtime.py``
(``runtime.module_source``) when a converted file uses one of the functions defined there. Like the rest of that
module it imports nothing but the standard library when it is imported: Paddle is imported inside the functions.
"""

# ---- COPIED into _torch2paddle_runtime.py from here on (torch2paddle/runtime_math.py) ----

# -- torch's type promotion (c10 promoteTypes / at::native::result_type), for the functions below that take
# two operands: Paddle's operators refuse int-with-float tensor pairs and its functions take no Python numbers.
_MATH_CATEGORY = {"bool": 0, "uint8": 1, "int8": 1, "int16": 1, "int32": 1, "int64": 1,
                  "float16": 2, "bfloat16": 2, "float32": 2, "float64": 2, "complex64": 3, "complex128": 3}
_MATH_BITS = {"bool": 1, "uint8": 8, "int8": 8, "int16": 16, "int32": 32, "int64": 64, "float16": 16,
              "bfloat16": 16, "float32": 32, "float64": 64, "complex64": 64, "complex128": 128}


def _math_dtype_name(dtype):
    """'float32' for paddle.float32 (whatever Paddle's dtype object), or a numpy/str dtype."""
    return str(dtype).replace("paddle.", "").replace("torch.", "")


def _math_promote_names(a, b):
    """torch.promote_types on dtype names."""
    if a == b:
        return a
    ca, cb = _MATH_CATEGORY[a], _MATH_CATEGORY[b]
    if ca != cb:
        high, low = (a, b) if ca > cb else (b, a)
        if _MATH_CATEGORY[high] == 3 and _MATH_CATEGORY[low] == 2 and low == "float64":
            return "complex128"  # complex64 with float64 keeps the float64 precision
        return high
    if ca == 1 and "uint8" in (a, b):  # uint8 with a signed type needs the next signed size
        other = b if a == "uint8" else a
        return "int16" if other == "int8" else other
    if {a, b} == {"float16", "bfloat16"}:
        return "float32"
    return a if _MATH_BITS[a] > _MATH_BITS[b] else b


def _math_result_name(*operands):
    """torch.result_type over tensors and Python numbers: dimensioned tensors outrank 0-d tensors, which
    outrank Python numbers, unless a lower tier holds a higher category (int < float < complex)."""
    import paddle
    tiers = [None, None, None]  # dimensioned, zero-dim, Python number
    for value in operands:
        if isinstance(value, paddle.Tensor):
            tier, name = (0 if value.ndim else 1), _math_dtype_name(value.dtype)
        elif isinstance(value, bool):
            tier, name = 2, "bool"
        elif isinstance(value, int):
            tier, name = 2, "int64"
        elif isinstance(value, float):
            tier, name = 2, _math_dtype_name(paddle.get_default_dtype())
        elif isinstance(value, complex):
            tier, name = 2, "complex128" if _math_dtype_name(paddle.get_default_dtype()) == "float64" else "complex64"
        else:
            raise TypeError(f"expected a Tensor or a number, got {type(value).__name__}")
        tiers[tier] = name if tiers[tier] is None else _math_promote_names(tiers[tier], name)

    def combine(higher, lower):
        if higher is None:
            return lower
        if lower is None:
            return higher
        ch, cl = _MATH_CATEGORY[higher], _MATH_CATEGORY[lower]
        if ch == 3:
            return higher
        if cl == 3:
            return ("complex128" if higher == "float64" else "complex64") if ch == 2 else lower
        if ch == 2:
            return higher
        if higher == "bool" or cl == 2:
            return _math_promote_names(higher, lower)
        return higher
    return combine(tiers[0], combine(tiers[1], tiers[2]))


def _math_as_tensors(*operands, floating=False):
    """The operands as Paddle tensors of torch's result dtype (the default float dtype for an integer result when
    ``floating``), and that dtype's name."""
    import paddle
    name = _math_result_name(*operands)
    if floating and _MATH_CATEGORY[name] < 2:
        name = _math_dtype_name(paddle.get_default_dtype())
    out = [v.astype(name) if isinstance(v, paddle.Tensor) else paddle.to_tensor(v, dtype=name) for v in operands]
    return out, name


def fmod(input, other):
    """torch.fmod: the C remainder, with the sign of the dividend.  Paddle's remainder (and ``%``) is floored, with
    the sign of the divisor; on magnitudes the two agree exactly, so the sign is put back afterwards."""
    import paddle
    (x, y), name = _math_as_tensors(input, other)
    if _MATH_CATEGORY[name] == 1 and bool((y == 0).any()):
        raise ZeroDivisionError("torch.fmod: integer division by zero")
    if name in ("uint8", "int8", "int16", "float16", "bfloat16"):  # no CPU kernels: exact in the wider type
        wide = "int32" if _MATH_CATEGORY[name] == 1 else "float32"
        return fmod(x.astype(wide), y.astype(wide)).astype(name)
    magnitude = paddle.remainder(paddle.abs(x), paddle.abs(y))
    if _MATH_CATEGORY[name] == 2:
        return paddle.copysign(magnitude, paddle.broadcast_to(x, magnitude.shape))  # fmod(-0.0, y) is -0.0
    return paddle.where(x < 0, -magnitude, magnitude)


def _math_var_mean(input, dim, unbiased, keepdim, correction, name):
    import paddle
    if isinstance(dim, bool):  # the legacy overload std_mean(input, unbiased)
        dim, unbiased = None, dim
    if unbiased is not None and correction is not None:
        raise TypeError(f"torch.{name}: pass unbiased or correction, not both")
    correction = (1 if unbiased in (None, True) else 0) if correction is None else correction
    if not (input.is_floating_point() or input.is_complex()):
        raise RuntimeError(f"torch.{name}: only floating point and complex dtypes are supported, got {input.dtype}")
    if isinstance(dim, int):
        dim = [dim]
    axes = list(range(input.ndim)) if dim is None or len(dim) == 0 else [d % max(input.ndim, 1) for d in dim]
    count = 1
    for axis in axes:
        count *= input.shape[axis] if input.ndim else 1
    mean = paddle.mean(input, axis=axes or None, keepdim=True)
    deviation = input - mean
    squares = paddle.abs(deviation) ** 2 if input.is_complex() else deviation * deviation
    var = paddle.sum(squares, axis=axes or None, keepdim=keepdim) / max(count - correction, 0)
    return var, (mean if keepdim else paddle.squeeze(mean, axis=axes) if axes else mean)


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """torch.var_mean: ``(var, mean)`` in one call, with torch's ``correction`` (any value: the sum of squared
    deviations over max(0, N - correction)).  Paddle has no such function and its var takes only unbiased."""
    return _math_var_mean(input, dim, unbiased, keepdim, correction, "var_mean")


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """torch.std_mean: ``(std, mean)`` in one call, as var_mean with the square root of the variance."""
    import paddle
    var, mean = _math_var_mean(input, dim, unbiased, keepdim, correction, "std_mean")
    return paddle.sqrt(var), mean


# -- torch.linalg and the old torch.* linear algebra (mappings/linalg_fft.yaml)
def _linalg_batch_broadcast(a, b):
    """``a`` [..., m, k] and ``b`` [..., m', k'] expanded to one batch shape (torch broadcasts the batch dimensions
    of its solvers; Paddle's lu_solve does not)."""
    import paddle
    batch = list(paddle.broadcast_shape(list(a.shape[:-2]), list(b.shape[:-2])))
    return a.expand(batch + list(a.shape[-2:])), b.expand(batch + list(b.shape[-2:])), batch


def _linalg_mh(x):
    """x.mH: the conjugate transpose of the last two dimensions."""
    import paddle
    x = paddle.linalg.matrix_transpose(x)
    return paddle.conj(x) if x.is_complex() else x


def linalg_eigvals(input):
    """torch.linalg.eigvals: paddle.linalg.eigvals orders the eigenvalues of a real matrix differently from torch;
    paddle.linalg.eig returns them in torch's (LAPACK geev's) order."""
    import paddle
    return paddle.linalg.eig(input)[0]


def linalg_lu(A, *, pivot=True):
    """torch.linalg.lu: ``(P, L, U)``; Paddle has the factorisation and the unpacking as two calls."""
    import paddle
    lu, pivots = paddle.linalg.lu(A, pivot=pivot)
    return paddle.linalg.lu_unpack(lu, pivots)


def linalg_lu_solve(LU, pivots, B, *, left=True, adjoint=False):
    """torch.linalg.lu_solve: solves A X = B (X A = B when ``left=False``, A^H for ``adjoint``) from
    ``lu_factor``'s result.  Paddle's lu_solve takes B first, names adjoint ``trans='C'``, has no ``left`` and
    gives NaN when the batch dimensions need broadcasting."""
    import paddle
    if not left:  # X A = B  <=>  A^H X^H = B^H
        return _linalg_mh(linalg_lu_solve(LU, pivots, _linalg_mh(B), left=True, adjoint=not adjoint))
    LU, B, batch = _linalg_batch_broadcast(LU, B)
    pivots = pivots.expand(batch + list(pivots.shape[-1:]))
    return paddle.linalg.lu_solve(B, LU, pivots, trans="C" if adjoint else "N")


def _linalg_inv_info(A):
    """torch.linalg.inv_ex's ``(inverse, info)``: LAPACK getrf's info, and getrs on the identity, as torch computes
    them (a singular matrix gives infinities and info > 0, where paddle.linalg.inv raises)."""
    import paddle
    lu, pivots, info = paddle.linalg.lu(A, get_infos=True)
    n = A.shape[-1]
    eye = paddle.eye(n, dtype=A.dtype).expand(list(A.shape[:-2]) + [n, n])
    return paddle.linalg.lu_solve(eye, lu, pivots), info


def linalg_inv_ex(A, *, check_errors=False):
    """torch.linalg.inv_ex: ``(inverse, info)`` with info > 0 for a singular matrix (Paddle's inv raises)."""
    import paddle
    inverse, info = _linalg_inv_info(A)
    if check_errors and bool((info > 0).any()):
        raise RuntimeError("torch.linalg.inv_ex: The diagonal element "
                           f"{int(info.flatten()[int(paddle.argmax((info > 0).astype('int32')))])} is zero, "
                           "the inversion could not be completed because the input matrix is singular.")
    return inverse, info


def linalg_solve_ex(A, B, *, left=True, check_errors=False):
    """torch.linalg.solve_ex: ``(result, info)`` from an LU factorisation, as torch computes it (Paddle's solve
    raises for a singular matrix).  B of shape [n] or [..., n] (A's shape less one n) is a vector, as torch reads it."""
    import paddle
    vector = B.ndim == 1 or (B.ndim == A.ndim - 1 and list(B.shape) == list(A.shape[:-1]))
    if not left:  # X A = B  <=>  A^T X^T = B^T
        A = paddle.linalg.matrix_transpose(A)
        B = B if vector else paddle.linalg.matrix_transpose(B)
    lu, pivots, info = paddle.linalg.lu(A, get_infos=True)
    if check_errors and bool((info > 0).any()):
        raise RuntimeError("torch.linalg.solve_ex: The solver failed because the input matrix is singular.")
    result = linalg_lu_solve(lu, pivots, B.unsqueeze(-1) if vector else B)
    if vector:
        return result.squeeze(-1), info
    return (result if left else paddle.linalg.matrix_transpose(result)), info


def linalg_cholesky_ex(input, *, upper=False, check_errors=False):
    """torch.linalg.cholesky_ex: ``(L, info)``.  Where Paddle's cholesky succeeds info is 0 everywhere; where it
    fails (a matrix that is not positive definite) Paddle raises and cannot give torch's partial factor and
    info > 0, so this raises too, naming that."""
    import paddle
    try:
        factor = paddle.linalg.cholesky(input, upper=upper)
    except (ValueError, RuntimeError) as error:
        raise RuntimeError("torch.linalg.cholesky_ex: a matrix is not positive definite; torch would return "
                           f"info > 0 here, Paddle's cholesky cannot ({error})") from None
    return factor, paddle.zeros(input.shape[:-2], dtype="int32")


def linalg_solve_triangular(input, B, *, upper, left=True, unitriangular=False):
    """torch.linalg.solve_triangular: A X = B (X A = B when ``left=False``).  Paddle's triangular_solve has no
    ``left``; its arguments are otherwise torch's."""
    import paddle
    if not left:  # X A = B  <=>  A^T X^T = B^T, and A^T is triangular on the other side
        return paddle.linalg.matrix_transpose(paddle.linalg.triangular_solve(
            paddle.linalg.matrix_transpose(input), paddle.linalg.matrix_transpose(B), upper=not upper,
            unitriangular=unitriangular))
    return paddle.linalg.triangular_solve(input, B, upper=upper, unitriangular=unitriangular)


def triangular_solve(input, A, upper=True, transpose=False, unitriangular=False):
    """torch.triangular_solve: ``(solution, cloned_coefficient)``; Paddle's returns the solution alone and takes
    the matrix first."""
    import paddle
    solution = paddle.linalg.triangular_solve(A, input, upper=upper, transpose=transpose, unitriangular=unitriangular)
    return solution, A.clone()


def linalg_cond(input, p=None):
    """torch.linalg.cond: Paddle's cond raises for a singular matrix with p in ('fro', 'nuc', inf, -inf, 1, -1),
    where torch gives inf (torch computes norm(A) * norm(inv(A)) with a singular matrix's inverse set to inf)."""
    import paddle
    if p is None or (not isinstance(p, str) and p in (2, -2)):
        return paddle.linalg.cond(input, p)
    inverse, info = _linalg_inv_info(input)
    inverse = paddle.where((info > 0).reshape(list(info.shape) + [1, 1]), paddle.full([], float("inf"), inverse.dtype),
                           inverse)
    return paddle.linalg.matrix_norm(input, p) * paddle.linalg.matrix_norm(inverse, p)


def linalg_vander(x, *, N=None):
    """torch.linalg.vander: [..., n, N] of increasing powers x^0 .. x^(N-1), an integer input giving int64 (torch
    takes a cumulative product).  paddle.vander is 1-D only."""
    import paddle
    n = x.shape[-1] if x.ndim else 1
    N = n if N is None else N
    if N <= 1:
        raise RuntimeError("N must be greater than 1.")
    if not x.is_floating_point() and not x.is_complex():
        if x.dtype == paddle.bool:
            raise RuntimeError("linalg.vander supports floating point, complex, and integer tensors, but got Bool")
        x = x.astype("int64")
    ones = paddle.ones(list(x.shape) + [1], dtype=x.dtype)
    powers = paddle.cumprod(x.unsqueeze(-1).expand(list(x.shape) + [N - 1]), dim=-1)
    return paddle.concat([ones, powers], axis=-1)


def linalg_tensorinv(input, ind=2):
    """torch.linalg.tensorinv: the inverse of A read as a [prod(shape[:ind]), prod(shape[ind:])] matrix, shaped
    shape[ind:] + shape[:ind]."""
    import math
    import paddle
    if ind <= 0:
        raise RuntimeError(f"Expected a strictly positive integer for 'ind', but got {ind}")
    rows, cols = list(input.shape[:ind]), list(input.shape[ind:])
    inverse = paddle.linalg.inv(input.reshape([math.prod(rows), math.prod(cols)]))
    return inverse.reshape(cols + rows)


def linalg_tensorsolve(input, other, dims=None):
    """torch.linalg.tensorsolve: X with tensordot(A, X, X.ndim) == B (dims of A moved to the end first)."""
    import math
    import paddle
    A, B = input, other
    if dims is not None:
        dims = [d % A.ndim for d in dims]
        A = paddle.moveaxis(A, dims, list(range(A.ndim - len(dims), A.ndim)))
    result_shape = list(A.shape[B.ndim:])
    n = math.prod(result_shape)
    solution = paddle.linalg.solve(A.reshape([-1, n]), B.reshape([-1, 1]))
    return solution.reshape(result_shape)


def svd(input, some=True, compute_uv=True):
    """torch.svd: ``(U, S, V)`` with V itself (Paddle, like torch.linalg.svd, returns V^H), reduced matrices when
    ``some`` (Paddle: full_matrices=not some) and, without ``compute_uv``, zero-filled full-size U and V."""
    import paddle
    if not compute_uv:
        m, n = input.shape[-2], input.shape[-1]
        batch = list(input.shape[:-2])
        zeros = paddle.zeros(batch + [m, m], dtype=input.dtype), paddle.zeros(batch + [n, n], dtype=input.dtype)
        return zeros[0], paddle.linalg.svdvals(input), zeros[1]
    u, s, vh = paddle.linalg.svd(input, full_matrices=not some)
    return u, s, _linalg_mh(vh)


# -- torch.Tensor methods (mappings/tensor_methods.yaml) and the torch.* functions of the same name: a method's
# receiver is ``input``.
def adjoint(input):
    """torch.adjoint, Tensor.adjoint() and Tensor.mH: the last two dims swapped, conjugated for a complex tensor.
    Paddle has no adjoint."""
    if input.ndim < 2:
        raise RuntimeError("tensor.adjoint() is only supported on matrices or batches of matrices. "
                           f"Got {input.ndim}-D tensor.")
    return _linalg_mh(input)


def H(input):
    """Tensor.H: the conjugate transpose of a matrix (a 0-d tensor is itself; torch refuses other ranks)."""
    if input.ndim == 0:
        return input
    if input.ndim != 2:
        raise RuntimeError(f"tensor.H is only supported on matrices (2-D tensors). Got {input.ndim}-D tensor.")
    return _linalg_mh(input)


def aminmax(input, *, dim=None, keepdim=False):
    """torch.aminmax / Tensor.aminmax: ``(min, max)`` in one call; Paddle has amin and amax apart."""
    import paddle
    return paddle.amin(input, axis=dim, keepdim=keepdim), paddle.amax(input, axis=dim, keepdim=keepdim)


def logdet(input):
    """torch.logdet: log(det(input)) from slogdet, as torch computes it: NaN for a negative determinant, -inf for
    a zero one (the log of Paddle's det under- or overflows for large matrices)."""
    import paddle
    if input.is_complex():
        return paddle.log(paddle.linalg.det(input))
    result = paddle.linalg.slogdet(input)
    sign, logabs = result[0], result[1]
    return paddle.where(sign < 0, paddle.full_like(logabs, float("nan")), logabs)


def _math_scaled_sum(input, product, beta, alpha):
    """beta * input + alpha * product, where beta == 0 ignores input (its NaNs and infinities too), as torch's
    addmm family does."""
    if alpha != 1:
        product = product * alpha
    if beta == 0:
        return product
    return product + (input if beta == 1 else input * beta)


def addmv(input, mat, vec, *, beta=1, alpha=1):
    """torch.addmv / Tensor.addmv: beta * input + alpha * (mat @ vec).  Paddle has no addmv (and no integer mv)."""
    import paddle
    return _math_scaled_sum(input, paddle.matmul(mat, vec), beta, alpha)


def addr(input, vec1, vec2, *, beta=1, alpha=1):
    """torch.addr / Tensor.addr: beta * input + alpha * outer(vec1, vec2).  Paddle has no addr."""
    import paddle
    return _math_scaled_sum(input, paddle.outer(vec1, vec2), beta, alpha)


def addbmm(input, batch1, batch2, *, beta=1, alpha=1):
    """torch.addbmm / Tensor.addbmm: beta * input + alpha * (the sum over the batch of batch1[i] @ batch2[i]), as
    one matmul of the batches laid side by side.  Paddle has no addbmm."""
    import paddle
    b, n, m = batch1.shape
    rows = paddle.transpose(batch1, [1, 0, 2]).reshape([n, b * m])
    return _math_scaled_sum(input, paddle.matmul(rows, batch2.reshape([b * m, batch2.shape[-1]])), beta, alpha)


def xlogy(input, other):
    """torch.xlogy / special.xlogy / Tensor.xlogy: input * log(other), 0 where input is 0 (unless other is NaN).
    Paddle has no xlogy; integer operands compute in the default float dtype, as in torch."""
    import paddle
    (x, y), _ = _math_as_tensors(input, other, floating=True)
    product = x * paddle.log(y)
    return paddle.where((x == 0) & ~paddle.isnan(y), paddle.zeros_like(product), product)


def float_power(input, exponent):
    """torch.float_power / Tensor.float_power: the power computed in float64 (complex128 for a complex operand),
    whatever the operands' dtypes.  Paddle has no float_power."""
    import paddle
    is_complex = any(isinstance(v, complex) or (isinstance(v, paddle.Tensor) and v.is_complex())
                     for v in (input, exponent))
    name = "complex128" if is_complex else "float64"
    base, power = (v.astype(name) if isinstance(v, paddle.Tensor) else paddle.to_tensor(v, dtype=name)
                   for v in (input, exponent))
    return paddle.pow(base, power)


def select(input, dim, index):
    """torch.select / Tensor.select: the slice at ``index`` along ``dim``, that dim removed.  Paddle has no select;
    its basic indexing gives the same view (writes through it reach ``input``, as in torch)."""
    if input.ndim == 0:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    if not -input.ndim <= dim < input.ndim:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-input.ndim}, {input.ndim - 1}], "
                         f"but got {dim})")
    return input[(slice(None),) * (dim % input.ndim) + (int(index),)]


def sum_to_size(input, *sizes, size=None):
    """Tensor.sum_to_size: the sum over the dims that broadcasting ``size`` to input's shape expands (the leading
    ones and those of size 1), shaped ``size`` (given as ints, one sequence, or torch's ``size=`` keyword).
    Paddle has no sum_to_size."""
    import paddle
    if size is not None:
        sizes = (size,)
    shape = list(sizes[0]) if len(sizes) == 1 and not isinstance(sizes[0], int) else list(sizes)
    lead = input.ndim - len(shape)
    if lead < 0 or any(s not in (1, n) for s, n in zip(shape, input.shape[lead:])):
        raise RuntimeError(f"size {shape} is not expandable to size {list(input.shape)}.")
    axes = list(range(lead)) + [lead + i for i, s in enumerate(shape) if s == 1 and input.shape[lead + i] != 1]
    if not axes:
        return input
    return paddle.sum(input, axis=axes, keepdim=True).reshape(shape)


def index_copy(input, dim, index, source):
    """torch.index_copy / Tensor.index_copy: a copy of input with the slices of ``source`` written at ``index``
    along ``dim``.  Paddle's scatter writes along the first dim, so ``dim`` is moved there and back."""
    import paddle
    if input.ndim == 0:
        return index_copy(input.reshape([1]), 0, index, source.reshape([1])).reshape([])
    dim = dim % input.ndim
    rows = paddle.moveaxis(source, dim, 0) if source.ndim else source.reshape([1])
    out = paddle.scatter(paddle.moveaxis(input, dim, 0), index.reshape([-1]), rows, overwrite=True)
    return paddle.moveaxis(out, 0, dim)


def nonzero_static(input, *, size, fill_value=-1):
    """torch.nonzero_static / Tensor.nonzero_static: nonzero's [n, ndim] indices cut or padded with
    ``fill_value`` to ``size`` rows.  Paddle has no nonzero_static."""
    import paddle
    if input.ndim == 0:
        return paddle.zeros([size, 0], dtype="int64")
    indices = paddle.nonzero(input)
    count = indices.shape[0]
    if count >= size:
        return indices[:size]
    return paddle.concat([indices, paddle.full([size - count, input.ndim], fill_value, dtype=indices.dtype)])


def transpose_(input, dim0, dim1):
    """Tensor.transpose_ / swapaxes_ / swapdims_: two dims swapped in place, returning the tensor.  Paddle's
    transpose_ takes the whole permutation."""
    if input.ndim == 0:
        if dim0 not in (0, -1) or dim1 not in (0, -1):
            raise IndexError("Dimension out of range (expected to be in range of [-1, 0])")
        return input
    perm = list(range(input.ndim))
    perm[dim0], perm[dim1] = perm[dim1], perm[dim0]
    input.transpose_(perm)
    return input


def is_signed(input):
    """torch.is_signed / Tensor.is_signed: whether the dtype holds negative values (not bool, not uint8)."""
    import paddle
    return input.dtype not in (paddle.bool, paddle.uint8)


def is_nonzero(input):
    """torch.is_nonzero / Tensor.is_nonzero: whether a one-element tensor is not 0 (torch refuses any other size)."""
    if input.size == 0:
        raise RuntimeError("Boolean value of Tensor with no values is ambiguous")
    if input.size > 1:
        raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
    return bool(input.reshape([]) != 0)


def is_same_size(input, other):
    """torch.is_same_size / Tensor.is_same_size: whether the two shapes are equal."""
    return list(input.shape) == list(other.shape)


def is_conj(input):
    """Tensor.is_conj / torch.is_conj: torch's lazy-conjugation bit.  A real tensor never has it; Paddle has no such
    bit, and for a complex tensor torch's answer depends on how the tensor was made, so that case raises."""
    if input.is_complex():
        raise NotImplementedError("is_conj() of a complex tensor: Paddle has no lazy conjugation bit (its conj is "
                                  "always computed); drop the check")
    return False


def logaddexp(input, other):
    """torch.logaddexp / Tensor.logaddexp: log(exp(input) + exp(other)) as torch computes it: the larger operand
    plus log1p(exp(-|input - other|)), and the operand itself where both are the same infinity (Paddle's
    logaddexp gives NaN there)."""
    import paddle
    (x, y), _ = _math_as_tensors(input, other)
    larger = paddle.maximum(x, y)
    out = larger + paddle.log1p(paddle.exp(-paddle.abs(x - y)))
    return paddle.where(paddle.isinf(x) & (x == y), x, out)


def narrow_copy(input, dim, start, length):
    """torch.narrow_copy / Tensor.narrow_copy: a copy of ``length`` elements from ``start`` (negative: counted from
    the end) along ``dim``.  Paddle has no narrow_copy."""
    import paddle
    if not -input.ndim <= dim < input.ndim:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-input.ndim}, {input.ndim - 1}], "
                         f"but got {dim})")
    dim %= input.ndim
    size = input.shape[dim]
    start = start + size if start < 0 else start
    if not 0 <= start <= size or not 0 <= length <= size - start:
        raise IndexError(f"start ({start}) + length ({length}) exceeds dimension size ({size}).")
    return paddle.slice(input, axes=[dim], starts=[start], ends=[start + length]).clone()


def new(input, *args):
    """Tensor.new (the legacy constructor): a tensor of input's dtype.  No argument: an empty one; ints or one
    Size (a shape, ``x.new(y.size())``): an uninitialised one of that shape; one sequence: that data; a tensor of
    input's dtype: that tensor.  torch decides by the arguments' types when it runs, and so does this."""
    import paddle
    if all(isinstance(a, int) and not isinstance(a, bool) for a in args):
        return paddle.empty(list(args) or [0], dtype=input.dtype)
    if len(args) == 1 and isinstance(args[0], getattr(paddle, "Size", ())):
        return paddle.empty(list(args[0]), dtype=input.dtype)
    if len(args) == 1 and isinstance(args[0], paddle.Tensor):
        if args[0].dtype != input.dtype:
            raise TypeError(f"new(): expected a tensor of dtype {input.dtype}, got {args[0].dtype}")
        return args[0]
    if len(args) == 1 and not isinstance(args[0], (bool, int, float, complex, str)):
        return paddle.to_tensor(args[0], dtype=input.dtype)
    raise TypeError(f"new(): expected ints, a size or a sequence of data, got {[type(a).__name__ for a in args]}")


def igamma(input, other):
    """Tensor.igamma (torch.igamma converts statically): the regularised lower incomplete gamma function.  The
    operands are broadcast first: Paddle's gammainc gives wrong values for operands of different shapes."""
    import paddle
    return paddle.gammainc(*paddle.broadcast_tensors([input, other]))


def igammac(input, other):
    """Tensor.igammac: the regularised upper incomplete gamma function (the operands broadcast, as igamma)."""
    import paddle
    return paddle.gammaincc(*paddle.broadcast_tensors([input, other]))


def index_reduce(input, dim, index, source, reduce, *, include_self=True):
    """torch.index_reduce / Tensor.index_reduce: the slices of ``source`` reduced ('prod', 'mean', 'amax' or
    'amin') into input at ``index`` along ``dim``.  Paddle has no index_reduce; its put_along_axis reduces the
    same way with the index spread over source's shape."""
    import paddle
    if reduce not in ("prod", "mean", "amax", "amin"):
        raise RuntimeError(f"index_reduce(): Expected reduce to be one of prod, mean, amax or amin but got {reduce}.")
    if input.ndim == 0:
        return index_reduce(input.reshape([1]), 0, index, source.reshape([1]), reduce,
                            include_self=include_self).reshape([])
    dim = dim % input.ndim
    shape = [1] * source.ndim
    shape[dim] = -1
    spread = index.reshape(shape).expand(source.shape)
    return paddle.put_along_axis(input, spread, source, axis=dim, reduce="mul" if reduce == "prod" else reduce,
                                 include_self=include_self, broadcast=False)


# -- torch.* and torch.special.* functions Paddle has no counterpart of (mappings/creation_math.yaml)
def _math_floating(input):
    """input as a floating tensor: integers and bools in the default float dtype, as torch's unary float ops."""
    (x,), name = _math_as_tensors(input, floating=True)
    return x, name


def exp2(input):
    """torch.exp2 / special.exp2: 2 ** input (integers give the default float dtype).  Paddle has no exp2."""
    import paddle
    x, _ = _math_floating(input)
    return paddle.pow(paddle.full_like(x, 2.0), x)


def erfc(input):
    """torch.erfc / special.erfc: the complementary error function, accurate in the tails where 1 - erf(x)
    rounds to 0 (erfc(5) is 1.5e-12): the regularized upper incomplete gamma Q(1/2, x**2), mirrored for x < 0.
    Paddle has no erfc."""
    import paddle
    x, name = _math_floating(input)
    if name in ("float16", "bfloat16"):  # no CPU kernels for the half types
        return erfc(x.astype("float32")).astype(name)
    square = x * x
    finite = paddle.isfinite(square)  # gammaincc refuses NaN and gives NaN at inf (erfc(+-inf) is 0 or 2)
    tail = paddle.gammaincc(paddle.full_like(x, 0.5), paddle.where(finite, square, paddle.zeros_like(x)))
    tail = paddle.where(finite, tail, paddle.zeros_like(tail))
    return paddle.where(paddle.isnan(x), x, paddle.where(x < 0, 2 - tail, tail))


def ndtr(input):
    """torch.special.ndtr: the standard normal CDF, computed as torch does, (1 + erf(x / sqrt(2))) / 2 (so the
    lower tail rounds to 0 where torch's does).  Paddle has no ndtr."""
    import paddle
    x, _ = _math_floating(input)
    return (1 + paddle.erf(x * 0.7071067811865476)) * 0.5


def entr(input):
    """torch.special.entr: -x * log(x), 0 at 0, -inf below 0 (NaN stays NaN).  Paddle has no entr."""
    import paddle
    x, _ = _math_floating(input)
    safe = paddle.where(x > 0, x, paddle.ones_like(x))
    out = paddle.where(x > 0, -x * paddle.log(safe), paddle.zeros_like(x))
    return paddle.where(x < 0, paddle.full_like(x, float("-inf")), paddle.where(paddle.isnan(x), x, out))


def xlog1py(input, other):
    """torch.special.xlog1py: input * log1p(other), 0 where input is 0 (unless other is NaN).  Paddle has none."""
    import paddle
    (x, y), _ = _math_as_tensors(input, other, floating=True)
    product = x * paddle.log1p(y)
    return paddle.where((x == 0) & ~paddle.isnan(y), paddle.zeros_like(product), product)


def logaddexp2(input, other):
    """torch.logaddexp2: log2(2**input + 2**other) without overflow, as torch computes it: the larger operand
    plus log1p(2**-|input - other|) / ln 2, and the operand itself where both are the same infinity."""
    import paddle
    (x, y), _ = _math_as_tensors(input, other)
    larger = paddle.maximum(x, y)
    gap = paddle.abs(x - y)
    out = larger + paddle.log1p(paddle.pow(paddle.full_like(gap, 2.0), -gap)) * 1.4426950408889634
    return paddle.where(paddle.isinf(x) & (x == y), x, out)


def rsub(input, other, *, alpha=1):
    """torch.rsub: other - alpha * input, with torch's type promotion (a Python number on either side)."""
    (x, y), name = _math_as_tensors(input, other)
    if isinstance(alpha, float) and _MATH_CATEGORY[name] < 2:
        raise RuntimeError("For integral input tensors, argument alpha must not be a floating point number.")
    return y - (x if alpha == 1 else x * alpha)


def vdot(input, other):
    """torch.vdot: the dot product of two 1-D tensors with the first conjugated (paddle.dot conjugates neither)."""
    import paddle
    if input.ndim != 1 or other.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {input.ndim}D and {other.ndim}D tensors")
    return paddle.dot(paddle.conj(input) if input.is_complex() else input, other)


def chain_matmul(*matrices):
    """torch.chain_matmul (deprecated for linalg.multi_dot): the product of the 2-D matrices; one matrix comes
    back as a copy (Paddle's multi_dot wants two or more)."""
    import paddle
    if len(matrices) == 1 and isinstance(matrices[0], (list, tuple)):
        matrices = tuple(matrices[0])
    if any(m.ndim != 2 for m in matrices):
        raise RuntimeError("chain_matmul(): Expected all tensors to be 2-D")
    if len(matrices) == 1:
        return matrices[0].clone()
    return paddle.linalg.multi_dot(list(matrices))


def unravel_index(indices, shape):
    """torch.unravel_index: the coordinates (a tuple of int64 tensors, one per dim of ``shape``) of flat
    ``indices`` into a tensor of that shape, row-major.  Paddle has no unravel_index."""
    import paddle
    if not isinstance(indices, paddle.Tensor) or indices.is_floating_point() or indices.is_complex() \
            or indices.dtype == paddle.bool:
        raise TypeError("expected 'indices' to be integer dtype")
    shape = [shape] if isinstance(shape, int) else [int(s) for s in shape]
    total = 1
    for size in shape:
        total *= size
    flat = indices.astype("int64")
    if flat.size and bool(((flat < -total) | (flat >= total)).any()):
        raise RuntimeError("'indices' must be in range [-%d, %d)" % (total, total))
    flat = flat + (flat < 0).astype("int64") * total  # (paddle.where makes a 0-d tensor 1-d)
    coords = []
    for size in reversed(shape):
        coords.append(flat % size if size else flat)
        flat = flat // size if size else flat
    return tuple(c.reshape(indices.shape) for c in reversed(coords))  # (0-d // int is 1-d in Paddle 3.3.1)


def _math_paddle_dtype(name):
    import paddle
    return getattr(paddle, name)


def result_type(tensor1, tensor2):
    """torch.result_type: the dtype torch's arithmetic gives two tensors or numbers (dimensioned tensors, 0-d
    tensors and Python numbers in that order of precedence, unless a later one holds a higher category).  Paddle
    has no public promotion API, and its own rules differ (it refuses int with float tensors)."""
    return _math_paddle_dtype(_math_result_name(tensor1, tensor2))


def promote_types(type1, type2):
    """torch.promote_types: the smallest dtype both promote to (uint8 with int8 is int16, float16 with bfloat16 is
    float32)."""
    return _math_paddle_dtype(_math_promote_names(_math_dtype_name(type1), _math_dtype_name(type2)))


def can_cast(from_, to):
    """torch.can_cast: whether torch's casting rules allow ``from_`` to ``to`` (no lower category: complex to
    real, float to integer and non-bool to bool are refused; sizes do not matter)."""
    source, target = _MATH_CATEGORY[_math_dtype_name(from_)], _MATH_CATEGORY[_math_dtype_name(to)]
    return source <= target


def broadcast_shapes(*shapes):
    """torch.broadcast_shapes: the shape the given shapes broadcast to (an int is a 1-D shape), without tensors;
    paddle.broadcast_shape takes two."""
    import paddle
    result = []
    for shape in shapes:
        shape = [shape] if isinstance(shape, int) else [int(s) for s in shape]
        if any(s < 0 for s in shape):
            raise RuntimeError("Trying to create tensor with negative dimension")
        result = paddle.broadcast_shape(result, shape) if result else shape
    return paddle.Size(result) if hasattr(paddle, "Size") else tuple(result)


def histogram(input, bins, *, range=None, weight=None, density=False):
    """torch.histogram: ``(hist, bin_edges)``, both in input's float dtype.  Paddle's histogram returns int64
    counts and no edges, so the edges are built as torch builds them (linspace over ``range`` or the data's min
    and max, widened by 0.5 when they are equal; or the given edge tensor) and each value counted in the bin
    whose edges hold it (the last bin closed), with torch's ``weight`` and ``density``."""
    import paddle
    if not input.is_floating_point():
        raise RuntimeError(f"torch.histogram: input tensor and bins tensors should have the same dtype, "
                           f"but got input {input.dtype}")
    flat = input.reshape([-1])
    if isinstance(bins, paddle.Tensor):
        edges = bins.astype(input.dtype)
    else:
        if range is not None:
            low, high = float(range[0]), float(range[1])
        elif flat.size:
            low, high = float(flat.min()), float(flat.max())
        else:
            low, high = 0.0, 0.0
        if low == high:
            low, high = low - 0.5, high + 0.5
        edges = paddle.linspace(low, high, int(bins) + 1, dtype=input.dtype)
    count = edges.shape[0] - 1
    position = paddle.searchsorted(edges, flat, right=True) - 1
    position = paddle.where(flat == edges[-1], paddle.full_like(position, count - 1), position)
    inside = (position >= 0) & (position < count)
    weights = (weight.reshape([-1]).astype(input.dtype) if weight is not None
               else paddle.ones_like(flat))
    hist = paddle.zeros([count], dtype=input.dtype)
    if flat.size:
        hist = paddle.scatter(hist, paddle.masked_select(position, inside),
                              paddle.masked_select(weights, inside), overwrite=False)
    if density:
        hist = hist / (hist.sum() * (edges[1:] - edges[:-1]))
    return hist, edges


def range_inclusive(start=0, end=None, step=1, *, dtype=None):
    """torch.range (deprecated): start, start + step, ... up to and including ``end``, in the default float dtype
    unless ``dtype`` is given.  Paddle's arange stops before ``end``.  (Not named ``range``: that is the builtin.)"""
    import math

    import paddle
    if end is None:
        raise TypeError('range() missing 1 required positional arguments: "end"')
    if step == 0 or (end - start) * step < 0:
        raise RuntimeError("upper bound and larger bound inconsistent with step sign")
    size = int(math.floor((end - start) / step)) + 1
    values = paddle.arange(size, dtype="float64") * step + start
    return values.astype(dtype if dtype is not None else paddle.get_default_dtype())


# -- in-place activations Paddle has no in-place form of (mappings/nn_functional.yaml): the result is written into
# the input with paddle.assign, which keeps the autograd graph, and the input is returned, as torch's are
def selu_(input):
    """torch.selu_ / F.selu_: selu written into ``input``."""
    import paddle
    paddle.assign(paddle.nn.functional.selu(input), input)
    return input


def celu_(input, alpha=1.0):
    """torch.celu_ / F.celu_: celu written into ``input``."""
    import paddle
    paddle.assign(paddle.nn.functional.celu(input, alpha), input)
    return input


def rrelu_(input, lower=1.0 / 8, upper=1.0 / 3, training=False):
    """torch.rrelu_ / F.rrelu_: rrelu written into ``input`` (training=False: the fixed slope (lower + upper) / 2)."""
    import paddle
    paddle.assign(paddle.nn.functional.rrelu(input, lower, upper, training=training), input)
    return input


# -- torchvision.transforms (mappings/vision.yaml): the PIL path of torchvision's functional transforms is PIL and
# numpy, which Paddle's PIL backend calls the same way; Paddle's tensor backend differs from torchvision's (no
# uint8 kernels, crops that do not pad, no antialiasing, 4-D inputs read as NCHW), so tensors take torch's rules
# written in Paddle ops below, and what has no exact Paddle form raises instead of giving other values.
_VISION_FLOATS = ("float16", "bfloat16", "float32", "float64")
_VISION_MAX = {"uint8": 255, "int8": 127, "int16": 32767, "uint16": 65535, "int32": 2147483647,
               "int64": 9223372036854775807}


def _vision_is_pil(img):
    try:
        from PIL import Image
    except ImportError:
        return False
    return isinstance(img, Image.Image)


def _vision_check_tensor(img, name):
    import paddle
    if not isinstance(img, paddle.Tensor):
        raise TypeError(f"{name}: img should be PIL Image or Tensor. Got {type(img)}")
    if img.ndim < 2:
        raise TypeError(f"{name}: tensor is not a torch image (fewer than 2 dimensions).")


def _vision_dimensions(img):
    """torchvision's get_dimensions: [channels, height, width] of a PIL image or a [..., C, H, W] tensor."""
    if _vision_is_pil(img):
        return [len(img.getbands()), img.height, img.width]
    _vision_check_tensor(img, "get_dimensions")
    return [1 if img.ndim == 2 else int(img.shape[-3]), int(img.shape[-2]), int(img.shape[-1])]


def _vision_widen(img):
    """Paddle registers few kernels for the small integer types: widen them for the data movement ops below."""
    name = _math_dtype_name(img.dtype)
    return (img.astype("int64"), name) if name in ("uint8", "int8", "int16", "bool") else (img, None)


def _vision_narrow(img, name):
    return img if name is None else img.astype(name)


def _vision_parse_fill(fill, img):
    """torchvision's _parse_fill: the fill of a PIL image, one value per band."""
    bands = len(img.getbands())
    if fill is None:
        fill = 0
    if isinstance(fill, (int, float)) and bands > 1:
        fill = tuple([fill] * bands)
    if isinstance(fill, (list, tuple)):
        if len(fill) == 1:
            fill = fill * bands
        elif len(fill) != bands:
            raise ValueError(f"The number of elements in 'fill' does not match the number of bands of the image "
                             f"({len(fill)} != {bands})")
        fill = tuple(fill)
    if img.mode != "F":
        fill = tuple(int(x) for x in fill) if isinstance(fill, tuple) else int(fill)
    return fill


def get_image_size(img):
    """torchvision's F.get_image_size: [width, height]."""
    _, height, width = _vision_dimensions(img)
    return [width, height]


def get_dimensions(img):
    """torchvision's F.get_dimensions: [channels, height, width]."""
    return _vision_dimensions(img)


def get_image_num_channels(img):
    """torchvision's F.get_image_num_channels."""
    return _vision_dimensions(img)[0]


def _vision_flip(img, name, axis):
    """torchvision's F.hflip/F.vflip (``name``): PIL images by Paddle's, tensors flipped along ``axis`` in a wider
    dtype (Paddle's flip has no uint8 kernel)."""
    if _vision_is_pil(img):
        import paddle
        return getattr(paddle.vision.transforms.functional, name)(img)
    _vision_check_tensor(img, name)
    wide, dtype = _vision_widen(img)
    return _vision_narrow(wide.flip(axis), dtype)


def vision_hflip(img):
    """torchvision's F.hflip."""
    return _vision_flip(img, "hflip", -1)


def vision_vflip(img):
    """torchvision's F.vflip."""
    return _vision_flip(img, "vflip", -2)


def vision_pad(img, padding, fill=0, padding_mode="constant"):
    """torchvision's F.pad: Paddle's fills only the first band of a PIL image with an int fill, ignores negative
    padding (torchvision crops) and has no symmetric mode or uint8 kernel for tensors."""
    import numpy as np
    if not isinstance(padding, (int, float, tuple, list)):
        raise TypeError("Got inappropriate padding arg")
    if padding_mode not in ("constant", "edge", "reflect", "symmetric"):
        raise ValueError("Padding mode should be either constant, edge, reflect or symmetric")
    if isinstance(padding, (list, tuple)):
        if len(padding) not in (1, 2, 4):
            raise ValueError(f"Padding must be an int or a 1, 2, or 4 element tuple, not a {len(padding)} element tuple")
        padding = [int(p) for p in padding]
        if len(padding) == 1:
            padding = padding * 4
        elif len(padding) == 2:
            padding = padding * 2
        left, top, right, bottom = padding
    else:
        left = top = right = bottom = int(padding)
    if _vision_is_pil(img):
        from PIL import Image, ImageOps
        if padding_mode == "constant":
            border = (left, top, right, bottom)
            image = ImageOps.expand(img, border=border, fill=_vision_parse_fill(fill, img))
            if img.mode == "P":
                image.putpalette(img.getpalette())
            return image
        crop = -np.minimum([left, top, right, bottom], 0)
        if crop.any():
            img = img.crop((crop[0], crop[1], img.width - crop[2], img.height - crop[3]))
        left, top, right, bottom = (int(v) for v in np.maximum([left, top, right, bottom], 0))
        palette = img.getpalette() if img.mode == "P" else None
        array = np.asarray(img)
        widths = ((top, bottom), (left, right)) + (((0, 0),) if array.ndim == 3 else ())
        out = Image.fromarray(np.pad(array, widths, padding_mode))
        if palette is not None:
            out.putpalette(palette)
        return out
    _vision_check_tensor(img, "pad")
    if not isinstance(fill, (int, float)):
        raise TypeError("Got inappropriate fill arg")
    height, width = int(img.shape[-2]), int(img.shape[-1])
    crop_l, crop_t, crop_r, crop_b = (max(-p, 0) for p in (left, top, right, bottom))
    img = img[..., crop_t:height - crop_b, crop_l:width - crop_r]
    left, top, right, bottom = (max(p, 0) for p in (left, top, right, bottom))
    if padding_mode == "reflect" and (max(top, bottom) >= img.shape[-2] or max(left, right) >= img.shape[-1]):
        raise ValueError("Padding size should be less than the corresponding input dimension")
    import paddle
    if padding_mode == "constant":  # blocks of the fill around the image (also for an empty image)
        value = paddle.to_tensor(float(fill)).astype(img.dtype)

        def block(shape):
            return paddle.full(shape, value, dtype=img.dtype)
        lead = list(img.shape[:-2])
        height = int(img.shape[-2])
        img = paddle.concat([block(lead + [height, left]), img, block(lead + [height, right])], axis=-1)
        width = int(img.shape[-1])
        return paddle.concat([block(lead + [top, width]), img, block(lead + [bottom, width])], axis=-2)
    wide, name = _vision_widen(img)
    rows = np.pad(np.arange(int(img.shape[-2])), (top, bottom), padding_mode)
    cols = np.pad(np.arange(int(img.shape[-1])), (left, right), padding_mode)
    out = paddle.gather(paddle.gather(wide, paddle.to_tensor(rows), axis=wide.ndim - 2),
                        paddle.to_tensor(cols), axis=wide.ndim - 1)
    return _vision_narrow(out, name)


def vision_crop(img, top, left, height, width):
    """torchvision's F.crop: a tensor crop reaching past the border is zero-padded there (Paddle's is cut)."""
    if _vision_is_pil(img):
        return img.crop((left, top, left + width, top + height))
    _vision_check_tensor(img, "crop")
    h, w = int(img.shape[-2]), int(img.shape[-1])
    right, bottom = left + width, top + height
    if left < 0 or top < 0 or right > w or bottom > h:
        padding = [max(-left + min(0, right), 0), max(-top + min(0, bottom), 0), max(right - max(w, left), 0),
                   max(bottom - max(h, top), 0)]
        return vision_pad(img[..., max(top, 0):bottom, max(left, 0):right], padding, fill=0)
    return img[..., top:bottom, left:right]


def vision_center_crop(img, output_size):
    """torchvision's F.center_crop: a crop larger than the image pads it with zeros first."""
    if isinstance(output_size, (int, float)):
        output_size = (int(output_size), int(output_size))
    elif isinstance(output_size, (tuple, list)) and len(output_size) == 1:
        output_size = (output_size[0], output_size[0])
    _, image_height, image_width = _vision_dimensions(img)
    crop_height, crop_width = output_size
    if crop_width > image_width or crop_height > image_height:
        padding = [(crop_width - image_width) // 2 if crop_width > image_width else 0,
                   (crop_height - image_height) // 2 if crop_height > image_height else 0,
                   (crop_width - image_width + 1) // 2 if crop_width > image_width else 0,
                   (crop_height - image_height + 1) // 2 if crop_height > image_height else 0]
        img = vision_pad(img, padding, fill=0)
        _, image_height, image_width = _vision_dimensions(img)
        if crop_width == image_width and crop_height == image_height:
            return img
    crop_top = int(round((image_height - crop_height) / 2.0))
    crop_left = int(round((image_width - crop_width) / 2.0))
    return vision_crop(img, crop_top, crop_left, crop_height, crop_width)


def _vision_resized_size(height, width, size, max_size):
    """torchvision's _compute_resized_output_size: an int (or one-element) size is the shorter edge."""
    if isinstance(size, int):
        size = [size]
    if isinstance(size, (list, tuple)) and len(size) not in (1, 2):
        raise ValueError(f"Size must be an int or a 1 or 2 element tuple/list, not a {len(size)} element tuple/list")
    if max_size is not None and len(size) != 1:
        raise ValueError("max_size should only be passed if size specifies the length of the smaller edge, "
                         "i.e. size should be an int or a sequence of length 1 in torchscript mode.")
    if len(size) == 2:
        return [size[0], size[1]]
    short, long = (width, height) if width <= height else (height, width)
    new_short, new_long = size[0], int(size[0] * long / short)
    if max_size is not None:
        if max_size <= size[0]:
            raise ValueError(f"max_size = {max_size} must be strictly greater than the requested "
                             f"size for the smaller edge size = {size}")
        if new_long > max_size:
            new_short, new_long = int(max_size * new_short / new_long), max_size
    new_w, new_h = (new_short, new_long) if width <= height else (new_long, new_short)
    return [new_h, new_w]


def vision_resize(img, size, interpolation="bilinear", max_size=None, antialias=True):
    """torchvision's F.resize: max_size, and torch's rounding of integer tensors; Paddle cannot antialias, so a
    tensor shrunk with bilinear (or resized with bicubic) interpolation and antialias=True raises."""
    import paddle
    interpolation = getattr(interpolation, "value", interpolation)
    _, height, width = _vision_dimensions(img)
    output_size = _vision_resized_size(height, width, size, max_size)
    if [height, width] == output_size:
        return img
    if _vision_is_pil(img):
        return paddle.vision.transforms.functional.resize(img, output_size, interpolation)
    if interpolation not in ("nearest", "bilinear", "bicubic"):
        raise ValueError(f"interpolation {interpolation!r} has no Paddle form for tensors")
    if antialias and (interpolation == "bicubic" or (interpolation == "bilinear" and (
            output_size[0] < height or output_size[1] < width))):
        raise NotImplementedError("resize: Paddle's interpolate cannot antialias; pass antialias=False "
                                  "(different values) or resize the PIL image")
    name = _math_dtype_name(img.dtype)
    if interpolation != "nearest" and name not in _VISION_FLOATS:
        raise NotImplementedError("resize: torch rounds the interpolated values of an integer tensor, which "
                                  "Paddle's float rounding does not reproduce; resize a float tensor or the PIL image")
    shape = list(img.shape)
    x = img.reshape([-1] + shape[-3:]) if img.ndim >= 3 else img.reshape([1, 1] + shape)
    x = x if name in ("float32", "float64") else x.astype("float32")
    x = paddle.nn.functional.interpolate(x, size=output_size, mode=interpolation, align_corners=False)
    if interpolation == "bicubic" and name == "uint8":
        x = x.clip(0, 255)
    if name not in ("float32", "float64"):
        if name not in _VISION_FLOATS:
            x = paddle.round(x)
        x = x.astype(name)
    return x.reshape(shape[:-2] + output_size)


def vision_resized_crop(img, top, left, height, width, size, interpolation="bilinear", antialias=True):
    """torchvision's F.resized_crop: crop, then resize."""
    return vision_resize(vision_crop(img, top, left, height, width), size, interpolation, antialias=antialias)


def vision_normalize(tensor, mean, std, inplace=False):
    """torchvision's F.normalize: (tensor - mean) / std per channel of a float [..., C, H, W] tensor (written into
    the tensor with inplace=True)."""
    import paddle
    if not isinstance(tensor, paddle.Tensor):
        raise TypeError(f"img should be Tensor Image. Got {type(tensor)}")
    if _math_dtype_name(tensor.dtype) not in _VISION_FLOATS:
        raise TypeError(f"Input tensor should be a float tensor. Got {tensor.dtype}.")
    if tensor.ndim < 3:
        raise ValueError(f"Expected tensor to be a tensor image of size (..., C, H, W). Got tensor.size() = "
                         f"{tuple(tensor.shape)}")
    mean = paddle.to_tensor(mean, dtype=tensor.dtype)
    std = paddle.to_tensor(std, dtype=tensor.dtype)
    if bool((std == 0).any()):
        raise ValueError(f"std evaluated to zero after conversion to {tensor.dtype}, leading to division by zero.")
    if mean.ndim == 1:
        mean = mean.reshape([-1, 1, 1])
    if std.ndim == 1:
        std = std.reshape([-1, 1, 1])
    if inplace:
        return tensor.subtract_(mean).divide_(std)
    return (tensor - mean) / std


def _vision_gray(img):
    """torchvision's _rgb2gray of a 3-channel tensor: ITU-R 601-2 luma, cast back to the image's dtype."""
    name = _math_dtype_name(img.dtype)
    x = img if name in _VISION_FLOATS else img.astype("float32")
    r, g, b = x.unbind(axis=-3)
    return (0.2989 * r + 0.587 * g + 0.114 * b).astype(name).unsqueeze(-3)


def vision_rgb_to_grayscale(img, num_output_channels=1):
    """torchvision's F.rgb_to_grayscale: PIL's convert("L") for images, the luma in torch's dtype rules for tensors
    (Paddle has no uint8 multiply)."""
    import paddle
    if num_output_channels not in (1, 3):
        raise ValueError("num_output_channels should be either 1 or 3")
    if _vision_is_pil(img):
        return paddle.vision.transforms.functional.to_grayscale(img, num_output_channels)
    _vision_check_tensor(img, "rgb_to_grayscale")
    channels = _vision_dimensions(img)[0]
    if channels not in (1, 3):
        raise TypeError(f"Input image tensor permitted channel values are [1, 3], but found {channels}")
    gray = _vision_gray(img) if channels == 3 else img.clone()
    return gray.expand(img.shape) if num_output_channels == 3 else gray


def _vision_blend(img1, img2, ratio):
    """torchvision's _blend: ratio * img1 + (1 - ratio) * img2, clamped to the dtype's range, in img1's dtype."""
    ratio = float(ratio)
    name = _math_dtype_name(img1.dtype)
    bound = 1.0 if name in _VISION_FLOATS else float(_VISION_MAX[name])
    a = img1 if name in _VISION_FLOATS else img1.astype("float32")
    b = img2 if _math_dtype_name(img2.dtype) == _math_dtype_name(a.dtype) else img2.astype(a.dtype)
    return (ratio * a + (1.0 - ratio) * b).clip(0, bound).astype(name)


def _vision_color_tensor(img, name, factor, what):
    _vision_check_tensor(img, name)
    if factor < 0:
        raise ValueError(f"{what} ({factor}) is not non-negative.")
    channels = _vision_dimensions(img)[0]
    if channels not in (1, 3):
        raise TypeError(f"Input image tensor permitted channel values are [1, 3], but found {channels}")
    return channels


def vision_adjust_brightness(img, brightness_factor):
    """torchvision's F.adjust_brightness: Paddle's has no uint8 kernel for tensors."""
    import paddle
    if _vision_is_pil(img):
        return paddle.vision.transforms.functional.adjust_brightness(img, brightness_factor)
    _vision_color_tensor(img, "adjust_brightness", brightness_factor, "brightness_factor")
    return _vision_blend(img, paddle.zeros_like(img), brightness_factor)


def vision_adjust_contrast(img, contrast_factor):
    """torchvision's F.adjust_contrast: blends with the mean grey level (of the uint8 luma, as torch does)."""
    import paddle
    if _vision_is_pil(img):
        return paddle.vision.transforms.functional.adjust_contrast(img, contrast_factor)
    channels = _vision_color_tensor(img, "adjust_contrast", contrast_factor, "contrast_factor")
    name = _math_dtype_name(img.dtype)
    dtype = name if name in _VISION_FLOATS else "float32"
    gray = _vision_gray(img) if channels == 3 else img
    mean = gray.astype(dtype).mean(axis=[-3, -2, -1], keepdim=True)
    return _vision_blend(img, mean, contrast_factor)


def vision_adjust_saturation(img, saturation_factor):
    """torchvision's F.adjust_saturation: blends with the luma image."""
    import paddle
    if _vision_is_pil(img):
        return paddle.vision.transforms.functional.adjust_saturation(img, saturation_factor)
    channels = _vision_color_tensor(img, "adjust_saturation", saturation_factor, "saturation_factor")
    if channels == 1:
        return img
    return _vision_blend(img, _vision_gray(img), saturation_factor)


_VISION_PIL_FILTERS = {"nearest": 0, "lanczos": 1, "bilinear": 2, "bicubic": 3, "box": 4, "hamming": 5}


def _vision_pil_geometry(img, name, interpolation):
    """The PIL filter of torchvision's geometric transforms; a tensor raises: Paddle's tensor rotate, affine and
    perspective sample the image differently from torchvision's grid_sample."""
    if not _vision_is_pil(img):
        raise NotImplementedError(f"{name} of a tensor has no exact Paddle form; convert the image to PIL "
                                  "(to_pil_image) first")
    interpolation = getattr(interpolation, "value", interpolation)
    if interpolation not in _VISION_PIL_FILTERS:
        raise ValueError(f"interpolation {interpolation!r} is not supported for PIL images")
    return _VISION_PIL_FILTERS[interpolation]


def _vision_inverse_affine(center, angle, translate, scale, shear):
    """torchvision's _get_inverse_affine_matrix (inverted=True): the PIL.Image.AFFINE coefficients."""
    import math
    rot, sx, sy = math.radians(angle), math.radians(shear[0]), math.radians(shear[1])
    cx, cy = center
    tx, ty = translate
    a = math.cos(rot - sy) / math.cos(sy)
    b = -math.cos(rot - sy) * math.tan(sx) / math.cos(sy) - math.sin(rot)
    c = math.sin(rot - sy) / math.cos(sy)
    d = -math.sin(rot - sy) * math.tan(sx) / math.cos(sy) + math.cos(rot)
    matrix = [x / scale for x in [d, -b, 0.0, -c, a, 0.0]]
    matrix[2] += matrix[0] * (-cx - tx) + matrix[1] * (-cy - ty)
    matrix[5] += matrix[3] * (-cx - tx) + matrix[4] * (-cy - ty)
    matrix[2] += cx
    matrix[5] += cy
    return matrix


def vision_rotate(img, angle, interpolation="nearest", expand=False, center=None, fill=None):
    """torchvision's F.rotate of a PIL image: PIL's rotate with torchvision's per-band fill."""
    resample = _vision_pil_geometry(img, "rotate", interpolation)
    if center is not None and not isinstance(center, (list, tuple)):
        raise TypeError("Argument center should be a sequence")
    return img.rotate(angle, resample, expand, center, fillcolor=_vision_parse_fill(fill, img))


def vision_affine(img, angle, translate, scale, shear, interpolation="nearest", fill=None, center=None):
    """torchvision's F.affine of a PIL image: its inverse affine matrix for PIL's transform."""
    resample = _vision_pil_geometry(img, "affine", interpolation)
    if not isinstance(translate, (list, tuple)) or len(translate) != 2:
        raise ValueError("Argument translate should be a sequence of length 2")
    if scale <= 0.0:
        raise ValueError("Argument scale should be positive")
    if isinstance(shear, (int, float)):
        shear = [shear, 0.0]
    shear = list(shear)
    if len(shear) == 1:
        shear = [shear[0], shear[0]]
    if len(shear) != 2:
        raise ValueError(f"Shear should be a sequence containing two values. Got {shear}")
    if center is None:
        center = [img.width * 0.5, img.height * 0.5]
    matrix = _vision_inverse_affine(center, float(angle), translate, scale, shear)
    from PIL import Image
    return img.transform(img.size, Image.AFFINE, matrix, resample, fillcolor=_vision_parse_fill(fill, img))


def vision_perspective(img, startpoints, endpoints, interpolation="bilinear", fill=None):
    """torchvision's F.perspective of a PIL image: its least-squares coefficients for PIL's transform
    (Paddle's own gives other pixels with nearest interpolation)."""
    import numpy as np
    from PIL import Image
    resample = _vision_pil_geometry(img, "perspective", interpolation)
    if len(startpoints) != 4 or len(endpoints) != 4:
        raise ValueError(f"Please provide exactly four corners, got {len(startpoints)} startpoints and "
                         f"{len(endpoints)} endpoints.")
    a = np.zeros((8, 8), dtype=np.float64)
    for i, (p1, p2) in enumerate(zip(endpoints, startpoints)):
        a[2 * i] = [p1[0], p1[1], 1, 0, 0, 0, -p2[0] * p1[0], -p2[0] * p1[1]]
        a[2 * i + 1] = [0, 0, 0, p1[0], p1[1], 1, -p2[1] * p1[0], -p2[1] * p1[1]]
    b = np.asarray(startpoints, dtype=np.float64).reshape(8)
    coeffs = np.linalg.lstsq(a, b, rcond=None)[0].astype(np.float32).tolist()
    return img.transform(img.size, Image.PERSPECTIVE, coeffs, resample, fillcolor=_vision_parse_fill(fill, img))


def to_pil_image(pic, mode=None):
    """torchvision's F.to_pil_image: a [C, H, W] tensor or [H, W, C] array as a PIL image (floats x 255 to
    uint8, the mode inferred from the channel count and dtype); Paddle has none."""
    import sys
    import numpy as np
    import paddle
    from PIL import Image
    if isinstance(pic, paddle.Tensor):
        if pic.ndim == 3:
            pic = pic.transpose([1, 2, 0])
        pic = pic.numpy()
    elif not isinstance(pic, np.ndarray):
        raise TypeError(f"pic should be Tensor or ndarray. Got {type(pic)}.")
    if pic.ndim == 2:
        pic = np.expand_dims(pic, 2)
    if pic.ndim != 3:
        raise ValueError(f"pic should be 2/3 dimensional. Got {pic.ndim} dimensions.")
    if pic.shape[-1] > 4:
        raise ValueError(f"pic should not have > 4 channels. Got {pic.shape[-1]} channels.")
    npimg = pic
    if np.issubdtype(npimg.dtype, np.floating) and mode != "F":
        npimg = (npimg * 255).astype(np.uint8)
    if npimg.shape[2] == 1:
        expected = None
        npimg = npimg[:, :, 0]
        if npimg.dtype == np.uint8:
            expected = "L"
        elif npimg.dtype == np.int16:
            expected = "I;16" if sys.byteorder == "little" else "I;16B"
        elif npimg.dtype == np.int32:
            expected = "I"
        elif npimg.dtype == np.float32:
            expected = "F"
        if mode is not None and mode != expected:
            raise ValueError(f"Incorrect mode ({mode}) supplied for input type {np.dtype}. Should be {expected}")
        mode = expected
    elif npimg.shape[2] == 2:
        if mode is not None and mode not in ["LA"]:
            raise ValueError("Only modes ['LA'] are supported for 2D inputs")
        if mode is None and npimg.dtype == np.uint8:
            mode = "LA"
    elif npimg.shape[2] == 4:
        if mode is not None and mode not in ["RGBA", "CMYK", "RGBX"]:
            raise ValueError("Only modes ['RGBA', 'CMYK', 'RGBX'] are supported for 4D inputs")
        if mode is None and npimg.dtype == np.uint8:
            mode = "RGBA"
    else:
        if mode is not None and mode not in ["RGB", "YCbCr", "HSV"]:
            raise ValueError("Only modes ['RGB', 'YCbCr', 'HSV'] are supported for 3D inputs")
        if mode is None and npimg.dtype == np.uint8:
            mode = "RGB"
    if mode is None:
        raise TypeError(f"Input type {npimg.dtype} is not supported")
    return Image.fromarray(npimg, mode=mode)


def pil_to_tensor(pic):
    """torchvision's F.pil_to_tensor: the image's own dtype (uint8 for RGB/L) in [C, H, W], unscaled; Paddle's
    to_tensor scales to floats."""
    import numpy as np
    import paddle
    if not _vision_is_pil(pic):
        raise TypeError(f"pic should be PIL Image. Got {type(pic)}")
    array = np.array(pic, copy=True)
    if array.dtype == np.uint16:  # paddle.to_tensor reads uint16 arrays as bfloat16
        raise TypeError("pil_to_tensor: Paddle has no uint16 tensors (a 16-bit image); convert the mode first")
    array = array.reshape(pic.size[1], pic.size[0], len(pic.getbands()))
    return paddle.to_tensor(np.ascontiguousarray(array.transpose(2, 0, 1)))


def convert_image_dtype(image, dtype=None):
    """torchvision's F.convert_image_dtype: casts and rescales (uint8 255 <-> float 1.0); Paddle has none."""
    import paddle
    if not isinstance(image, paddle.Tensor):
        raise TypeError("Input img should be Tensor Image")
    source = _math_dtype_name(image.dtype)
    target = "float32" if dtype is None else _math_dtype_name(dtype)
    if source == target:
        return image
    if source in _VISION_FLOATS:
        if target in _VISION_FLOATS:
            return image.astype(target)
        if (source == "float32" and target in ("int32", "int64")) or (source == "float64" and target == "int64"):
            raise RuntimeError(f"The cast from {image.dtype} to {dtype} cannot be performed safely.")
        return (image * (float(_VISION_MAX[target]) + 1.0 - 1e-3)).astype(target)
    input_max = float(_VISION_MAX[source])
    if target in _VISION_FLOATS:
        return image.astype(target) / input_max
    output_max = float(_VISION_MAX[target])
    if input_max > output_max:
        factor = int((input_max + 1) // (output_max + 1))
        return paddle.floor_divide(image, paddle.full([], factor, dtype=image.dtype)).astype(target)
    factor = int((output_max + 1) // (input_max + 1))
    return image.astype(target) * factor


class Resize:
    """torchvision's transforms.Resize (see vision_resize): PIL images resized as torchvision resizes them, tensors
    by Paddle's interpolate where that is torchvision's result; a tensor torchvision would antialias raises
    (paddle.vision.transforms.Resize does not antialias tensors and gave other values)."""

    def __init__(self, size, interpolation="bilinear", max_size=None, antialias=True):
        self.size, self.interpolation, self.max_size, self.antialias = size, interpolation, max_size, antialias

    def __call__(self, img):
        return vision_resize(img, self.size, self.interpolation, self.max_size, self.antialias)

    def __repr__(self):
        return (f"Resize(size={self.size}, interpolation={getattr(self.interpolation, 'value', self.interpolation)}, "
                f"max_size={self.max_size}, antialias={self.antialias})")


class ToPILImage:
    """torchvision's transforms.ToPILImage (see to_pil_image)."""

    def __init__(self, mode=None):
        self.mode = mode

    def __call__(self, pic):
        return to_pil_image(pic, self.mode)

    def __repr__(self):
        return f"{type(self).__name__}(" + (f"mode={self.mode}" if self.mode is not None else "") + ")"


class PILToTensor:
    """torchvision's transforms.PILToTensor (see pil_to_tensor)."""

    def __call__(self, pic):
        return pil_to_tensor(pic)

    def __repr__(self):
        return f"{type(self).__name__}()"


class ConvertImageDtype:
    """torchvision's transforms.ConvertImageDtype (see convert_image_dtype)."""

    def __init__(self, dtype):
        self.dtype = dtype

    def __call__(self, image):
        return convert_image_dtype(image, self.dtype)

    forward = __call__


class Lambda:
    """torchvision's transforms.Lambda: a user function as a transform (Paddle's Compose takes any callable, but
    code builds, reads and prints the wrapper)."""

    def __init__(self, lambd):
        if not callable(lambd):
            raise TypeError(f"Argument lambd should be callable, got {repr(type(lambd).__name__)}")
        self.lambd = lambd

    def __call__(self, img):
        return self.lambd(img)

    def __repr__(self):
        return f"{type(self).__name__}()"


# -- torch.nn.init (mappings/nn_init.yaml)
def eye_(tensor):
    """torch.nn.init.eye_: ones on the diagonal of a 2-D tensor, zeros elsewhere (Paddle has no identity initializer).
    A Paddle Linear weight is [in, out], torch's transposed: the identity lands on the same (in, out) pairs."""
    import paddle
    if tensor.ndim != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    with paddle.no_grad():
        paddle.assign(paddle.eye(tensor.shape[0], tensor.shape[1], dtype=tensor.dtype), tensor)
    return tensor


def detach(input):
    """``torch.detach(input)``: ``paddle.Tensor.detach`` takes its tensor positionally only (``input=`` fails)."""
    return input.detach()


def detach_(input):
    """``torch.detach_(input)``: the tensor itself, cut from the graph in place."""
    return input.detach_()


def nll_loss(input, label, weight=None, ignore_index=-100, reduction="mean", name=None):
    """``paddle.nn.functional.nll_loss`` reduced here from its per-element form: Paddle 3.3.1's CPU kernel
    corrupts memory (the process aborts, or worse) with reduction "mean"/"sum" when ``ignore_index`` is a class
    index a label holds; its "none" form is sound. Input of more than two dimensions is flattened to [N*d, C]
    first. The mean is torch's: the sum over the labels not ignored, divided by the sum of their weights."""
    import paddle

    classes = input.shape[1] if input.ndim > 1 else input.shape[0]
    flat = paddle.moveaxis(input, 1, -1).reshape([-1, classes]) if input.ndim > 2 else input
    flat_label = label.reshape([-1]) if input.ndim > 2 else label
    losses = paddle.nn.functional.nll_loss(flat, flat_label, weight=weight, ignore_index=ignore_index,
                                           reduction="none")
    if reduction == "none":
        return losses.reshape(label.shape) if input.ndim > 2 else losses
    if reduction == "sum":
        return losses.sum()
    kept = (flat_label != ignore_index).astype(losses.dtype)
    if weight is not None:
        kept = kept * paddle.gather(weight, paddle.where(flat_label == ignore_index, paddle.zeros_like(flat_label),
                                                         flat_label).reshape([-1])).reshape(kept.shape)
    return losses.sum() / kept.sum()
