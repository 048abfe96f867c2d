"""Bad input raises torch's exception type and message.

Each case is one function of the library (``L`` is ``ndgrad`` or ``torch``). EXPECTED holds
the type and message torch 2.13 gives, with ``torch.`` written ``ndgrad.``, so the checks run
without torch; with torch installed the same cases are also run through it.
"""

import numpy as np
import pytest

import ndgrad


def _inplace(op):
    def f(L):
        x = L.ones(2, 2, requires_grad=True)
        op(L, x)

    return f


def _second(unary):
    def f(L):
        x = L.ones(3, requires_grad=True)
        y = unary(x).sum()
        y.backward()
        y.backward()

    return f


def modified_output(L):
    x = L.ones(3, requires_grad=True)
    y = x.exp()
    y.add_(1)
    y.sum().backward()


def modified_input(L):
    x = L.ones(3, requires_grad=True)
    a = x * 2
    y = a * a
    a.mul_(3)
    y.sum().backward()


def modified_leaf(L):
    x = L.ones(3, requires_grad=True)
    y = (x * x).sum()
    with L.no_grad():
        x.add_(1)
    y.backward()


def modified_view(L):
    x = L.ones(2, 3, requires_grad=True)
    a = x * 1
    y = a.sin()
    a[0].zero_()
    y.sum().backward()


def set_rg(L):
    t = L.tensor([1, 2])
    t.requires_grad = True


def set_grad(value):
    def f(L):
        x = L.ones(2, 3, requires_grad=True)
        x.grad = value(L)

    return f


def set_data_int(L):
    x = L.ones(2, requires_grad=True)
    x.data = L.tensor([1, 2])


def nonleaf_rg_false(L):
    y = L.ones(2, requires_grad=True) * 2
    y.requires_grad = False


def setitem(index):
    def f(L):
        t = L.ones(2, 3)
        t[index] = 1.0

    return f


CASES = {
    "bool_sub": lambda L: L.tensor([True, False]) - L.tensor([True, True]),
    "bool_rsub": lambda L: True - L.tensor([True, False]),
    "broadcast_add": lambda L: L.ones(2, 3) + L.ones(4, 3),
    "broadcast_mul_3d": lambda L: L.ones(2, 1, 3) * L.ones(5, 4),
    "broadcast_sub_last_dim": lambda L: L.ones(3) - L.ones(2),
    "broadcast_eq": lambda L: L.ones(2, 3) == L.ones(3, 2),
    "broadcast_inplace": lambda L: L.ones(2, 3).add_(L.ones(2, 2, 3)),
    "matmul_2d_2d": lambda L: L.ones(2, 3) @ L.ones(4, 5),
    "matmul_2d_1d": lambda L: L.ones(2, 3) @ L.ones(4),
    "matmul_1d_2d": lambda L: L.ones(3) @ L.ones(4, 5),
    "matmul_1d_1d": lambda L: L.ones(3) @ L.ones(4),
    "matmul_3d_3d": lambda L: L.ones(2, 2, 3) @ L.ones(2, 4, 5),
    "matmul_3d_2d": lambda L: L.ones(2, 2, 3) @ L.ones(4, 5),
    "matmul_2d_3d": lambda L: L.ones(2, 3) @ L.ones(2, 4, 5),
    "matmul_3d_1d": lambda L: L.ones(2, 2, 3) @ L.ones(4),
    "matmul_1d_3d": lambda L: L.ones(3) @ L.ones(2, 4, 5),
    "matmul_batch_mismatch": lambda L: L.ones(2, 2, 3) @ L.ones(3, 3, 5),
    "matmul_batch_broadcast": lambda L: L.ones(2, 2, 2, 3) @ L.ones(3, 2, 3, 4),
    "matmul_batch_and_inner": lambda L: L.ones(2, 2, 2, 3) @ L.ones(3, 2, 4, 5),
    "matmul_0d_left": lambda L: L.tensor(2.0) @ L.ones(3),
    "matmul_0d_right": lambda L: L.ones(3) @ L.tensor(2.0),
    "matmul_fn": lambda L: L.matmul(L.ones(2, 3), L.ones(2, 3)),
    "mm_shapes": lambda L: L.mm(L.ones(2, 3), L.ones(4, 5)),
    "mm_1d": lambda L: L.mm(L.ones(3), L.ones(3, 2)),
    "requires_grad_int_tensor": lambda L: L.tensor([1, 2], requires_grad=True),
    "requires_grad_int_zeros": lambda L: L.zeros(2, dtype=L.int64, requires_grad=True),
    "requires_grad_bool_tensor": lambda L: L.tensor([True], requires_grad=True),
    "requires_grad_int_method": lambda L: L.tensor([1, 2]).requires_grad_(),
    "requires_grad_int_attr": set_rg,
    "requires_grad_nonleaf_false": nonleaf_rg_false,
    "backward_no_grad_fn": lambda L: L.ones(2).sum().backward(),
    "backward_leaf_no_grad": lambda L: L.tensor(1.0).backward(),
    "backward_implicit_nonscalar": lambda L: (L.ones(2, requires_grad=True) * 2).backward(),
    "backward_implicit_nonscalar_leaf": lambda L: L.ones(2, requires_grad=True).backward(),
    "backward_grad_wrong_shape": (
        lambda L: (L.ones(2, requires_grad=True) * 2).backward(L.ones(3))
    ),
    "backward_grad_wrong_shape_scalar": (
        lambda L: L.ones(2, 2, requires_grad=True).sum().backward(L.ones(2))
    ),
    "inplace_leaf_add_": _inplace(lambda L, x: x.add_(1)),
    "inplace_leaf_mul_": _inplace(lambda L, x: x.mul_(2)),
    "inplace_leaf_zero_": _inplace(lambda L, x: x.zero_()),
    "inplace_leaf_fill_": _inplace(lambda L, x: x.fill_(3.0)),
    "inplace_leaf_copy_": _inplace(lambda L, x: x.copy_(L.zeros(2, 2))),
    "inplace_leaf_iadd": _inplace(lambda L, x: x.__iadd__(1)),
    "inplace_leaf_setitem_all": _inplace(lambda L, x: x.__setitem__(Ellipsis, 0.0)),
    "inplace_view_select": _inplace(lambda L, x: x[0].mul_(2)),
    "inplace_view_view": _inplace(lambda L, x: x.view(4).add_(1)),
    "inplace_view_t": _inplace(lambda L, x: x.t().zero_()),
    "inplace_view_setitem_slice": _inplace(lambda L, x: x.__setitem__(slice(0, 1), 0.0)),
    "inplace_view_setitem_int": _inplace(lambda L, x: x.__setitem__(0, 0.0)),
    "second_backward_mul": _second(lambda x: x * x),
    "second_backward_exp": _second(lambda x: x.exp()),
    "second_backward_div": _second(lambda x: 1 / (x + 1)),
    "modified_saved_output": modified_output,
    "modified_saved_input": modified_input,
    "modified_saved_leaf": modified_leaf,
    "modified_saved_through_view": modified_view,
    "tensor_str": lambda L: L.tensor("abc"),
    "tensor_bytes": lambda L: L.tensor(b"ab"),
    "tensor_list_with_str": lambda L: L.tensor([1, "a"]),
    "tensor_none": lambda L: L.tensor(None),
    "tensor_object": lambda L: L.tensor([object()]),
    "tensor_dict": lambda L: L.tensor({1: 2}),
    "tensor_set": lambda L: L.tensor({1, 2}),
    "tensor_ragged": lambda L: L.tensor([[1, 2], [3]]),
    "item_many": lambda L: L.ones(3).item(),
    "item_empty": lambda L: L.ones(0).item(),
    "size_dim": lambda L: L.ones(2, 3).size(2),
    "size_negative_dim": lambda L: L.ones(2, 3).size(-3),
    "size_0d": lambda L: L.tensor(1.0).size(1),
    "sum_dim": lambda L: L.ones(2, 3).sum(5),
    "mean_dim": lambda L: L.ones(2, 3).mean(-3),
    "transpose_dim": lambda L: L.ones(2, 3).transpose(0, 2),
    "unsqueeze_dim": lambda L: L.ones(2, 3).unsqueeze(3),
    "squeeze_dim": lambda L: L.ones(2, 3).squeeze(2),
    "permute_dim": lambda L: L.ones(2, 3).permute(0, 2),
    "flatten_dim": lambda L: L.ones(2, 3).flatten(0, 2),
    "view_noncontiguous": lambda L: L.ones(2, 3).t().view(6),
    "view_permuted": lambda L: L.ones(2, 3, 4).permute(2, 0, 1).view(-1),
    "view_bad_size": lambda L: L.ones(2, 3).view(4),
    "view_two_inferred": lambda L: L.ones(2, 3).view(-1, -1),
    "reshape_bad_size": lambda L: L.ones(2, 3).reshape(4, 2),
    "expand_mismatch": lambda L: L.ones(2, 3).expand(4, 3),
    "expand_trailing": lambda L: L.ones(3).expand(2, 2),
    "expand_new_dim_mismatch": lambda L: L.ones(2, 3).expand(2, 3, 4),
    "expand_too_few_sizes": lambda L: L.ones(2, 3).expand(3),
    "index_int": lambda L: L.ones(2, 3)[2],
    "index_negative": lambda L: L.ones(2, 3)[-3],
    "index_second_dim": lambda L: L.ones(2, 3)[0, 5],
    "index_after_slice": lambda L: L.ones(2, 3)[:, 3],
    "index_after_ellipsis": lambda L: L.ones(2, 3)[..., 3],
    "index_too_many": lambda L: L.ones(2, 3)[0, 0, 0],
    "index_0d": lambda L: L.tensor(1.0)[0],
    "index_tensor": lambda L: L.ones(2, 3)[L.tensor([0, 5])],
    "index_list": lambda L: L.ones(2, 3)[[0, 5]],
    "index_mask_shape": lambda L: L.ones(2, 3)[L.tensor([True, False, True])],
    "setitem_int": setitem(4),
    "setitem_tuple": setitem((0, 3)),
    "numpy_requires_grad": lambda L: L.ones(2, requires_grad=True).numpy(),
    "numpy_nonleaf": lambda L: (L.ones(2, requires_grad=True) * 2).numpy(),
    "grad_set_wrong_shape": set_grad(lambda L: L.ones(3, 2)),
    "grad_set_wrong_type": set_grad(lambda L: 3.0),
    "grad_set_wrong_dtype": set_grad(lambda L: L.ones(2, 3, dtype=L.float64)),
    "data_set_int_on_requires_grad": set_data_int,
    "retain_grad_no_requires_grad": lambda L: L.ones(2).retain_grad(),
    "set_default_dtype_int": lambda L: L.set_default_dtype(L.int64),
    "copy_incompatible": lambda L: L.ones(2, 3).copy_(L.ones(4)),
    "fill_with_vector": lambda L: L.ones(2, 3).fill_(L.ones(2)),
    "t_3d": lambda L: L.ones(2, 3, 4).t(),
}

# The modified-in-place errors are pinned up to their ' Hint:' sentence only.
_BOOL_SUB = (
    "Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or "
    "`logical_xor()` operator instead."
)
EXPECTED = {
    "bool_sub": (RuntimeError, _BOOL_SUB),
    "bool_rsub": (RuntimeError, _BOOL_SUB),
    "broadcast_add": (
        RuntimeError,
        "The size of tensor a (2) must match the size of tensor b (4) at non-singleton dimension 0",
    ),
    "broadcast_mul_3d": (
        RuntimeError,
        "The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 2",
    ),
    "broadcast_sub_last_dim": (
        RuntimeError,
        "The size of tensor a (3) must match the size of tensor b (2) at non-singleton dimension 0",
    ),
    "broadcast_eq": (
        RuntimeError,
        "The size of tensor a (3) must match the size of tensor b (2) at non-singleton dimension 1",
    ),
    "broadcast_inplace": (
        RuntimeError,
        "output with shape [2, 3] doesn't match the broadcast shape [2, 2, 3]",
    ),
    "matmul_2d_2d": (RuntimeError, "mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)"),
    "matmul_2d_1d": (RuntimeError, "size mismatch, got input (2), mat (2x3), vec (4)"),
    "matmul_1d_2d": (RuntimeError, "mat1 and mat2 shapes cannot be multiplied (1x3 and 4x5)"),
    "matmul_1d_1d": (
        RuntimeError,
        "inconsistent tensor size, expected tensor [3] and src [4] to have the same number of elements, but got 3 and 4 elements respectively",
    ),
    "matmul_3d_3d": (
        RuntimeError,
        "Expected size for first two dimensions of batch2 tensor to be: [2, 3] but got: [2, 4].",
    ),
    "matmul_3d_2d": (RuntimeError, "mat1 and mat2 shapes cannot be multiplied (4x3 and 4x5)"),
    "matmul_2d_3d": (
        RuntimeError,
        "Expected size for first two dimensions of batch2 tensor to be: [2, 3] but got: [2, 4].",
    ),
    "matmul_3d_1d": (RuntimeError, "size mismatch, got input (4), mat (4x3), vec (4)"),
    "matmul_1d_3d": (
        RuntimeError,
        "Expected size for first two dimensions of batch2 tensor to be: [2, 3] but got: [2, 4].",
    ),
    "matmul_batch_mismatch": (
        RuntimeError,
        "The size of tensor a (2) must match the size of tensor b (3) at non-singleton dimension 0",
    ),
    "matmul_batch_broadcast": (
        RuntimeError,
        "The size of tensor a (2) must match the size of tensor b (3) at non-singleton dimension 0",
    ),
    "matmul_batch_and_inner": (
        RuntimeError,
        "The size of tensor a (2) must match the size of tensor b (3) at non-singleton dimension 0",
    ),
    "matmul_0d_left": (
        RuntimeError,
        "both arguments to matmul need to be at least 1D, but they are 0D and 1D",
    ),
    "matmul_0d_right": (
        RuntimeError,
        "both arguments to matmul need to be at least 1D, but they are 1D and 0D",
    ),
    "matmul_fn": (RuntimeError, "mat1 and mat2 shapes cannot be multiplied (2x3 and 2x3)"),
    "mm_shapes": (RuntimeError, "mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)"),
    "mm_1d": (RuntimeError, "self must be a matrix"),
    "requires_grad_int_tensor": (
        RuntimeError,
        "Only Tensors of floating point and complex dtype can require gradients",
    ),
    "requires_grad_int_zeros": (
        RuntimeError,
        "Only Tensors of floating point and complex dtype can require gradients",
    ),
    "requires_grad_bool_tensor": (
        RuntimeError,
        "Only Tensors of floating point and complex dtype can require gradients",
    ),
    "requires_grad_int_method": (
        RuntimeError,
        "only Tensors of floating point dtype can require gradients",
    ),
    "requires_grad_int_attr": (
        RuntimeError,
        "only Tensors of floating point and complex dtype can require gradients",
    ),
    "requires_grad_nonleaf_false": (
        RuntimeError,
        "you can only change requires_grad flags of leaf variables. If you want to use a computed variable in a subgraph that doesn't require differentiation use var_no_grad = var.detach().",
    ),
    "backward_no_grad_fn": (
        RuntimeError,
        "element 0 of tensors does not require grad and does not have a grad_fn",
    ),
    "backward_leaf_no_grad": (
        RuntimeError,
        "element 0 of tensors does not require grad and does not have a grad_fn",
    ),
    "backward_implicit_nonscalar": (
        RuntimeError,
        "grad can be implicitly created only for scalar outputs",
    ),
    "backward_implicit_nonscalar_leaf": (
        RuntimeError,
        "grad can be implicitly created only for scalar outputs",
    ),
    "backward_grad_wrong_shape": (
        RuntimeError,
        "Mismatch in shape: grad_output[0] has a shape of ndgrad.Size([3]) and output[0] has a shape of ndgrad.Size([2]).",
    ),
    "backward_grad_wrong_shape_scalar": (
        RuntimeError,
        "Mismatch in shape: grad_output[0] has a shape of ndgrad.Size([2]) and output[0] has a shape of ndgrad.Size([]).",
    ),
    "inplace_leaf_add_": (
        RuntimeError,
        "a leaf Variable that requires grad is being used in an in-place operation.",
    ),
    "inplace_leaf_mul_": (
        RuntimeError,
        "a leaf Variable that requires grad is being used in an in-place operation.",
    ),
    "inplace_leaf_zero_": (
        RuntimeError,
        "a leaf Variable that requires grad is being used in an in-place operation.",
    ),
    "inplace_leaf_fill_": (
        RuntimeError,
        "a leaf Variable that requires grad is being used in an in-place operation.",
    ),
    "inplace_leaf_copy_": (
        RuntimeError,
        "a leaf Variable that requires grad is being used in an in-place operation.",
    ),
    "inplace_leaf_iadd": (
        RuntimeError,
        "a leaf Variable that requires grad is being used in an in-place operation.",
    ),
    "inplace_leaf_setitem_all": (
        RuntimeError,
        "a leaf Variable that requires grad is being used in an in-place operation.",
    ),
    "inplace_view_select": (
        RuntimeError,
        "a view of a leaf Variable that requires grad is being used in an in-place operation.",
    ),
    "inplace_view_view": (
        RuntimeError,
        "a view of a leaf Variable that requires grad is being used in an in-place operation.",
    ),
    "inplace_view_t": (
        RuntimeError,
        "a view of a leaf Variable that requires grad is being used in an in-place operation.",
    ),
    "inplace_view_setitem_slice": (
        RuntimeError,
        "a view of a leaf Variable that requires grad is being used in an in-place operation.",
    ),
    "inplace_view_setitem_int": (
        RuntimeError,
        "a view of a leaf Variable that requires grad is being used in an in-place operation.",
    ),
    "second_backward_mul": (
        RuntimeError,
        "Trying to backward through the graph a second time (or directly access saved tensors after they have already been freed). Saved intermediate values of the graph are freed when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the graph a second time or if you need to access saved tensors after calling backward.",
    ),
    "second_backward_exp": (
        RuntimeError,
        "Trying to backward through the graph a second time (or directly access saved tensors after they have already been freed). Saved intermediate values of the graph are freed when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the graph a second time or if you need to access saved tensors after calling backward.",
    ),
    "second_backward_div": (
        RuntimeError,
        "Trying to backward through the graph a second time (or directly access saved tensors after they have already been freed). Saved intermediate values of the graph are freed when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the graph a second time or if you need to access saved tensors after calling backward.",
    ),
    "modified_saved_output": (
        RuntimeError,
        "one of the variables needed for gradient computation has been modified by an inplace operation: [ndgrad.FloatTensor [3]], which is output 0 of Exp, is at version 1; expected version 0 instead.",
    ),
    "modified_saved_input": (
        RuntimeError,
        "one of the variables needed for gradient computation has been modified by an inplace operation: [ndgrad.FloatTensor [3]], which is output 0 of Mul, is at version 1; expected version 0 instead.",
    ),
    "modified_saved_leaf": (
        RuntimeError,
        "one of the variables needed for gradient computation has been modified by an inplace operation: [ndgrad.FloatTensor [3]] is at version 1; expected version 0 instead.",
    ),
    "modified_saved_through_view": (
        RuntimeError,
        "one of the variables needed for gradient computation has been modified by an inplace operation: [ndgrad.FloatTensor [2, 3]], which is output 0 of CopySlices, is at version 1; expected version 0 instead.",
    ),
    "tensor_str": (TypeError, "new(): invalid data type 'str'"),
    "tensor_bytes": (TypeError, "new(): invalid data type 'bytes'"),
    "tensor_list_with_str": (TypeError, "new(): invalid data type 'str'"),
    "tensor_none": (RuntimeError, "Could not infer dtype of NoneType"),
    "tensor_object": (RuntimeError, "Could not infer dtype of object"),
    "tensor_dict": (RuntimeError, "Could not infer dtype of dict"),
    "tensor_set": (RuntimeError, "Could not infer dtype of set"),
    "tensor_ragged": (ValueError, "expected sequence of length 2 at dim 1 (got 1)"),
    "item_many": (RuntimeError, "a Tensor with 3 elements cannot be converted to Scalar"),
    "item_empty": (RuntimeError, "a Tensor with 0 elements cannot be converted to Scalar"),
    "size_dim": (
        IndexError,
        "Dimension out of range (expected to be in range of [-2, 1], but got 2)",
    ),
    "size_negative_dim": (
        IndexError,
        "Dimension out of range (expected to be in range of [-2, 1], but got -3)",
    ),
    "size_0d": (IndexError, "Dimension specified as 1 but tensor has no dimensions"),
    "sum_dim": (
        IndexError,
        "Dimension out of range (expected to be in range of [-2, 1], but got 5)",
    ),
    "mean_dim": (
        IndexError,
        "Dimension out of range (expected to be in range of [-2, 1], but got -3)",
    ),
    "transpose_dim": (
        IndexError,
        "Dimension out of range (expected to be in range of [-2, 1], but got 2)",
    ),
    "unsqueeze_dim": (
        IndexError,
        "Dimension out of range (expected to be in range of [-3, 2], but got 3)",
    ),
    "squeeze_dim": (
        IndexError,
        "Dimension out of range (expected to be in range of [-2, 1], but got 2)",
    ),
    "permute_dim": (
        IndexError,
        "Dimension out of range (expected to be in range of [-2, 1], but got 2)",
    ),
    "flatten_dim": (
        IndexError,
        "Dimension out of range (expected to be in range of [-2, 1], but got 2)",
    ),
    "view_noncontiguous": (
        RuntimeError,
        "view size is not compatible with input tensor's size and stride (at least one dimension spans across two contiguous subspaces). Use .reshape(...) instead.",
    ),
    "view_permuted": (
        RuntimeError,
        "view size is not compatible with input tensor's size and stride (at least one dimension spans across two contiguous subspaces). Use .reshape(...) instead.",
    ),
    "view_bad_size": (RuntimeError, "shape '[4]' is invalid for input of size 6"),
    "view_two_inferred": (RuntimeError, "only one dimension can be inferred"),
    "reshape_bad_size": (RuntimeError, "shape '[4, 2]' is invalid for input of size 6"),
    "expand_mismatch": (
        RuntimeError,
        "The expanded size of the tensor (4) must match the existing size (2) at non-singleton dimension 0.  Target sizes: [4, 3].  Tensor sizes: [2, 3]",
    ),
    "expand_trailing": (
        RuntimeError,
        "The expanded size of the tensor (2) must match the existing size (3) at non-singleton dimension 1.  Target sizes: [2, 2].  Tensor sizes: [3]",
    ),
    "expand_new_dim_mismatch": (
        RuntimeError,
        "The expanded size of the tensor (4) must match the existing size (3) at non-singleton dimension 2.  Target sizes: [2, 3, 4].  Tensor sizes: [2, 3]",
    ),
    "expand_too_few_sizes": (
        RuntimeError,
        "expand(ndgrad.FloatTensor{[2, 3]}, size=[3]): the number of sizes provided (1) must be greater or equal to the number of dimensions in the tensor (2)",
    ),
    "index_int": (IndexError, "index 2 is out of bounds for dimension 0 with size 2"),
    "index_negative": (IndexError, "index -3 is out of bounds for dimension 0 with size 2"),
    "index_second_dim": (IndexError, "index 5 is out of bounds for dimension 1 with size 3"),
    "index_after_slice": (IndexError, "index 3 is out of bounds for dimension 1 with size 3"),
    "index_after_ellipsis": (IndexError, "index 3 is out of bounds for dimension 1 with size 3"),
    "index_too_many": (IndexError, "too many indices for tensor of dimension 2"),
    "index_0d": (
        IndexError,
        "invalid index of a 0-dim tensor. Use `tensor.item()` in Python or `tensor.item<T>()` in C++ to convert a 0-dim tensor to a number",
    ),
    "index_tensor": (IndexError, "index 5 is out of bounds for dimension 0 with size 2"),
    "index_list": (IndexError, "index 5 is out of bounds for dimension 0 with size 2"),
    "index_mask_shape": (
        IndexError,
        "The shape of the mask [3] at index 0 does not match the shape of the indexed tensor [2, 3] at index 0",
    ),
    "setitem_int": (IndexError, "index 4 is out of bounds for dimension 0 with size 2"),
    "setitem_tuple": (IndexError, "index 3 is out of bounds for dimension 1 with size 3"),
    "numpy_requires_grad": (
        RuntimeError,
        "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.",
    ),
    "numpy_nonleaf": (
        RuntimeError,
        "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.",
    ),
    "grad_set_wrong_shape": (
        RuntimeError,
        "attempting to assign a gradient of size '[3, 2]' to a tensor of size '[2, 3]'. Please ensure that the gradient and the tensor are the same size",
    ),
    "grad_set_wrong_type": (
        TypeError,
        "assigned grad expected to be a Tensor or None but got grad of type float",
    ),
    "grad_set_wrong_dtype": (
        RuntimeError,
        "attempting to assign a gradient with dtype 'double' to a tensor with grad_dtype 'Float'. The gradient must match the tensor's grad_dtype (defaults to the tensor's dtype). You can set the tensor's grad_dtype attribute with a specific dtype, or None to allow any dtype. Set grad_dtype with caution. Diverging the dtypes of a tensor and its gradient may break downstream systems that assume they match.",
    ),
    "data_set_int_on_requires_grad": (
        RuntimeError,
        "data set to a tensor that requires gradients must be floating point or complex dtype",
    ),
    "retain_grad_no_requires_grad": (
        RuntimeError,
        "can't retain_grad on Tensor that has requires_grad=False",
    ),
    "set_default_dtype_int": (
        TypeError,
        "only floating-point types are supported as the default type",
    ),
    "copy_incompatible": (
        RuntimeError,
        "The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1",
    ),
    "fill_with_vector": (
        RuntimeError,
        "fill_ only supports 0-dimension value tensor but got tensor with 1 dimensions.",
    ),
    "t_3d": (RuntimeError, "t() expects a tensor with <= 2 dimensions, but self is 3D"),
}


def message(exc):
    """The text compared: all of it, or for the saved-tensor errors, the part before the hint."""
    return str(exc).split(" Hint:")[0]


def from_torch(text):
    return text.replace("torch.", "ndgrad.").replace("torch::autograd::", "")


def raised(fn, lib):
    with pytest.raises(Exception) as info:
        fn(lib)
    return info.value


def test_every_case_has_an_expectation():
    assert set(CASES) == set(EXPECTED)


@pytest.mark.parametrize("case", sorted(CASES))
def test_error(case):
    exc_type, text = EXPECTED[case]
    got = raised(CASES[case], ndgrad)
    assert type(got) is exc_type
    assert message(got) == text


@pytest.mark.parametrize("case", sorted(CASES))
def test_error_vs_torch(case):
    torch = pytest.importorskip("torch")
    want = raised(CASES[case], torch)
    got = raised(CASES[case], ndgrad)
    assert type(got) is type(want)
    assert message(got) == from_torch(message(want))


@pytest.mark.parametrize("case", sorted(CASES))
def test_expected_table_is_torchs(case):
    torch = pytest.importorskip("torch")
    want = raised(CASES[case], torch)
    assert (type(want), from_torch(message(want))) == EXPECTED[case]


def test_saved_tensor_error_starts_like_torch():
    got = raised(modified_output, ndgrad)
    assert str(got).startswith(
        "one of the variables needed for gradient computation has been modified by an "
        "inplace operation: [ndgrad.FloatTensor [3]]"
    )
    assert "is at version 1; expected version 0 instead." in str(got)


def test_modified_saved_tensor_is_fine_with_retain_and_no_change():
    # Only a change of version matters: reading it, or modifying a copy, is allowed.
    x = ndgrad.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x.exp()
    z = y.clone()
    z.add_(1)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.exp([1.0, 2.0, 3.0]), rtol=1e-6)


def test_backward_twice_with_retain_graph_accumulates():
    x = ndgrad.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    assert x.grad.tolist() == [4.0, 8.0]


@pytest.mark.parametrize(
    "case",
    [
        "inplace_leaf_add_",
        "inplace_leaf_zero_",
        "inplace_leaf_fill_",
        "inplace_leaf_copy_",
        "inplace_leaf_setitem_all",
        "inplace_view_select",
        "inplace_view_setitem_slice",
    ],
)
def test_rejected_inplace_leaves_the_leaf_unchanged(case):
    seen = []

    def ones(*args, **kw):
        t = ndgrad.ones(*args, **kw)
        seen.append(t)
        return t

    class Lib:
        pass

    lib = Lib()
    lib.ones = ones
    lib.zeros = ndgrad.zeros
    with pytest.raises(RuntimeError):
        CASES[case](lib)
    leaf = seen[0]
    assert leaf.requires_grad and leaf.is_leaf and leaf.grad_fn is None
    assert leaf.tolist() == [[1.0, 1.0], [1.0, 1.0]]
    assert leaf._version == 0


def test_failed_broadcast_inplace_leaves_destination_unchanged():
    t = ndgrad.ones(2, 3)
    with pytest.raises(RuntimeError):
        t.add_(ndgrad.ones(2, 2, 3))
    assert t.tolist() == [[1.0] * 3] * 2


def test_failed_matmul_and_broadcast_leave_inputs_unchanged():
    a = ndgrad.ones(2, 3)
    b = ndgrad.full((4, 5), 2.0)
    for fn in (lambda: a @ b, lambda: a + b, lambda: a * b):
        with pytest.raises(RuntimeError):
            fn()
    assert a.tolist() == [[1.0] * 3] * 2
    assert b.tolist() == [[2.0] * 5] * 4
