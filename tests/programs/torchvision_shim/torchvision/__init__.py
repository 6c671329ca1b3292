"""`torchvision` for the real-torch run of tutorial_cifar_cnn.py (tests/test_tutorial_programs.py).

torchvision's wheels cannot be installed beside the CPU torch used as the oracle, and ember.vision
is pure Python written against the torch API (`import ember as torch`, `from ember import nn`,
`from ember.utils.data import Dataset`). So this package serves ember.vision's own source files as
`torchvision`, with those `ember` imports bound to real torch: the torch run and the `ember run`
run execute the same transform and dataset code, and the comparison tests ember's core (tensor
ops, generator, DataLoader, conv, optimizer) against torch's. How closely ember.vision follows
torchvision itself is tested in tests/test_vision_*.py against torchvision's computations written
in plain torch."""
import os
import sys

import torch
import torch.nn
import torch.nn.functional
import torch.utils
import torch.utils.data

_VISION = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "..", "ember", "vision")
_ALIASES = {"ember": torch, "ember.nn": torch.nn, "ember.nn.functional": torch.nn.functional,
            "ember.utils": torch.utils, "ember.utils.data": torch.utils.data}
for _name, _module in _ALIASES.items():
    if sys.modules.get(_name, _module) is not _module:
        raise ImportError("torchvision_shim serves ember.vision over real torch; ember itself is already imported")
    sys.modules[_name] = _module

__path__ = [os.path.normpath(_VISION)]  # torchvision.transforms etc. load from ember/vision
with open(os.path.join(__path__[0], "__init__.py")) as _f:
    exec(compile(_f.read(), _f.name, "exec"))
