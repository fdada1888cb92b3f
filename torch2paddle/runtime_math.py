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


# -- torch.signal.windows (mappings/creation_math.yaml): torch's formulas in Paddle ops, sample by sample as
# torch computes them (its linspace: start + step * i on the first half, end - step * (M - 1 - i) on the second).
def _window_dtype(name, M, dtype):
    import paddle
    if M < 0:
        raise ValueError(f"{name} requires non-negative window length, got M={M}")
    dtype = paddle.get_default_dtype() if dtype is None else dtype
    if _math_dtype_name(dtype) not in ("float32", "float64"):
        raise ValueError(f"{name} expects float32 or float64 dtypes, got: {dtype}")
    return _math_dtype_name(dtype)


def _window_linspace(start, end, steps, dtype):
    """torch.linspace(start, end, steps) in ``dtype`` (steps >= 2), with torch's CPU formula."""
    import paddle
    start = paddle.to_tensor(start, dtype=dtype) if not isinstance(start, paddle.Tensor) else start
    end = paddle.to_tensor(end, dtype=dtype) if not isinstance(end, paddle.Tensor) else end
    step = (end - start) / paddle.to_tensor(steps - 1, dtype=dtype)
    index = paddle.arange(steps, dtype=dtype)
    return paddle.where(paddle.arange(steps) < steps // 2, start + step * index,
                        end - step * (paddle.to_tensor(steps - 1, dtype=dtype) - index))


def _window_result(window, requires_grad, leaf=False):
    """The window with torch's requires_grad: torch computes it from a leaf linspace that requires grad, so the
    window itself is not a leaf (its .grad stays None); the M=0 and M=1 windows are leaves."""
    window = window.detach()
    window.stop_gradient = not requires_grad
    return window if leaf or not requires_grad else window * 1


def _window_trivial(M, dtype, requires_grad):
    """torch's M == 0 (empty) and M == 1 ([1.]) windows, or None."""
    import paddle
    if M > 1:
        return None
    return _window_result(paddle.ones([M], dtype=dtype), requires_grad, leaf=True)


def signal_general_cosine(M, *, a, sym=True, dtype=None, requires_grad=False):
    """torch.signal.windows.general_cosine: sum_i (-1)**i a_i cos(2 pi i n / N), N = M - 1 if sym else M."""
    import math
    from collections.abc import Iterable
    import paddle
    dtype = _window_dtype("general_cosine", M, dtype)
    trivial = _window_trivial(M, dtype, requires_grad)
    if trivial is not None:
        return trivial
    if not isinstance(a, Iterable):
        raise TypeError("Coefficients must be a list/tuple")
    if not a:
        raise ValueError("Coefficients cannot be empty")
    k = _window_linspace(0.0, (M - 1) * (2 * math.pi / (M if not sym else M - 1)), M, dtype)
    a_i = paddle.to_tensor([(-1) ** i * w for i, w in enumerate(a)], dtype=dtype)
    i = paddle.arange(a_i.shape[0], dtype=dtype)
    return _window_result((a_i.unsqueeze(-1) * paddle.cos(i.unsqueeze(-1) * k)).sum(0), requires_grad)


def signal_general_hamming(M, *, alpha=0.54, sym=True, dtype=None, requires_grad=False):
    """torch.signal.windows.general_hamming: general_cosine with a = [alpha, 1 - alpha]."""
    return signal_general_cosine(M, a=[alpha, 1.0 - alpha], sym=sym, dtype=dtype, requires_grad=requires_grad)


def signal_hamming(M, *, sym=True, dtype=None, requires_grad=False):
    """torch.signal.windows.hamming: general_hamming with alpha 0.54."""
    return signal_general_hamming(M, sym=sym, dtype=dtype, requires_grad=requires_grad)


def signal_hann(M, *, sym=True, dtype=None, requires_grad=False):
    """torch.signal.windows.hann: general_hamming with alpha 0.5."""
    return signal_general_hamming(M, alpha=0.5, sym=sym, dtype=dtype, requires_grad=requires_grad)


def signal_blackman(M, *, sym=True, dtype=None, requires_grad=False):
    """torch.signal.windows.blackman: general_cosine with a = [0.42, 0.5, 0.08]."""
    _window_dtype("blackman", M, dtype)
    return signal_general_cosine(M, a=[0.42, 0.5, 0.08], sym=sym, dtype=dtype, requires_grad=requires_grad)


def signal_nuttall(M, *, sym=True, dtype=None, requires_grad=False):
    """torch.signal.windows.nuttall: the minimum 4-term Blackman-Harris window (general_cosine)."""
    return signal_general_cosine(M, a=[0.3635819, 0.4891775, 0.1365995, 0.0106411], sym=sym, dtype=dtype,
                                 requires_grad=requires_grad)


def signal_bartlett(M, *, sym=True, dtype=None, requires_grad=False):
    """torch.signal.windows.bartlett: the triangular window 1 - |k|, k from -1 in steps of 2 / N."""
    import paddle
    dtype = _window_dtype("bartlett", M, dtype)
    trivial = _window_trivial(M, dtype, requires_grad)
    if trivial is not None:
        return trivial
    k = _window_linspace(-1.0, -1 + (M - 1) * (2 / (M if not sym else M - 1)), M, dtype)
    return _window_result(1 - paddle.abs(k), requires_grad)


def signal_cosine(M, *, sym=True, dtype=None, requires_grad=False):
    """torch.signal.windows.cosine: sin(pi (n + 0.5) / N), N = M + 1 for a periodic window of M > 1, else M."""
    import math
    import paddle
    dtype = _window_dtype("cosine", M, dtype)
    if M == 0:
        return _window_result(paddle.ones([0], dtype=dtype), requires_grad, leaf=True)
    constant = math.pi / (M + 1 if not sym and M > 1 else M)
    if M == 1:
        k = paddle.to_tensor([0.5 * constant], dtype=dtype)
    else:
        k = _window_linspace(0.5 * constant, (0.5 + (M - 1)) * constant, M, dtype)
    return _window_result(paddle.sin(k), requires_grad)


def signal_exponential(M, *, center=None, tau=1.0, sym=True, dtype=None, requires_grad=False):
    """torch.signal.windows.exponential: exp(-|n - center| / tau), center (M - 1) / 2 by default (M / 2 for a
    periodic window of M > 1)."""
    import paddle
    dtype = _window_dtype("exponential", M, dtype)
    if tau <= 0:
        raise ValueError(f"Tau must be positive, got: {tau} instead.")
    if sym and center is not None:
        raise ValueError("Center must be None for symmetric windows")
    if M == 0:
        return _window_result(paddle.ones([0], dtype=dtype), requires_grad, leaf=True)
    if center is None:
        center = (M if not sym and M > 1 else M - 1) / 2.0
    constant = 1 / tau
    if M == 1:
        k = paddle.to_tensor([-center * constant], dtype=dtype)
    else:
        k = _window_linspace(-center * constant, (-center + (M - 1)) * constant, M, dtype)
    return _window_result(paddle.exp(-paddle.abs(k)), requires_grad)


def signal_gaussian(M, *, std=1.0, sym=True, dtype=None, requires_grad=False):
    """torch.signal.windows.gaussian: exp(-(n / (sqrt(2) std))**2) over n centred on the window."""
    import math
    import paddle
    dtype = _window_dtype("gaussian", M, dtype)
    if std <= 0:
        raise ValueError(f"Standard deviation must be positive, got: {std} instead.")
    if M == 0:
        return _window_result(paddle.ones([0], dtype=dtype), requires_grad, leaf=True)
    start = -(M if not sym and M > 1 else M - 1) / 2.0
    constant = 1 / (std * math.sqrt(2))
    if M == 1:
        k = paddle.to_tensor([start * constant], dtype=dtype)
    else:
        k = _window_linspace(start * constant, (start + (M - 1)) * constant, M, dtype)
    return _window_result(paddle.exp(-(k ** 2)), requires_grad)


def signal_kaiser(M, *, beta=12.0, sym=True, dtype=None, requires_grad=False):
    """torch.signal.windows.kaiser: I0(beta sqrt(1 - (k / beta)**2)) / I0(beta), k from -beta in steps of
    2 beta / N (N = M - 1 if sym else M)."""
    import paddle
    dtype = _window_dtype("kaiser", M, dtype)
    if beta < 0:
        raise ValueError(f"beta must be non-negative, got: {beta} instead.")
    trivial = _window_trivial(M, dtype, requires_grad)
    if trivial is not None:
        return trivial
    beta = paddle.to_tensor(beta, dtype=dtype)
    start = -beta
    constant = 2.0 * beta / (M if not sym else M - 1)
    end = paddle.minimum(beta, start + (M - 1) * constant)
    k = _window_linspace(float(start), float(end), M, dtype)
    return _window_result(paddle.i0(paddle.sqrt(beta * beta - paddle.pow(k, 2))) / paddle.i0(beta), requires_grad)


# -- torch._foreach_* (mappings/creation_math.yaml): the op on each tensor of a list; ``op`` names it (the table
# adds it).  The out-of-place forms return a tuple (torch 2's), the in-place ones write each tensor and return the list
# itself (as torch's).
_FOREACH_FLOATING = ("acos", "asin", "atan", "cos", "cosh", "erf", "erfc", "exp", "expm1", "lgamma", "log", "log10",
                     "log1p", "log2", "reciprocal", "rsqrt", "sigmoid", "sin", "sinh", "sqrt", "tan", "tanh")


def _foreach_unary_one(op, tensor):
    import paddle
    if op in _FOREACH_FLOATING:  # integers and bools compute in the default float dtype, as torch's
        tensor, _ = _math_floating(tensor)
    if op == "erfc":
        return erfc(tensor)
    if op == "zero":
        return paddle.zeros_like(tensor)
    return getattr(paddle, op)(tensor)


def _foreach_write(tensor, value, name):
    """Write value into tensor in place (torch's in-place rule: the result may not need a wider kind)."""
    import paddle
    have, want = _math_dtype_name(tensor.dtype), _math_dtype_name(value.dtype)
    if have != want:
        if _MATH_CATEGORY[want] > _MATH_CATEGORY[have]:
            raise RuntimeError(f"{name}: result type {want} can't be cast to the desired output type {have}")
        value = value.astype(have)
    paddle.assign(value, output=tensor)


def foreach_unary(self, *, op):
    """torch._foreach_<op>(tensors): a tuple of op(tensor) (abs, sqrt, exp, ...)."""
    return tuple(_foreach_unary_one(op, t) for t in self)


def foreach_unary_(self, *, op):
    """torch._foreach_<op>_(tensors): op applied to each tensor in place (zero_ fills with zeros)."""
    for t in self:
        _foreach_write(t, _foreach_unary_one(op, t), f"_foreach_{op}_")
    return self


def _foreach_others(self, other, name):
    if isinstance(other, (list, tuple)):
        if len(other) != len(self):
            raise RuntimeError(f"{name}: tensor lists must have the same length, got {len(self)} and {len(other)}")
        return list(other)
    if getattr(other, "ndim", 0) != 0:
        raise RuntimeError(f"{name}: scalar tensor expected to be 0 dim but it has {other.ndim} dimensions")
    return [other] * len(self)  # a number or one 0-d tensor, for every tensor


def _foreach_binary_one(op, tensor, other, alpha):
    if op in ("add", "sub") and alpha != 1:
        other = other * alpha
    if op == "add":
        return tensor + other
    if op == "sub":
        return tensor - other
    if op == "mul":
        return tensor * other
    return tensor / other


def foreach_binary(self, other, *, op, alpha=1):
    """torch._foreach_add/sub/mul/div(tensors, other[, alpha=]): other a number, a list of numbers, one tensor
    or a list of tensors; a tuple of results with torch's type promotion."""
    return tuple(_foreach_binary_one(op, t, o, alpha) for t, o in zip(self, _foreach_others(self, other,
                                                                                            f"_foreach_{op}")))


def foreach_binary_(self, other, *, op, alpha=1):
    """torch._foreach_add_/sub_/mul_/div_: the same, written into each tensor of self."""
    for t, o in zip(self, _foreach_others(self, other, f"_foreach_{op}_")):
        _foreach_write(t, _foreach_binary_one(op, t, o, alpha), f"_foreach_{op}_")
    return self


# -- torch.Tensor methods whose Paddle namesake differs (tensor_methods.yaml) --------------------------------------
def tensor_geometric_(self, p):
    """torch.Tensor.geometric_(p): integer draws k >= 1 (the number of Bernoulli(p) trials up to the first success),
    written into self in its dtype; Paddle's geometric_ draws a continuous variate (no ceil)."""
    import paddle
    u = paddle.uniform(self.shape, dtype="float64", min=float.fromhex("0x1p-53"), max=1.0)
    draws = paddle.ceil(paddle.log(u) / paddle.log1p(paddle.to_tensor(-float(p), dtype="float64")))
    paddle.assign(draws.astype(self.dtype), output=self)
    return self


def tensor_apply_(self, callable):
    """torch.Tensor.apply_(fn): fn called on each element as a Python number, the results written into self in its
    dtype (Paddle's apply_ calls fn once on the whole tensor)."""
    import numpy as np
    import paddle
    values = self.numpy()
    out = np.array([callable(v) for v in values.reshape(-1).tolist()]).astype(values.dtype).reshape(values.shape)
    paddle.assign(paddle.to_tensor(out, dtype=self.dtype), output=self)
    return self


def tensor_map_(self, tensor, callable):
    """torch.Tensor.map_(other, fn): fn(a, b) on each element of self and of other broadcast to self's shape, the
    results written into self in its dtype."""
    import numpy as np
    import paddle
    values = self.numpy()
    other = np.broadcast_to(tensor.numpy(), values.shape)
    out = np.array([callable(a, b) for a, b in zip(values.reshape(-1).tolist(), other.reshape(-1).tolist())])
    paddle.assign(paddle.to_tensor(out.astype(values.dtype).reshape(values.shape), dtype=self.dtype), output=self)
    return self


def tensor_put_(self, index, source, accumulate=False):
    """torch.Tensor.put_(index, source, accumulate=False): self viewed as 1-D, source's elements written (or, with
    accumulate, added) at the flat indices (negative ones count from the end)."""
    import paddle
    flat = self.reshape([-1])
    n = flat.shape[0]
    idx = index.reshape([-1]).astype("int64")
    idx = paddle.where(idx < 0, idx + n, idx)
    if bool(((idx < 0) | (idx >= n)).any()):
        raise IndexError(f"put_(): index out of range for a tensor of {n} elements")
    src = source.reshape([-1]).astype(self.dtype)
    new = paddle.index_add(flat, idx, 0, src) if accumulate else paddle.scatter(flat, idx, src, overwrite=True)
    paddle.assign(new.reshape(self.shape), output=self)
    return self


def tensor_resize_as_(self, the_template, memory_format=None):
    """torch.Tensor.resize_as_(other): self resized to other's shape (Paddle's resize_ takes a shape list)."""
    return self.resize_(list(the_template.shape))


def chunk(input, chunks, dim=0):
    """torch.chunk: pieces of ceil(size / chunks) along ``dim``, the last one smaller, possibly fewer than
    ``chunks`` pieces (Paddle's chunk raises unless the size divides evenly); a tuple, as torch's."""
    import paddle

    if not isinstance(chunks, int) or chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    size = input.shape[dim]
    step = -(-size // chunks)
    if step == 0:  # an empty dimension: torch returns `chunks` empty pieces
        return tuple(input for _ in range(chunks))
    sections = [step] * (size // step) + ([size % step] if size % step else [])
    return tuple(paddle.split(input, sections, axis=dim))


def tensor_stride(self, dim=None):
    """torch.Tensor.stride(): a tuple of element strides (Paddle's stride() returns a list); stride(dim) an int."""
    strides = self.stride() if dim is None else self.stride(dim)
    return tuple(strides) if isinstance(strides, list) else strides


def tensor_storage_offset(self):
    """torch.Tensor.storage_offset(): the offset in elements (Paddle's Tensor.offset counts bytes)."""
    return self.offset // self.element_size()


def tensor_as_strided(self, size, stride, storage_offset=None):
    """torch.Tensor.as_strided(size, stride, storage_offset=None): a view of self's storage; the offset is in
    elements and defaults to self's own (Paddle's counts bytes from the storage's start and defaults to 0)."""
    import paddle
    offset = self.offset if storage_offset is None else int(storage_offset) * self.element_size()
    return paddle.as_strided(self, list(size), list(stride), offset)


def tensor_is_pinned(self):
    """torch.Tensor.is_pinned(): whether self lives in page-locked host memory."""
    return self.place.is_cuda_pinned_place()


def tensor_grad_fn(self):
    """torch.Tensor.grad_fn: None for a leaf (Paddle gives a leaf that requires grad its accumulation node)."""
    return None if self.is_leaf else self.grad_fn


def tensor_to_sparse_coo(self):
    """torch.Tensor.to_sparse_coo(): every dimension sparse (Paddle's to_sparse_coo needs the number of them)."""
    return self.to_sparse_coo(self.ndim)


# -- torch.special Bessel functions (mappings/creation_math.yaml): torch's own Cephes-derived algorithms
# (ATen/native/Math.h), with its coefficients, branches and order of operations, evaluated in the input's dtype
# (integers: the default float dtype) on every element and selected with paddle.where.
_SPECIAL_J0_PP = (7.96936729297347051624e-04, 8.28352392107440799803e-02, 1.23953371646414299388e+00,
                  5.44725003058768775090e+00, 8.74716500199817011941e+00, 5.30324038235394892183e+00,
                  9.99999999999999997821e-01)
_SPECIAL_J0_PQ = (9.24408810558863637013e-04, 8.56288474354474431428e-02, 1.25352743901058953537e+00,
                  5.47097740330417105182e+00, 8.76190883237069594232e+00, 5.30605288235394617618e+00,
                  1.00000000000000000218e+00)
_SPECIAL_J0_QP = (-1.13663838898469149931e-02, -1.28252718670509318512e+00, -1.95539544257735972385e+01,
                  -9.32060152123768231369e+01, -1.77681167980488050595e+02, -1.47077505154951170175e+02,
                  -5.14105326766599330220e+01, -6.05014350600728481186e+00)
_SPECIAL_J0_QQ = (6.43178256118178023184e+01, 8.56430025976980587198e+02, 3.88240183605401609683e+03,
                  7.24046774195652478189e+03, 5.93072701187316984827e+03, 2.06209331660327847417e+03,
                  2.42005740240291393179e+02)
_SPECIAL_J0_RP = (-4.79443220978201773821e+09, 1.95617491946556577543e+12, -2.49248344360967716204e+14,
                  9.70862251047306323952e+15)
_SPECIAL_J0_RQ = (4.99563147152651017219e+02, 1.73785401676374683123e+05, 4.84409658339962045305e+07,
                  1.11855537045356834862e+10, 2.11277520115489217587e+12, 3.10518229857422583814e+14,
                  3.18121955943204943306e+16, 1.71086294081043136091e+18)
_SPECIAL_J1_PP = (7.62125616208173112003e-04, 7.31397056940917570436e-02, 1.12719608129684925192e+00,
                  5.11207951146807644818e+00, 8.42404590141772420927e+00, 5.21451598682361504063e+00,
                  1.00000000000000000254e+00)
_SPECIAL_J1_PQ = (5.71323128072548699714e-04, 6.88455908754495404082e-02, 1.10514232634061696926e+00,
                  5.07386386128601488557e+00, 8.39985554327604159757e+00, 5.20982848682361821619e+00,
                  9.99999999999999997461e-01)
_SPECIAL_J1_QP = (5.10862594750176621635e-02, 4.98213872951233449420e+00, 7.58238284132545283818e+01,
                  3.66779609360150777800e+02, 7.10856304998926107277e+02, 5.97489612400613639965e+02,
                  2.11688757100572135698e+02, 2.52070205858023719784e+01)
_SPECIAL_J1_QQ = (7.42373277035675149943e+01, 1.05644886038262816351e+03, 4.98641058337653607651e+03,
                  9.56231892404756170795e+03, 7.99704160447350683650e+03, 2.82619278517639096600e+03,
                  3.36093607810698293419e+02)
_SPECIAL_J1_RP = (-8.99971225705559398224e+08, 4.52228297998194034323e+11, -7.27494245221818276015e+13,
                  3.68295732863852883286e+15)
_SPECIAL_J1_RQ = (6.20836478118054335476e+02, 2.56987256757748830383e+05, 8.35146791431949253037e+07,
                  2.21511595479792499675e+10, 4.74914122079991414898e+12, 7.84369607876235854894e+14,
                  8.95222336184627338078e+16, 5.32278620332680085395e+18)
_SPECIAL_Y0_PP = _SPECIAL_J0_PP  # the same asymptotic coefficients (as in Cephes)
_SPECIAL_Y0_PQ = _SPECIAL_J0_PQ  # the same asymptotic coefficients (as in Cephes)
_SPECIAL_Y0_QP = _SPECIAL_J0_QP  # the same asymptotic coefficients (as in Cephes)
_SPECIAL_Y0_QQ = _SPECIAL_J0_QQ  # the same asymptotic coefficients (as in Cephes)
_SPECIAL_Y0_YP = (1.55924367855235737965e+04, -1.46639295903971606143e+07, 5.43526477051876500413e+09,
                  -9.82136065717911466409e+11, 8.75906394395366999549e+13, -3.46628303384729719441e+15,
                  4.42733268572569800351e+16, -1.84950800436986690637e+16)
_SPECIAL_Y0_YQ = (1.04128353664259848412e+03, 6.26107330137134956842e+05, 2.68919633393814121987e+08,
                  8.64002487103935000337e+10, 2.02979612750105546709e+13, 3.17157752842975028269e+15,
                  2.50596256172653059228e+17)
_SPECIAL_Y1_PP = _SPECIAL_J1_PP  # the same asymptotic coefficients (as in Cephes)
_SPECIAL_Y1_PQ = _SPECIAL_J1_PQ  # the same asymptotic coefficients (as in Cephes)
_SPECIAL_Y1_QP = _SPECIAL_J1_QP  # the same asymptotic coefficients (as in Cephes)
_SPECIAL_Y1_QQ = _SPECIAL_J1_QQ  # the same asymptotic coefficients (as in Cephes)
_SPECIAL_Y1_YP = (1.26320474790178026440e+09, -6.47355876379160291031e+11, 1.14509511541823727583e+14,
                  -8.12770255501325109621e+15, 2.02439475713594898196e+17, -7.78877196265950026825e+17)
_SPECIAL_Y1_YQ = (5.94301592346128195359e+02, 2.35564092943068577943e+05, 7.34811944459721705660e+07,
                  1.87601316108706159478e+10, 3.88231277496238566008e+12, 6.20557727146953693363e+14,
                  6.87141087355300489866e+16, 3.97270608116560655612e+18)
_SPECIAL_K0_A = (1.37446543561352307156e-16, 4.25981614279661018399e-14, 1.03496952576338420167e-11,
                 1.90451637722020886025e-09, 2.53479107902614945675e-07, 2.28621210311945178607e-05,
                 1.26461541144692592338e-03, 3.59799365153615016266e-02, 3.44289899924628486886e-01,
                 -5.35327393233902768720e-01)
_SPECIAL_K0_B = (5.30043377268626276149e-18, -1.64758043015242134646e-17, 5.21039150503902756861e-17,
                 -1.67823109680541210385e-16, 5.51205597852431940784e-16, -1.84859337734377901440e-15,
                 6.34007647740507060557e-15, -2.22751332699166985548e-14, 8.03289077536357521100e-14,
                 -2.98009692317273043925e-13, 1.14034058820847496303e-12, -4.51459788337394416547e-12,
                 1.85594911495471785253e-11, -7.95748924447710747776e-11, 3.57739728140030116597e-10,
                 -1.69753450938905987466e-09, 8.57403401741422608519e-09, -4.66048989768794782956e-08,
                 2.76681363944501510342e-07, -1.83175552271911948767e-06, 1.39498137188764993662e-05,
                 -1.28495495816278026384e-04, 1.56988388573005337491e-03, -3.14481013119645005427e-02,
                 2.44030308206595545468e+00)
_SPECIAL_K1_A = (-7.02386347938628759343e-18, -2.42744985051936593393e-15, -6.66690169419932900609e-13,
                 -1.41148839263352776110e-10, -2.21338763073472585583e-08, -2.43340614156596823496e-06,
                 -1.73028895751305206302e-04, -6.97572385963986435018e-03, -1.22611180822657148235e-01,
                 -3.53155960776544875667e-01, 1.52530022733894777053e+00)
_SPECIAL_K1_B = (-5.75674448366501715755e-18, 1.79405087314755922667e-17, -5.68946255844285935196e-17,
                 1.83809354436663880070e-16, -6.05704724837331885336e-16, 2.03870316562433424052e-15,
                 -7.01983709041831346144e-15, 2.47715442448130437068e-14, -8.97670518232499435011e-14,
                 3.34841966607842919884e-13, -1.28917396095102890680e-12, 5.13963967348173025100e-12,
                 -2.12996783842756842877e-11, 9.21831518760500529508e-11, -4.19035475934189648750e-10,
                 2.01504975519703286596e-09, -1.03457624656780970260e-08, 5.74108412545004946722e-08,
                 -3.50196060308781257119e-07, 2.40648494783721712015e-06, -1.93619797416608296024e-05,
                 1.95215518471351631108e-04, -2.85781685962277938680e-03, 1.03923736576817238437e-01,
                 2.72062619048444266945e+00)


def _special_input(input):
    """input as a float32/float64 tensor (integers: the default float dtype; half types: float32) and the dtype
    name of the result."""
    x, name = _math_floating(input)
    return (x.astype("float32") if name in ("float16", "bfloat16") else x), name


def _special_horner(z, coefficients):
    import paddle
    acc = paddle.full_like(z, coefficients[0])
    for c in coefficients[1:]:
        acc = acc * z + c
    return acc


def _special_recurrence(z, coefficients):
    """Math.h's k0/k1 series: a = (z * q - p + c) over the coefficients; returns (a, p)."""
    import paddle
    p = paddle.zeros_like(z)
    q = paddle.zeros_like(z)
    a = paddle.full_like(z, coefficients[0])
    for c in coefficients[1:]:
        p, q = q, a
        a = z * q - p + c
    return a, p


def _special_j_large(x, pp, pq, qp, qq, z, shift, sine_first):
    import paddle
    p = _special_horner(z, pp) / _special_horner(z, pq)
    q = paddle.full_like(x, 5.0) / x * (_special_horner(z, qp) / _special_horner(z, qq))
    if sine_first:  # Y0/Y1
        value = p * paddle.sin(x - shift) + q * paddle.cos(x - shift)
    else:  # J0/J1
        value = p * paddle.cos(x - shift) - q * paddle.sin(x - shift)
    return value * 0.797884560802865355879892119868763737 / paddle.sqrt(x)


def _special_j0(x):
    import paddle
    x = paddle.abs(x)
    small = x <= 5.0
    xs = paddle.where(small, x, paddle.ones_like(x))  # each branch on values it is defined for
    xl = paddle.where(small, paddle.full_like(x, 10.0), x)
    near = (xs * xs - 5.78318596294678452118e+00) * (xs * xs - 3.04712623436620863991e+01) * \
        _special_horner(xs * xs, _SPECIAL_J0_RP) / _special_horner(xs * xs, _SPECIAL_J0_RQ)
    near = paddle.where(x < 0.00001, 1.0 - x * x / 4.0, near)
    far = _special_j_large(xl, _SPECIAL_J0_PP, _SPECIAL_J0_PQ, _SPECIAL_J0_QP, _SPECIAL_J0_QQ,
                           paddle.full_like(xl, 25.0) / (xl * xl), 0.785398163397448309615660845819875721, False)
    return paddle.where(small, near, far)


def _special_j1(x):
    import paddle
    negative = x < 0.0
    x = paddle.abs(x)
    small = x <= 5.0
    xs = paddle.where(small, x, paddle.ones_like(x))
    xl = paddle.where(small, paddle.full_like(x, 10.0), x)
    near = _special_horner(xs * xs, _SPECIAL_J1_RP) / _special_horner(xs * xs, _SPECIAL_J1_RQ) * xs * \
        (xs * xs - 1.46819706421238932572e+01) * (xs * xs - 4.92184563216946036703e+01)
    five = paddle.full_like(xl, 5.0) / xl
    far = _special_j_large(xl, _SPECIAL_J1_PP, _SPECIAL_J1_PQ, _SPECIAL_J1_QP, _SPECIAL_J1_QQ, five * five,
                           2.356194490192344928846982537459627163, False)
    value = paddle.where(small, near, far)
    return paddle.where(negative, -value, value)


def _special_y(x, order):
    import paddle
    small = x <= 5.0
    xs = paddle.where(small & (x > 0), x, paddle.ones_like(x))
    xl = paddle.where(small, paddle.full_like(x, 10.0), x)
    if order == 0:
        near = _special_horner(xs * xs, _SPECIAL_Y0_YP) / _special_horner(xs * xs, _SPECIAL_Y0_YQ) + \
            0.636619772367581343075535053490057448 * paddle.log(xs) * _special_j0(xs)
        far = _special_j_large(xl, _SPECIAL_Y0_PP, _SPECIAL_Y0_PQ, _SPECIAL_Y0_QP, _SPECIAL_Y0_QQ,
                               paddle.full_like(xl, 25.0) / (xl * xl), 0.785398163397448309615660845819875721, True)
    else:
        near = xs * (_special_horner(xs * xs, _SPECIAL_Y1_YP) / _special_horner(xs * xs, _SPECIAL_Y1_YQ)) + \
            0.636619772367581343075535053490057448 * (_special_j1(xs) * paddle.log(xs) - 1.0 / xs)
        five = paddle.full_like(xl, 5.0) / xl
        far = _special_j_large(xl, _SPECIAL_Y1_PP, _SPECIAL_Y1_PQ, _SPECIAL_Y1_QP, _SPECIAL_Y1_QQ, five * five,
                               2.356194490192344928846982537459627163, True)
    near = paddle.where(x == 0, paddle.full_like(x, float("-inf")),
                        paddle.where(x < 0, paddle.full_like(x, float("nan")), near))
    return paddle.where(small, near, far)


def _special_k(x, order, scaled):
    import paddle
    small = x <= 2.0
    xs = paddle.where(small & (x > 0), x, paddle.ones_like(x))
    xl = paddle.where(small, paddle.full_like(x, 4.0), x)
    a, p = _special_recurrence(xs * xs - 2.0, _SPECIAL_K0_A if order == 0 else _SPECIAL_K1_A)
    if order == 0:
        near = 0.5 * (a - p) - paddle.log(0.5 * xs) * paddle.i0(xs)
    else:
        near = paddle.log(0.5 * xs) * paddle.i1(xs) + 0.5 * (a - p) / xs
    b, p = _special_recurrence(paddle.full_like(xl, 8.0) / xl - 2.0, _SPECIAL_K0_B if order == 0 else _SPECIAL_K1_B)
    if scaled:
        near = near * paddle.exp(xs)
        far = 0.5 * (b - p) / paddle.sqrt(xl)
    else:
        far = paddle.exp(-xl) * (0.5 * (b - p)) / paddle.sqrt(xl)
    value = paddle.where(small, near, far)
    value = paddle.where(x < 0, paddle.full_like(x, float("nan")), value)
    return paddle.where(x == 0, paddle.full_like(x, float("inf")), value)


def _special_unary(input, function):
    x, name = _special_input(input)
    return function(x).astype(name)


def special_bessel_j0(input):
    """torch.special.bessel_j0: the Bessel function of the first kind of order 0."""
    return _special_unary(input, _special_j0)


def special_bessel_j1(input):
    """torch.special.bessel_j1: the Bessel function of the first kind of order 1."""
    return _special_unary(input, _special_j1)


def special_bessel_y0(input):
    """torch.special.bessel_y0: the Bessel function of the second kind of order 0 (-inf at 0, NaN below)."""
    return _special_unary(input, lambda x: _special_y(x, 0))


def special_bessel_y1(input):
    """torch.special.bessel_y1: the Bessel function of the second kind of order 1 (-inf at 0, NaN below)."""
    return _special_unary(input, lambda x: _special_y(x, 1))


def special_modified_bessel_k0(input):
    """torch.special.modified_bessel_k0: the modified Bessel function of the second kind of order 0."""
    return _special_unary(input, lambda x: _special_k(x, 0, False))


def special_modified_bessel_k1(input):
    """torch.special.modified_bessel_k1: the modified Bessel function of the second kind of order 1."""
    return _special_unary(input, lambda x: _special_k(x, 1, False))


def special_scaled_modified_bessel_k0(input):
    """torch.special.scaled_modified_bessel_k0: exp(x) * K0(x), finite where K0 underflows."""
    return _special_unary(input, lambda x: _special_k(x, 0, True))


def special_scaled_modified_bessel_k1(input):
    """torch.special.scaled_modified_bessel_k1: exp(x) * K1(x), finite where K1 underflows."""
    return _special_unary(input, lambda x: _special_k(x, 1, True))


def special_spherical_bessel_j0(input):
    """torch.special.spherical_bessel_j0: sin(x) / x, by its Taylor series below |x| = 0.5, 0 at +-inf."""
    import paddle

    def j0(x):
        s = x * x
        series = 1.0 + s * (-1.0 / 6.0 + s * (1.0 / 120.0 + s * (-1.0 / 5040.0 + s * (
            1.0 / 362880.0 + s * (-1.0 / 39916800.0 + s * (1.0 / 6227020800.0))))))
        value = paddle.where(paddle.abs(x) < 0.5, series, paddle.sin(x) / x)
        return paddle.where(paddle.isinf(x), paddle.zeros_like(x), value)
    return _special_unary(input, j0)


def _special_erfcx64(x, square=None):
    """erfcx in float64: exp(x**2) * erfc(x) below 10 (erfc by the incomplete gamma, accurate in the tail), the
    asymptotic series 1 / (x sqrt(pi)) * sum (-1)**k (2k-1)!! / (2x**2)**k above, 2 exp(x**2) - erfcx(-x) for x < 0."""
    import paddle
    ax = paddle.abs(x)
    mid = paddle.where(ax < 10.0, ax, paddle.zeros_like(ax))
    direct = paddle.exp(mid * mid) * erfc(mid)
    big = paddle.where(ax >= 10.0, ax, paddle.full_like(ax, 10.0))
    inv = 1.0 / (2.0 * big * big)
    term = paddle.ones_like(big)
    series = paddle.ones_like(big)
    for k in range(1, 16):
        term = -term * (2 * k - 1) * inv
        series = series + term
    tail = series / (big * 1.7724538509055160273)
    positive = paddle.where(ax < 10.0, direct, tail)
    positive = paddle.where(paddle.isinf(ax), paddle.zeros_like(ax), positive)
    negative = 2.0 * paddle.exp(x * x if square is None else square) - positive
    return paddle.where(paddle.isnan(x), x, paddle.where(x < 0, negative, positive))


def special_erfcx(input):
    """torch.special.erfcx: exp(x**2) * erfc(x), finite for large x where the product overflows; computed in
    float64 (see _special_erfcx64) and rounded to the input's dtype."""
    x, name = _special_input(input)
    return _special_erfcx64(x.astype("float64"), (x * x).astype("float64")).astype(name)  # x**2 rounded as torch's


def special_log_ndtr(input):
    """torch.special.log_ndtr: log of the standard normal CDF, as torch computes it: log(erfcx(-t) / 2) - t**2 for
    x < -1 (finite deep in the lower tail), log1p(-erfc(t) / 2) above, t = x / sqrt(2); in float64, rounded to the
    input's dtype."""
    import paddle
    x, name = _special_input(input)
    t = (x * 0.70710678118654752440).astype("float64")  # rounded in the input's dtype, as torch's
    x = x.astype("float64")
    low = paddle.where(x < -1.0, t, paddle.full_like(t, -1.0))
    lower = paddle.log(_special_erfcx64(-low) / 2) - low * low
    upper = paddle.log1p(-erfc(t) / 2)
    return paddle.where(x < -1.0, lower, upper).astype(name)


_SPECIAL_NDTRI_P0 = (-5.99633501014107895267E1, 9.80010754185999661536E1, -5.66762857469070293439E1,
                     1.39312609387279679503E1, -1.23916583867381258016E0)
_SPECIAL_NDTRI_Q0 = (1.0, 1.95448858338141759834E0, 4.67627912898881538453E0, 8.63602421390890590575E1,
                     -2.25462687854119370527E2, 2.00260212380060660359E2, -8.20372256168333339912E1,
                     1.59056225126211695515E1, -1.18331621121330003142E0)
_SPECIAL_NDTRI_P1 = (4.05544892305962419923E0, 3.15251094599893866154E1, 5.71628192246421288162E1,
                     4.40805073893200834700E1, 1.46849561928858024014E1, 2.18663306850790267539E0,
                     -1.40256079171354495875E-1, -3.50424626827848203418E-2, -8.57456785154685413611E-4)
_SPECIAL_NDTRI_Q1 = (1.0, 1.57799883256466749731E1, 4.53907635128879210584E1, 4.13172038254672030440E1,
                     1.50425385692907503408E1, 2.50464946208309415979E0, -1.42182922854787788574E-1,
                     -3.80806407691578277194E-2, -9.33259480895457427372E-4)
_SPECIAL_NDTRI_P2 = (3.23774891776946035970E0, 6.91522889068984211695E0, 3.93881025292474443415E0,
                     1.33303460815807542389E0, 2.01485389549179081538E-1, 1.23716634817820021358E-2,
                     3.01581553508235416007E-4, 2.65806974686737550832E-6, 6.23974539184983293730E-9)
_SPECIAL_NDTRI_Q2 = (1.0, 6.02427039364742014255E0, 3.67983563856160859403E0, 1.37702099489081330271E0,
                     2.16236993594496635890E-1, 1.34204006088543189037E-2, 3.28014464682127739104E-4,
                     2.89247864745380683936E-6, 6.79019408009981274425E-9)


def special_ndtri(input):
    """torch.special.ndtri: the inverse of the standard normal CDF, Cephes' ndtri as torch's (ATen Math.h
    calc_ndtri): a rational function of p - 1/2 in the middle, of 1 / sqrt(-2 log p) in the tails (exact deep in
    the lower tail, where sqrt(2) * erfinv(2p - 1) rounds to -inf); -inf at 0, inf at 1, NaN outside [0, 1].
    Computed in the input's dtype (integers: the default float dtype), as torch's."""
    import paddle
    p, name = _special_input(input)
    one = paddle.ones_like(p)
    upper = p > 1.0 - paddle.full_like(p, 0.13533528323661269189)  # 1 - exp(-2), rounded in the dtype as torch's
    y = paddle.where(upper, one - p, p)
    middle = y > 0.13533528323661269189
    h = paddle.where(middle, y, paddle.full_like(p, 0.5)) - 0.5
    h2 = h * h
    central = (h + h * (h2 * _special_horner(h2, _SPECIAL_NDTRI_P0) / _special_horner(h2, _SPECIAL_NDTRI_Q0))) * \
        2.50662827463100050242
    safe = paddle.where(middle | (y <= 0.0) | paddle.isnan(y), paddle.full_like(p, 0.01), y)
    x = paddle.sqrt(-2.0 * paddle.log(safe))
    x0 = x - paddle.log(x) / x
    z = one / x
    near = z * _special_horner(z, _SPECIAL_NDTRI_P1) / _special_horner(z, _SPECIAL_NDTRI_Q1)
    far = z * _special_horner(z, _SPECIAL_NDTRI_P2) / _special_horner(z, _SPECIAL_NDTRI_Q2)
    tail = x0 - paddle.where(x < 8.0, near, far)
    tail = paddle.where(upper, tail, -tail)
    out = paddle.where(middle, central, tail)
    out = paddle.where(p <= 0.0, paddle.full_like(p, float("-inf")), out)  # not ==: Paddle's float == is within 1e-15
    out = paddle.where(p >= 1.0, paddle.full_like(p, float("inf")), out)
    out = paddle.where((p < 0.0) | (p > 1.0) | paddle.isnan(p), paddle.full_like(p, float("nan")), out)
    return out.astype(name)


_SPECIAL_ZETA_A = (12.0, -720.0, 30240.0, -1209600.0, 47900160.0, -1.8924375803183791606e9, 7.47242496e10,
                   -2.950130727918164224e12, 1.1646782814350067249e14, -4.5979787224074726105e15,
                   1.8152105401943546773e17, -7.1661652561756670113e18)


def special_zeta(input, other):
    """torch.special.zeta: the Hurwitz zeta function sum_k (k + q) ** -x, Cephes' zeta as torch's (ATen Math.h):
    the direct sum until its terms fall below 1.1e-16 of it or past k + q > 9 (at least 9 terms), then the
    Euler-Maclaurin tail, each element stopping where torch's loop returns.  inf at x = 1 and at q a non-positive
    integer, NaN for x < 1 and for q <= 0 with a non-integer x.  Operands broadcast and promote as torch's
    (integers: the default float dtype); float32 is computed in float64, torch's accumulation type."""
    import paddle
    (x, q), name = _math_as_tensors(input, other, floating=True)
    x, q = paddle.broadcast_tensors([x, q])
    work = "float32" if name in ("float16", "bfloat16") else "float64"
    machep = 1.11022302462515654042E-16
    above = ~(x <= 1.0)  # x > 1 or NaN: torch's checks of q come after those of x
    q_integer = q <= paddle.floor(q)  # not ==: Paddle's float == holds within 1e-15
    x_integer = x <= paddle.floor(x)
    pole = ((x <= 1.0) & (x >= 1.0)) | (above & (q <= 0.0) & q_integer)
    undefined = (x < 1.0) | (above & (q <= 0.0) & ~q_integer & ~x_integer)
    special = pole | undefined
    x = paddle.where(special, paddle.full_like(x, 2.0), x)
    q = paddle.where(special, paddle.ones_like(q), q)
    s = paddle.pow(q, -x).astype(work)  # the first term in the input's dtype, as torch's std::pow(q, -x)
    x, q = x.astype(work), q.astype(work)
    a = q
    b = paddle.zeros_like(q)
    done = paddle.zeros_like(q, dtype="bool")  # converged in the direct sum
    i = 0
    while True:
        going = ~done & ((a <= 9.0) if i >= 9 else paddle.ones_like(done))
        if not bool(going.any()):
            break
        i += 1
        a = paddle.where(going, a + 1.0, a)
        b = paddle.where(going, paddle.pow(a, -x), b)
        s = paddle.where(going, s + b, s)
        done = done | (going & (-machep * s < b) & (b < machep * s))
    w = a
    tail = s + b * w / (x - 1.0)
    tail = tail - 0.5 * b
    a = paddle.ones_like(q)
    k = 0.0
    settled = done
    for coefficient in _SPECIAL_ZETA_A:
        a = a * (x + k)
        b = b / w
        t = a * b / coefficient
        tail = paddle.where(settled, tail, tail + t)
        settled = settled | (paddle.abs(t / tail) < machep)
        k += 1.0
        a = a * (x + k)
        b = b / w
        k += 1.0
    out = paddle.where(done, s, tail)
    out = paddle.where(pole, paddle.full_like(out, float("inf")), out)
    out = paddle.where(undefined, paddle.full_like(out, float("nan")), out)
    return out.astype(name)


def istft(input, n_fft, hop_length=None, win_length=None, window=None, center=True, normalized=False,
          onesided=None, length=None, return_complex=False):
    """torch.istft: the inverse short-time Fourier transform, as torch computes it (SpectralOps.cpp): inverse FFT
    of each frame ([..., freq, frames] in; 1/n, or 1/sqrt(n) when ``normalized``), times the window (ones of
    ``win_length`` when None, centred in ``n_fft``), overlap-added and divided by the overlap-added squared window;
    ``center`` drops n_fft // 2 samples at each end; ``length`` trims or pads with zeros at the end.  ``onesided``
    None means a one-sided spectrum unless the input has n_fft frequency rows; a two-sided spectrum with
    ``return_complex=False`` uses its first n_fft // 2 + 1 rows, as torch's.  paddle.signal.istft fails for an
    odd n_fft and ignores a ``length`` past the signal's end."""
    import paddle
    hop_length = n_fft // 4 if hop_length is None else hop_length
    win_length = n_fft if win_length is None else win_length
    if input.ndim not in (2, 3) or not input.is_complex():
        raise RuntimeError("istft requires a complex-valued input tensor of 2 or 3 dimensions (freq, frames)")
    batched = input.ndim == 3
    spec = input if batched else input.unsqueeze(0)
    frames = spec.shape[-1]
    if onesided is None:
        onesided = spec.shape[-2] != n_fft
    real_name = "float64" if spec.dtype == paddle.complex128 else "float32"
    if window is None:
        window = paddle.ones([win_length], dtype=real_name)
    if window.shape[0] != win_length:
        raise RuntimeError(f"istft: expected a window of length win_length={win_length}, got {window.shape[0]}")
    left = (n_fft - win_length) // 2
    if win_length < n_fft:
        window = paddle.concat([paddle.zeros([left], dtype=window.dtype), window,
                                paddle.zeros([n_fft - win_length - left], dtype=window.dtype)])
    norm = "ortho" if normalized else "backward"
    frames_last = spec.transpose([0, 2, 1])  # [batch, frames, freq]
    if return_complex:
        if onesided:
            raise RuntimeError("Cannot have onesided output if window or input is complex")
        y = paddle.fft.ifft(frames_last, n_fft, axis=-1, norm=norm)
    else:
        if window.is_complex():
            raise RuntimeError("Complex windows are incompatible with return_complex=False")
        if not onesided:
            frames_last = frames_last[..., :n_fft // 2 + 1]
        y = paddle.fft.irfft(frames_last, n_fft, axis=-1, norm=norm)
    y = (y * window).transpose([0, 2, 1])  # [batch, n_fft, frames]
    if y.is_complex():
        y = paddle.complex(paddle.signal.overlap_add(paddle.real(y), hop_length),
                           paddle.signal.overlap_add(paddle.imag(y), hop_length))
    else:
        y = paddle.signal.overlap_add(y, hop_length)
    square = window.abs() ** 2 if window.is_complex() else window * window
    envelope = paddle.signal.overlap_add(square.unsqueeze(-1).expand([n_fft, frames]), hop_length)
    expected = n_fft + hop_length * (frames - 1)
    start = n_fft // 2 if center else 0
    end = start + length if length is not None else (expected - n_fft // 2 if center else expected)
    stop = min(end, expected)
    y = y[:, start:stop]
    envelope = envelope[start:stop]
    if bool((envelope.abs() < 1e-11).any()):
        raise RuntimeError("istft: window overlap add min: 0 (the window does not satisfy NOLA)")
    y = y / envelope.astype(y.dtype) if y.is_complex() else y / envelope
    if end > expected:
        y = paddle.concat([y, paddle.zeros([y.shape[0], end - expected], dtype=y.dtype)], axis=1)
    return y if batched else y.squeeze(0)


def poisson(input, generator=None):
    """torch.poisson: a Poisson sample per rate, as paddle.poisson, with torch's checks: a negative, NaN or infinite
    rate raises (Paddle gives 0 or garbage), and a rate near 2**31 or above raises instead of hanging
    paddle.poisson (its int32 sampler never returns there)."""
    import paddle
    if not input.is_floating_point():
        raise NotImplementedError(f'"poisson_cpu" not implemented for {input.dtype}')
    if input.numel() and not bool(((input >= 0) & paddle.isfinite(input)).all()):
        raise RuntimeError("invalid Poisson rate, expected rate to be non-negative")
    if input.numel() and bool((input >= 2.0 ** 31 - 2.0 ** 20).any()):
        raise ValueError("poisson: rates of 2**31 - 2**20 or more hang paddle.poisson")
    return paddle.poisson(input)


# -- torch.testing (mappings/creation_math.yaml)
_TESTING_TOLERANCES = {"float16": (0.001, 1e-5), "bfloat16": (0.016, 1e-5), "float32": (1.3e-6, 1e-5),
                       "float64": (1e-7, 1e-7), "complex64": (1.3e-6, 1e-5), "complex128": (1e-7, 1e-7)}
_TESTING_NUMBER_DTYPES = {int: "int64", float: "float64", complex: "complex128"}


def _testing_fail(message, msg, path, kind=AssertionError):
    if callable(msg):
        message = msg(message)
    elif msg is not None:
        message = msg
    elif path:
        message += "\n\nThe failure occurred for item " + "".join(f"[{p!r}]" for p in path)
    raise kind(message)


def _testing_tolerances(names, rtol, atol, precisions):
    if (rtol is None) != (atol is None):
        raise ValueError(f"Both 'rtol' and 'atol' must be either specified or omitted, but got no "
                         f"{'rtol' if rtol is None else 'atol'}.")
    if rtol is not None:
        return rtol, atol
    pairs = [precisions.get(n, (0.0, 0.0)) for n in names]
    return max(p[0] for p in pairs), max(p[1] for p in pairs)


def _testing_compare(actual, expected, path, options):
    import collections.abc
    import numpy as np
    import paddle
    rtol, atol, equal_nan, check_device, check_dtype, msg, allow_subclasses, precisions = options
    if actual is None or expected is None:
        if actual is None and expected is None:
            return
        _testing_fail(f"None mismatch: {actual} is not {expected}", msg, path)
    sequence = (collections.abc.Sequence, )
    if isinstance(actual, sequence) and isinstance(expected, sequence) and not isinstance(actual, str) \
            and not isinstance(expected, str):
        if len(actual) != len(expected):
            _testing_fail(f"The length of the sequences mismatch: {len(actual)} != {len(expected)}", msg, path)
        for i, (a, e) in enumerate(zip(actual, expected)):
            _testing_compare(a, e, path + [i], options)
        return
    if isinstance(actual, collections.abc.Mapping) and isinstance(expected, collections.abc.Mapping):
        if set(actual.keys()) != set(expected.keys()):
            _testing_fail(f"The keys of the mappings do not match:\nMissing keys in the actual mapping: "
                          f"{sorted(set(expected) - set(actual))}\nAdditional keys in the actual mapping: "
                          f"{sorted(set(actual) - set(expected))}", msg, path)
        for key in actual:
            _testing_compare(actual[key], expected[key], path + [key], options)
        return
    boolean = (bool, np.bool_)
    if isinstance(actual, boolean) and isinstance(expected, boolean):
        if bool(actual) != bool(expected):
            _testing_fail(f"Booleans mismatch: {actual} is not {expected}", msg, path)
        return
    if type(actual) in _TESTING_NUMBER_DTYPES and type(expected) in _TESTING_NUMBER_DTYPES:
        if check_dtype and type(actual) is not type(expected):
            _testing_fail(f"The (d)types do not match: {type(actual)} != {type(expected)}.", msg, path)
        r, a = _testing_tolerances([_TESTING_NUMBER_DTYPES[type(actual)], _TESTING_NUMBER_DTYPES[type(expected)]],
                                   rtol, atol, precisions)
        import cmath
        if actual == expected or (equal_nan and cmath.isnan(actual) and cmath.isnan(expected)):
            return
        diff = abs(actual - expected)
        if cmath.isfinite(diff) and diff <= a + r * abs(expected):
            return
        _testing_fail(f"Scalars are not {'equal' if r == 0 and a == 0 else 'close'}!\n\nExpected {expected} but "
                      f"got {actual}.\nAbsolute difference: {diff} (up to {a} allowed)\nRelative difference: "
                      f"{diff / abs(expected) if expected != 0 else float('inf')} (up to {r} allowed)", msg, path)
        return
    tensors = (paddle.Tensor, np.ndarray)
    if not (isinstance(actual, tensors) and isinstance(expected, tensors)) or type(actual) is not type(expected) \
            and (not allow_subclasses or isinstance(actual, np.ndarray) or isinstance(expected, np.ndarray)):
        _testing_fail(f"No comparison pair was able to handle inputs of type {type(actual)} and {type(expected)}.",
                      msg, path, TypeError)
    _testing_compare_tensors(actual, expected, path, options)


def _testing_compare_tensors(actual, expected, path, options):
    """assert_close's comparison of two tensors (or arrays): shape, device, dtype, then values."""
    import numpy as np
    import paddle
    rtol, atol, equal_nan, check_device, check_dtype, msg, allow_subclasses, precisions = options
    if isinstance(actual, np.ndarray):
        actual, expected = paddle.to_tensor(actual), paddle.to_tensor(expected)
    if list(actual.shape) != list(expected.shape):
        _testing_fail(f"The values for attribute 'shape' do not match: {list(actual.shape)} != "
                      f"{list(expected.shape)}.", msg, path)
    if check_device and str(actual.place) != str(expected.place):
        _testing_fail(f"The values for attribute 'device' do not match: {actual.place} != {expected.place}.",
                      msg, path)
    a_name, e_name = _math_dtype_name(actual.dtype), _math_dtype_name(expected.dtype)
    if check_dtype and a_name != e_name:
        _testing_fail(f"The values for attribute 'dtype' do not match: {actual.dtype} != {expected.dtype}.",
                      msg, path)
    r, a = _testing_tolerances([a_name, e_name], rtol, atol, precisions)
    name = _math_promote_names(a_name, e_name)
    x, y = actual.detach().astype(name), expected.detach().astype(name)
    if name == "bool":
        x, y = x.astype("int64"), y.astype("int64")
    elif _MATH_CATEGORY[name] < 2 and (r or a):
        x, y = x.astype("float64"), y.astype("float64")
    same = (x == y) if x.is_complex() else ((x <= y) & (x >= y))  # Paddle's float == is within 1e-15
    if x.is_complex():
        same = (paddle.real(x) <= paddle.real(y)) & (paddle.real(x) >= paddle.real(y)) & \
            (paddle.imag(x) <= paddle.imag(y)) & (paddle.imag(x) >= paddle.imag(y))
    close = same
    if _MATH_CATEGORY[_math_dtype_name(x.dtype)] >= 2:
        error = paddle.abs(x - y)
        allowed = a + paddle.abs(r * y)
        close = close | (paddle.isfinite(error) & (error <= allowed))
        if equal_nan:
            close = close | (paddle.isnan(x) & paddle.isnan(y))
    if bool(close.all()):
        return
    count, total = int((~close).astype("int64").sum()), max(int(close.numel()), 1)
    diff = paddle.abs(x.astype("float64") - y.astype("float64")) if not x.is_complex() else paddle.abs(x - y)
    diff = paddle.where(close, paddle.zeros_like(diff), diff)
    rel = diff / paddle.abs(y.astype(diff.dtype) if not y.is_complex() else paddle.abs(y))
    kind = "equal" if r == 0 and a == 0 else "close"
    if actual.ndim == 0:
        message = (f"Scalars are not {kind}!\n\nExpected {expected.item()} but got {actual.item()}.\n"
                   f"Absolute difference: {float(diff)} (up to {a} allowed)\n"
                   f"Relative difference: {float(rel)} (up to {r} allowed)")
    else:
        where_abs = tuple(int(i) for i in np.unravel_index(int(diff.argmax()), actual.shape))
        where_rel = tuple(int(i) for i in np.unravel_index(int(paddle.nan_to_num(rel, nan=float("inf")).argmax()),
                                                           actual.shape))
        message = (f"Tensor-likes are not {kind}!\n\nMismatched elements: {count} / {total} "
                   f"({100.0 * count / total:.1f}%)\n"
                   f"Greatest absolute difference: {float(diff.max())} at index {where_abs}"
                   f"{f' (up to {a} allowed)' if kind == 'close' else ''}\n"
                   f"Greatest relative difference: {float(rel.max())} at index {where_rel}"
                   f"{f' (up to {r} allowed)' if kind == 'close' else ''}")
    _testing_fail(message, msg, path)


def testing_assert_close(actual, expected, *, allow_subclasses=True, rtol=None, atol=None, equal_nan=False,
                         check_device=True, check_dtype=True, check_layout=True, check_stride=False, msg=None):
    """torch.testing.assert_close: raises AssertionError unless ``actual`` and ``expected`` (tensors, numpy
    arrays, Python numbers and booleans, None, or sequences and mappings of these, compared item by item) match:
    same shape, device and (check_dtype) dtype, and |actual - expected| <= atol + rtol * |expected| elementwise
    (NaNs equal when ``equal_nan``), with torch's default tolerances per dtype (float32: rtol 1.3e-6, atol 1e-5;
    float64: 1e-7, 1e-7; integers and bool: exact), the loosest of the two dtypes.  ``msg`` (a string, or a
    function of the default message) replaces the message.  A tensor is not compared with a number or a list
    (TypeError, as torch).  Strides cannot be compared (Paddle's are not torch's): check_stride=True raises."""
    if check_stride:
        raise NotImplementedError("assert_close(check_stride=True): Paddle's strides are not torch's")
    _testing_compare(actual, expected, [], (rtol, atol, equal_nan, check_device, check_dtype, msg, allow_subclasses,
                                            _TESTING_TOLERANCES))


def testing_assert_allclose(actual, expected, rtol=None, atol=None, equal_nan=True, msg=""):
    """torch.testing.assert_allclose (deprecated in torch): non-tensors become tensors (``expected`` in
    ``actual``'s dtype), dtypes are not compared, NaNs are equal by default and the default tolerances are the
    older ones (float16: 1e-3, 1e-3; float32: rtol 1e-4, atol 1e-5; float64: 1e-5, 1e-8)."""
    import paddle
    if not isinstance(actual, paddle.Tensor):
        actual = paddle.to_tensor(actual)
    if not isinstance(expected, paddle.Tensor):
        expected = paddle.to_tensor(expected, dtype=actual.dtype)
    precisions = {"float16": (1e-3, 1e-3), "float32": (1e-4, 1e-5), "float64": (1e-5, 1e-8)}
    if rtol is None and atol is None:
        names = [_math_dtype_name(actual.dtype), _math_dtype_name(expected.dtype)]
        rtol, atol = _testing_tolerances(names, None, None, precisions)
    _testing_compare(actual, expected, [], (rtol, atol, equal_nan, True, False, msg or None, True,
                                            _TESTING_TOLERANCES))
