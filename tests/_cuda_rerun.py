"""The tests that the rerun of the suite on CUDA (EMBER_TEST_DEVICE=cuda) skips, and why.

Each one checks something that is true only of CPU tensors (so torch on CUDA differs too),
compares with CPU torch where CUDA torch gives other values, or needs what the CPU
stand-in for CuPy cannot do. Keys are node-id prefixes.
"""

CPU_ONLY = {
    # CPU torch's error messages name the CPU tensor type (torch.FloatTensor): on CUDA, torch and ember say
    # torch.cuda.FloatTensor
    "tests/test_shape.py::test_errors": "compares CPU torch's messages, which name torch.FloatTensor",
    "tests/test_indexing.py::test_setitem_errors": "compares CPU torch's messages, which name torch.FloatTensor",
    # numpy() of a CUDA tensor is a host copy in the rerun, so memory sharing is not visible through it
    "tests/test_shape.py::test_view_or_copy_like_torch": "checks memory sharing through numpy(), a host copy on CUDA",
    # the order in which CPU torch's topk returns equal values (CUDA torch orders ties differently)
    "tests/test_sorting.py::test_topk_ties": "CPU torch's tie order of topk",
    "tests/test_sorting.py::test_topk_tie_order_random": "CPU torch's tie order of topk",
    "tests/test_nn_utils.py::test_prune_deterministic_methods": "pruning again ranks tied zeros: CPU torch's topk tie order",
    "tests/test_nn_utils.py::test_prune_custom_global_and_random": "ranks tied scores: CPU torch's topk tie order",
    "tests/test_nn_modules.py::test_setattr_errors_match_torch": "compares CPU torch's messages, which name torch.FloatTensor",
    "tests/test_nn_modules.py::test_containers_behave_like_torch": "compares with CPU torch's repr (no device suffix)",
    "tests/test_amp.py": "CPU autocast (device_type='cpu') and its casting table; CUDA autocast casts to float16",
    "tests/test_serialization.py::test_ember_save_torch_load": "torch (a CPU build) loads the saved CUDA tensors",
    "tests/test_serialization.py::test_nested_containers_both_ways": "torch (a CPU build) loads saved CUDA tensors",
    "tests/test_serialization.py::test_non_contiguous_views_keep_the_whole_storage": "torch (a CPU build) loads "
                                                                                      "saved CUDA tensors",
    "tests/test_serialization.py::test_same_tensor_twice_is_one_object": "torch (a CPU build) loads saved CUDA "
                                                                          "tensors",
    "tests/test_serialization.py::test_requires_grad_and_parameters": "torch (a CPU build) loads saved CUDA tensors",
    "tests/test_serialization.py::test_optimizer_state_dict_both_ways": "torch (a CPU build) loads saved CUDA tensors",
    "tests/test_serialization.py::test_file_objects_and_bytes": "torch (a CPU build) loads saved CUDA tensors",
    "tests/test_serialization.py::test_module_state_dict_both_ways": "torch (a CPU build) loads saved CUDA tensors",
    "tests/test_complex.py::test_save_load_with_torch": "torch (a CPU build) loads saved CUDA tensors",
    "tests/test_autograd_function.py::test_saved_tensor_errors": "compares CPU torch's messages (torch.FloatTensor)",
    "tests/test_autograd_engine.py::test_memory_stays_flat_over_training_steps": (
        "tracemalloc counts NumPy's nditer buffers under the stand-in's broadcasts (Python objects stay flat)"),
    "tests/test_optim.py::test_errors_match_torch": "compares CPU torch's messages (torch.FloatTensor)",
    "tests/test_optim_bitwise.py::test_default_foreach_is_the_single_tensor_rule_on_cpu": "the CPU default",
    "tests/test_data.py::test_pin_memory_accepted_on_cpu": "pins a default-device (CUDA) tensor, which torch refuses",
    "tests/test_random.py::test_rng_state_bytes_match_torch": "draws on the default device leave the CPU state alone",
    "tests/test_random.py::test_rng_state_roundtrip_and_cross_load": "the CPU generator's state",
    "tests/test_programs.py::test_program_matches_torch[amp_bf16]": "autocast('cpu') leaves CUDA tensors alone",
    "tests/test_programs.py::test_program_matches_torch[lbfgs_lstmcell]": (
        "its data comes from torch.from_numpy, a CPU tensor whatever the default device (torch refuses it too)"),
    "tests/test_construction.py::test_torch_level_utilities": "get_device() of a CPU tensor is -1",
    "tests/test_construction.py::test_apply_map": "apply_/map_ are CPU-only in torch",
}
