"""ember against PyTorch's own OpInfo database (torch.testing._internal op_db).

One test per OpInfo entry: the entry's sample inputs (torch's), converted to ember,
compared on values, dtypes, shapes, output structure and gradients, plus
ember.autograd.gradcheck on a few float64 samples (tests/_opinfo_support.py has
the machinery and the sample caps). One test per method / in-place / alias
variant compares its forward on the first samples.

Entries ember does not provide yet are skipped with 'ember lacks <name>' (counted
as missing, never as passing). Entries that cannot pass are in SKIP with the
reason; known ember bugs there start with 'bug:' so the list can be worked down
(`python tests/_opinfo_support.py --report --all` shows those that pass again).
"""
import pytest

import _opinfo_support as S

# {OpInfo name, name.variant_test_name, or "<entry>:<variant kind>" for one method / in-place / alias
#  variant: reason}. Reasons starting "bug:" are ember bugs to fix (in files other helpers own now);
# the others are out of ember's scope.
SKIP = {
    # out of scope: sparse layouts, CUDA-only kernels, complex32, private aten entry points
    "to_sparse": "sparse layout (ember has strided tensors only)",
    "sparse.sampled_addmm": "sparse layout (ember has strided tensors only)",
    "sparse.mm.reduce": "sparse layout (ember has strided tensors only)",
    "jiterator_unary": "CUDA-only (torch.cuda.jiterator)",
    "jiterator_binary": "CUDA-only (torch.cuda.jiterator)",
    "jiterator_4inputs_with_extra_args": "CUDA-only (torch.cuda.jiterator)",
    "jiterator_binary_return_by_ref": "CUDA-only (torch.cuda.jiterator)",
    "jiterator_2inputs_2outputs": "CUDA-only (torch.cuda.jiterator)",
    "torch._scaled_mm": "CUDA-only float8 matmul",
    "torch._scaled_mm_v2": "CUDA-only float8 matmul",
    "torch.ops.aten._flash_attention_forward": "CUDA-only attention kernel",
    "torch.ops.aten._efficient_attention_forward": "CUDA-only attention kernel",
    "nn.functional.batch_norm.without_cudnn": "CUDA-only (onlyCUDA: batch_norm with cuDNN disabled)",
    "chalf": "complex32 (torch.chalf): ember names the dtype but makes no half-precision complex tensors",
    "_softmax_backward_data": "private aten op (torch._softmax_backward_data)",
    "_native_batch_norm_legit": "private aten op",
    "_batch_norm_with_update": "private aten op",
    "_upsample_bilinear2d_aa": "private aten op",
    "_chunk_cat": "private aten op",
    "_segment_reduce.lengths": "private aten op",
    "_segment_reduce.offsets": "private aten op",
    "_unsafe_masked_index": "private aten op",
    "_unsafe_masked_index_put_accumulate": "private aten op",
    "torch.ops.aten._safe_softmax.default": "private aten op",
    "native_dropout_backward": "aten backward kernel, not a public function",
    "max_pool2d_with_indices_backward": "aten backward kernel, not a public function",
    "slice": "aten op (torch.ops.aten.slice); torch has no public torch.slice (x[a:b:c] is __getitem__, "
             "torch.slice_copy is tested by tests/test_view_copies.py)",
    "hash_tensor": "returns torch.uint64 (ember has no uint64 dtype)",
}


def _reason(op):
    return SKIP.get(S.entry_id(op), SKIP.get(op.name))


ENTRIES = sorted(S.entries().items())


@pytest.mark.parametrize("eid", [e for e, _ in ENTRIES])
def test_opinfo(eid):
    op = S.entries()[eid]
    reason = _reason(op)
    if reason is not None:
        pytest.skip(reason)
    res = S.run_entry(op)
    if res.status in ("missing", "skip"):
        pytest.skip(res.messages[0])
    assert res.status == "pass", f"{res.failed} of {res.passed + res.failed} samples differ:\n" + \
        "\n".join(res.messages[:8])


def _variants():
    for eid, op in ENTRIES:
        if _reason(op) is None:
            for v in S.other_variants(op):
                yield pytest.param(eid, v, id=f"{eid}-{v[0].replace(' ', '_')}-{v[1]}")


@pytest.mark.parametrize("eid, variant", list(_variants()))
def test_opinfo_variant(eid, variant):
    reason = SKIP.get(f"{eid}:{variant[0]}")
    if reason is not None:
        pytest.skip(reason)
    res = S.run_variant(S.entries()[eid], variant)
    if res.status in ("missing", "skip"):
        pytest.skip(res.messages[0] if res.messages else "no samples")
    assert res.status == "pass", "\n".join(res.messages[:8])
