"""Every ember.nn layer records the backward graph torch records: the same node names, in the same
input order (next_functions), recursively down to the leaves (AccumulateGrad included).

Each layer is built in torch and in ember with the same constructor arguments, run on the same input
(train mode unless the table says eval), and the two graphs are compared as canonical trees: a node
seen before is written as a reference to its first visit, so a DAG (shared weights, an LSTM's state)
compares in linear time. Layers whose graphs still differ are listed in KNOWN_DIFFERENT with the reason;
the test checks that they do differ, so an entry that starts to match must be removed.
"""
import inspect

import numpy as np
import pytest
import torch

import ember

R = np.random.default_rng(0)


def _f(*shape):
    return R.uniform(-1, 1, size=shape).astype(np.float32)


def _p(*shape):  # probabilities in (0, 1)
    return R.uniform(0.05, 0.95, size=shape).astype(np.float32)


def _i(high, *shape):
    return R.integers(0, high, size=shape).astype(np.int64)


def _sign(*shape):
    return np.where(R.random(shape) > 0.5, 1.0, -1.0).astype(np.float32)


G = "grad"  # an input array that requires grad; other arrays are plain tensors
# name: (constructor args, constructor kwargs, inputs [(array, requires_grad)], eval mode)
LAYERS = {
    "AdaptiveAvgPool1d": ((3,), {}, [(_f(2, 3, 7), G)]),
    "AdaptiveAvgPool2d": ((3,), {}, [(_f(2, 3, 7, 7), G)]),
    "AdaptiveMaxPool1d": ((3,), {}, [(_f(2, 3, 7), G)]),
    "AdaptiveMaxPool2d": ((3,), {}, [(_f(2, 3, 7, 7), G)]),
    "AlphaDropout": ((0.5,), {}, [(_f(4, 5), G)]),
    "AvgPool1d": ((2,), {}, [(_f(2, 3, 8), G)]),
    "AvgPool2d": ((2,), {}, [(_f(2, 3, 8, 8), G)]),
    "BCELoss": ((), {}, [(_p(4, 5), G), (_p(4, 5), None)]),
    "BCEWithLogitsLoss": ((), {}, [(_f(4, 5), G), (_p(4, 5), None)]),
    "BatchNorm1d": ((5,), {}, [(_f(4, 5), G)]),
    "BatchNorm2d": ((3,), {}, [(_f(2, 3, 4, 4), G)]),
    "BatchNorm3d": ((3,), {}, [(_f(2, 3, 2, 2, 2), G)]),
    "Bilinear": ((3, 4, 5), {}, [(_f(2, 3), G), (_f(2, 4), G)]),
    "CELU": ((), {}, [(_f(4, 5), G)]),
    "CircularPad1d": ((1,), {}, [(_f(2, 3, 5), G)]),
    "CircularPad2d": ((1,), {}, [(_f(2, 3, 5, 5), G)]),
    "CircularPad3d": ((1,), {}, [(_f(2, 3, 4, 4, 4), G)]),
    "ConstantPad1d": ((1, 2.0), {}, [(_f(2, 3, 5), G)]),
    "ConstantPad2d": ((1, 2.0), {}, [(_f(2, 3, 5, 5), G)]),
    "ConstantPad3d": ((1, 2.0), {}, [(_f(2, 3, 4, 4, 4), G)]),
    "Conv1d": ((3, 4, 3), {}, [(_f(2, 3, 8), G)]),
    "Conv2d": ((3, 4, 3), {}, [(_f(2, 3, 8, 8), G)]),
    "Conv3d": ((3, 4, 3), {}, [(_f(2, 3, 5, 5, 5), G)]),
    "ConvTranspose1d": ((3, 4, 3), {}, [(_f(2, 3, 8), G)]),
    "ConvTranspose2d": ((3, 4, 3), {}, [(_f(2, 3, 6, 6), G)]),
    "CosineEmbeddingLoss": ((), {}, [(_f(4, 5), G), (_f(4, 5), G), (_sign(4), None)]),
    "CrossEntropyLoss": ((), {}, [(_f(4, 5), G), (_i(5, 4), None)]),
    "Dropout": ((0.5,), {}, [(_f(4, 5), G)]),
    "Dropout1d": ((0.5,), {}, [(_f(2, 3, 5), G)]),
    "Dropout2d": ((0.5,), {}, [(_f(2, 3, 4, 4), G)]),
    "Dropout3d": ((0.5,), {}, [(_f(2, 3, 2, 2, 2), G)]),
    "ELU": ((), {}, [(_f(4, 5), G)]),
    "Embedding": ((10, 4), {}, [(_i(10, 2, 3), None)]),
    "EmbeddingBag": ((10, 4), {}, [(_i(10, 2, 3), None)]),
    "Flatten": ((), {}, [(_f(2, 3, 4), G)]),
    "GELU": ((), {}, [(_f(4, 5), G)]),
    "GLU": ((), {}, [(_f(4, 6), G)]),
    "GRU": ((3, 4), {}, [(_f(5, 2, 3), G)]),
    "GRUCell": ((3, 4), {}, [(_f(2, 3), G)]),
    "GaussianNLLLoss": ((), {}, [(_f(4, 5), G), (_f(4, 5), None), (_p(4, 5), G)]),
    "GroupNorm": ((2, 4), {}, [(_f(2, 4, 3, 3), G)]),
    "Hardsigmoid": ((), {}, [(_f(4, 5), G)]),
    "Hardswish": ((), {}, [(_f(4, 5), G)]),
    "Hardtanh": ((), {}, [(_f(4, 5), G)]),
    "HingeEmbeddingLoss": ((), {}, [(_f(4, 5), G), (_sign(4, 5), None)]),
    "HuberLoss": ((), {}, [(_f(4, 5), G), (_f(4, 5), None)]),
    "Identity": ((), {}, [(_f(4, 5), G)]),
    "InstanceNorm1d": ((3,), {}, [(_f(2, 3, 6), G)]),
    "InstanceNorm2d": ((3,), {}, [(_f(2, 3, 4, 4), G)]),
    "InstanceNorm3d": ((3,), {}, [(_f(2, 3, 2, 2, 2), G)]),
    "KLDivLoss": ((), {"reduction": "batchmean"}, [(_f(4, 5), G), (_p(4, 5), None)]),
    "L1Loss": ((), {}, [(_f(4, 5), G), (_f(4, 5), None)]),
    "LSTM": ((3, 4), {}, [(_f(5, 2, 3), G)]),
    "LSTMCell": ((3, 4), {}, [(_f(2, 3), G)]),
    "LayerNorm": ((5,), {}, [(_f(4, 5), G)]),
    "LeakyReLU": ((), {}, [(_f(4, 5), G)]),
    "Linear": ((5, 3), {}, [(_f(4, 5), G)]),
    "LogSigmoid": ((), {}, [(_f(4, 5), G)]),
    "LogSoftmax": ((1,), {}, [(_f(4, 5), G)]),
    "MSELoss": ((), {}, [(_f(4, 5), G), (_f(4, 5), None)]),
    "MarginRankingLoss": ((), {}, [(_f(4), G), (_f(4), G), (_sign(4), None)]),
    "MaxPool1d": ((2,), {}, [(_f(2, 3, 8), G)]),
    "MaxPool2d": ((2,), {}, [(_f(2, 3, 8, 8), G)]),
    "MaxPool3d": ((2,), {}, [(_f(2, 3, 4, 4, 4), G)]),
    "Mish": ((), {}, [(_f(4, 5), G)]),
    "MultiheadAttention": ((4, 2), {}, [(_f(3, 2, 4), G), (_f(3, 2, 4), G), (_f(3, 2, 4), G)]),
    "NLLLoss": ((), {}, [(_f(4, 5), G), (_i(5, 4), None)]),
    "PReLU": ((), {}, [(_f(4, 5), G)]),
    "PoissonNLLLoss": ((), {}, [(_f(4, 5), G), (_p(4, 5), None)]),
    "RMSNorm": ((5,), {}, [(_f(4, 5), G)]),
    "RNN": ((3, 4), {}, [(_f(5, 2, 3), G)]),
    "RNNCell": ((3, 4), {}, [(_f(2, 3), G)]),
    "ReLU": ((), {}, [(_f(4, 5), G)]),
    "ReLU6": ((), {}, [(_f(4, 5), G)]),
    "ReflectionPad1d": ((1,), {}, [(_f(2, 3, 5), G)]),
    "ReflectionPad2d": ((1,), {}, [(_f(2, 3, 5, 5), G)]),
    "ReflectionPad3d": ((1,), {}, [(_f(2, 3, 4, 4, 4), G)]),
    "ReplicationPad1d": ((1,), {}, [(_f(2, 3, 5), G)]),
    "ReplicationPad2d": ((1,), {}, [(_f(2, 3, 5, 5), G)]),
    "ReplicationPad3d": ((1,), {}, [(_f(2, 3, 4, 4, 4), G)]),
    "SELU": ((), {}, [(_f(4, 5), G)]),
    "SiLU": ((), {}, [(_f(4, 5), G)]),
    "Sigmoid": ((), {}, [(_f(4, 5), G)]),
    "SmoothL1Loss": ((), {}, [(_f(4, 5), G), (_f(4, 5), None)]),
    "SoftMarginLoss": ((), {}, [(_f(4, 5), G), (_sign(4, 5), None)]),
    "Softmax": ((1,), {}, [(_f(4, 5), G)]),
    "Softmin": ((1,), {}, [(_f(4, 5), G)]),
    "Softplus": ((), {}, [(_f(4, 5), G)]),
    "Softsign": ((), {}, [(_f(4, 5), G)]),
    "Tanh": ((), {}, [(_f(4, 5), G)]),
    "Tanhshrink": ((), {}, [(_f(4, 5), G)]),
    "Threshold": ((0.1, 20.0), {}, [(_f(4, 5), G)]),
    "Transformer": ((8, 2, 1, 1, 16, 0.0), {}, [(_f(3, 2, 8), G), (_f(4, 2, 8), G)]),
    "TransformerDecoderLayer": ((8, 2, 16, 0.0), {}, [(_f(3, 2, 8), G), (_f(4, 2, 8), G)]),
    "TransformerEncoderLayer": ((8, 2, 16, 0.0), {}, [(_f(3, 2, 8), G)]),
    "Unflatten": ((1, (2, 3)), {}, [(_f(4, 6), G)]),
    "Upsample": ((), {"scale_factor": 2}, [(_f(2, 3, 4, 4), G)]),
    "UpsamplingBilinear2d": ((), {"scale_factor": 2}, [(_f(2, 3, 4, 4), G)]),
    "UpsamplingNearest2d": ((), {"scale_factor": 2}, [(_f(2, 3, 4, 4), G)]),
    "ZeroPad1d": ((1,), {}, [(_f(2, 3, 5), G)]),
    "ZeroPad2d": ((1,), {}, [(_f(2, 3, 5, 5), G)]),
    "ZeroPad3d": ((1,), {}, [(_f(2, 3, 4, 4, 4), G)]),
    "AdaptiveAvgPool3d": ((2,), {}, [(_f(2, 3, 4, 4, 4), G)]),
    "AdaptiveLogSoftmaxWithLoss": ((8, 10, [4]), {}, [(_f(4, 8), G), (_i(10, 4), None)]),
    "AdaptiveMaxPool3d": ((2,), {}, [(_f(2, 3, 4, 4, 4), G)]),
    "AvgPool3d": ((2,), {}, [(_f(2, 3, 4, 4, 4), G)]),
    "CTCLoss": ((), {}, [(_f(6, 2, 4), G), (_i(3, 2, 3) + 1, None), (np.array([6, 6]), None),
                         (np.array([3, 2]), None)]),
    "ChannelShuffle": ((2,), {}, [(_f(2, 4, 3, 3), G)]),
    "ConvTranspose3d": ((3, 4, 3), {}, [(_f(2, 3, 4, 4, 4), G)]),
    "CosineSimilarity": ((), {}, [(_f(4, 5), G), (_f(4, 5), G)]),
    "CrossMapLRN2d": ((3,), {}, [(_f(2, 4, 3, 3), G)]),
    "FeatureAlphaDropout": ((0.5,), {}, [(_f(2, 3, 4, 4), G)]),
    "Fold": (((4, 4), 2), {}, [(_f(2, 12, 9), G)]),
    "FractionalMaxPool2d": ((2,), {"output_size": 2}, [(_f(2, 3, 5, 5), G)]),
    "FractionalMaxPool3d": ((2,), {"output_size": 2}, [(_f(2, 3, 5, 5, 5), G)]),
    "Hardshrink": ((), {}, [(_f(4, 5), G)]),
    "LPPool1d": ((2, 2), {}, [(_f(2, 3, 8), G)]),
    "LPPool2d": ((2, 2), {}, [(_f(2, 3, 8, 8), G)]),
    "LPPool3d": ((2, 2), {}, [(_f(2, 3, 4, 4, 4), G)]),
    "LazyBatchNorm1d": ((), {}, [(_f(4, 5), G)]),
    "LazyBatchNorm2d": ((), {}, [(_f(2, 3, 4, 4), G)]),
    "LazyBatchNorm3d": ((), {}, [(_f(2, 3, 2, 2, 2), G)]),
    "LazyConv1d": ((4, 3), {}, [(_f(2, 3, 8), G)]),
    "LazyConv2d": ((4, 3), {}, [(_f(2, 3, 8, 8), G)]),
    "LazyConv3d": ((4, 3), {}, [(_f(2, 3, 5, 5, 5), G)]),
    "LazyConvTranspose1d": ((4, 3), {}, [(_f(2, 3, 8), G)]),
    "LazyConvTranspose2d": ((4, 3), {}, [(_f(2, 3, 6, 6), G)]),
    "LazyConvTranspose3d": ((4, 3), {}, [(_f(2, 3, 4, 4, 4), G)]),
    "LazyInstanceNorm1d": ((), {}, [(_f(2, 3, 6), G)]),
    "LazyInstanceNorm2d": ((), {}, [(_f(2, 3, 4, 4), G)]),
    "LazyInstanceNorm3d": ((), {}, [(_f(2, 3, 2, 2, 2), G)]),
    "LazyLinear": ((3,), {}, [(_f(4, 5), G)]),
    "LinearCrossEntropyLoss": ((5, 4), {}, [(_f(6, 5), G), (_i(4, 6), None)]),
    "LocalResponseNorm": ((2,), {}, [(_f(2, 4, 3, 3), G)]),
    "MaxUnpool1d": ((2,), {}, [(_f(2, 3, 4), G), (np.broadcast_to(np.arange(4) * 2, (2, 3, 4)).copy(), None)]),
    "MaxUnpool2d": ((2,), {}, [(_f(2, 3, 2, 2), G),
                               (np.broadcast_to(np.array([[0, 2], [8, 10]]), (2, 3, 2, 2)).copy(), None)]),
    "MaxUnpool3d": ((2,), {}, [(_f(2, 3, 2, 2, 2), G), (np.broadcast_to(
        np.array([[[0, 2], [8, 10]], [[32, 34], [40, 42]]]), (2, 3, 2, 2, 2)).copy(), None)]),
    "MultiLabelMarginLoss": ((), {}, [(_f(4, 5), G), (np.array([[1, 3, -1, 0, 0]] * 4), None)]),
    "MultiLabelSoftMarginLoss": ((), {}, [(_f(4, 5), G), ((_p(4, 5) > 0.5).astype(np.float32), None)]),
    "MultiMarginLoss": ((), {}, [(_f(4, 5), G), (_i(5, 4), None)]),
    "NLLLoss2d": ((), {}, [(_f(2, 5, 3, 3), G), (_i(5, 2, 3, 3), None)]),
    "PairwiseDistance": ((), {}, [(_f(4, 5), G), (_f(4, 5), G)]),
    "PixelShuffle": ((2,), {}, [(_f(2, 8, 3, 3), G)]),
    "PixelUnshuffle": ((2,), {}, [(_f(2, 2, 4, 4), G)]),
    "RReLU": ((), {}, [(_f(4, 5), G)]),
    "Softmax2d": ((), {}, [(_f(2, 3, 4, 4), G)]),
    "Softshrink": ((), {}, [(_f(4, 5), G)]),
    "SyncBatchNorm": ((3,), {}, [(_f(2, 3, 4), G)]),
    "TripletMarginLoss": ((), {}, [(_f(4, 5), G), (_f(4, 5), G), (_f(4, 5), G)]),
    "TripletMarginWithDistanceLoss": ((), {}, [(_f(4, 5), G), (_f(4, 5), G), (_f(4, 5), G)]),
    "Unfold": ((2,), {}, [(_f(2, 3, 4, 4), G)]),
}
# Same layers in eval mode (different graphs: running statistics, no dropout).
EVAL = {"BatchNorm1d", "BatchNorm2d"}
# Containers, wrappers and bases: no forward of their own.
NOT_LAYERS = {"Container", "DataParallel", "Module", "ModuleDict", "ModuleList", "ParameterDict", "ParameterList",
              "RNNBase", "RNNCellBase", "Sequential", "TransformerDecoder", "TransformerEncoder"}

# Layers whose graph still differs from torch's, with the reason. The test asserts they differ.
_SCALAR = ("ember records Tensor-scalar arithmetic as the Tensor-Tensor node with a None edge (MulBackward0, "
           "AddBackward0, DivBackward0); torch has MulBackward1/AddBackward1/DivBackward1 with no edge")
KNOWN_DIFFERENT = {
    'AdaptiveAvgPool3d': 'as AdaptiveAvgPool2d (torch: one AdaptiveAvgPool3DBackward0)',
    'AdaptiveLogSoftmaxWithLoss': "the output's scatter is recorded as IndexPutBackward0 (torch: IndexCopyBackward0)",
    'AdaptiveMaxPool3d': 'adaptive max pooling is a gather between views; torch: one AdaptiveMaxPool3DBackward0',
    'AvgPool3d': ('avg_pool3d goes through the 2-D pooling op and a divisor MulBackward0; torch: '
        'AvgPool3DBackward0'),
    'ChannelShuffle': 'channel_shuffle is composed of view/transpose/reshape; torch: one ChannelShuffleBackward0',
    'ConvTranspose3d': 'as ConvTranspose1d',
    'CosineSimilarity': ('the norms are clamped with ClampBackward1; torch clones and clamps them in place '
        '(CloneBackward0)'),
    'FractionalMaxPool2d': 'fractional max pooling is a gather between views; torch: one FractionalMaxPool2DBackward0',
    'FractionalMaxPool3d': 'as FractionalMaxPool2d (torch: FractionalMaxPool3DBackward0)',
    'Hardshrink': 'hardshrink is composed with where; torch: one HardshrinkBackward0',
    'LPPool1d': ('the average pooling inside lp_pool records another graph (no unsqueeze/squeeze, divisor '
        'MulBackward0); also ') + _SCALAR,
    'LPPool2d': 'the pooled sum is AvgPool2DBackward0 then a divisor MulBackward0; also ' + _SCALAR,
    'LPPool3d': 'as LPPool2d',
    'LazyConvTranspose1d': 'as ConvTranspose1d',
    'LazyConvTranspose2d': 'as ConvTranspose1d',
    'LazyConvTranspose3d': 'as ConvTranspose1d',
    'LocalResponseNorm': _SCALAR + " (the pow's exponent, the added k)",
    'MaxUnpool1d': ('max_unpool is a scatter between views; torch: MaxUnpool2DBackward0 (1-D between '
        'unsqueeze/squeeze)'),
    'MaxUnpool2d': 'max_unpool is a scatter between views; torch: one MaxUnpool2DBackward0',
    'MaxUnpool3d': 'max_unpool is a scatter between views; torch: one MaxUnpool3DBackward0',
    'MultiLabelMarginLoss': 'composed of clamps and sums; torch: one MultilabelMarginLossBackward0',
    'MultiLabelSoftMarginLoss': ('the log-sigmoid terms inside are composed (torch: LogSigmoidBackward0); '
                                 'also ' + _SCALAR),
    'MultiMarginLoss': 'composed of where/clamp and sums; torch: one MultiMarginLossBackward0',
    'PairwiseDistance': 'the norm is LinalgVectorNormBackward0 (torch: NormBackward1); also ' + _SCALAR,
    'PixelShuffle': 'pixel_shuffle is composed of view/permute/reshape; torch: one PixelShuffleBackward0',
    'PixelUnshuffle': 'pixel_unshuffle is composed of view/permute/reshape; torch: one PixelUnshuffleBackward0',
    'RReLU': 'rrelu in train mode multiplies by a drawn slope tensor; torch: one RreluWithNoiseBackward0',
    'Softshrink': 'softshrink is composed with where; torch: one SoftshrinkBackward0',
    'TripletMarginLoss': ('norms are LinalgVectorNormBackward0 (torch: NormBackward1), clamp(min=0) is ClampBackward1'
        ' (torch: ClampMinBackward0); also ') + _SCALAR,
    'TripletMarginWithDistanceLoss': 'as TripletMarginLoss',
    'AdaptiveAvgPool1d': ('adaptive_avg_pool is composed of reshapes and sums in _ops/_conv.py; torch records '
        'AdaptiveAvgPool2DBackward0 (1-D between UnsqueezeBackward0 and SqueezeBackward1)'),
    'AdaptiveAvgPool2d': 'adaptive_avg_pool is composed of reshapes and sums; torch: one AdaptiveAvgPool2DBackward0',
    'AlphaDropout': "alpha_dropout is composed as (x * keep + alpha' (1 - keep)) * a + b; torch: one mul and one add",
    'AvgPool1d': ("avg_pool1d is not lowered through avg_pool2d's unsqueeze/squeeze, and the divisor is a separate "
        'MulBackward0'),
    'AvgPool2d': 'the divisor is applied by a separate MulBackward0 after AvgPool2DBackward0',
    'Bilinear': 'bilinear is one EinsumBackward; torch records TrilinearBackward0 between views',
    'CELU': "celu shares elu's op, so its node is named EluBackward0 (torch: CeluBackward0)",
    'CircularPad1d': ('circular padding is one gather op (named ReflectionPad2DBackward0); torch '
        'builds it with CopySlices '
        'of slices'),
    'CircularPad2d': 'as CircularPad1d',
    'CircularPad3d': 'as CircularPad1d',
    'ConvTranspose1d': ('_ops/_conv.py adds a transposed convolution\'s bias as a separate AddBackward0 of a '
                        'viewed bias; torch passes it to ConvolutionBackward0 as the third input'),
    'ConvTranspose2d': 'as ConvTranspose1d',
    'CosineEmbeddingLoss': "composed with where/clamp in another order than torch's; also " + _SCALAR,
    'EmbeddingBag': 'embedding_bag is composed of embedding + index_put + division; torch: one EmbeddingBagBackward0',
    'GLU': 'glu is composed of two slices and a sigmoid; torch: one GluBackward0',
    'GaussianNLLLoss': ('var.clamp(min=eps) records ClampBackward1 where torch clones var and clamps it in place under '
        'no_grad (CloneBackward0)'),
    'HingeEmbeddingLoss': "composed with where/clamp in another order than torch's; also " + _SCALAR,
    'LogSigmoid': 'logsigmoid is composed as -softplus(-x); torch: one LogSigmoidBackward0',
    'MarginRankingLoss': ('clamp(min=0) records ClampBackward1 (torch: ClampMinBackward0); also ') + _SCALAR,
    'MaxPool1d': "max_pool1d is not lowered through max_pool2d's unsqueeze/squeeze",
    'MaxPool3d': "max_pool3d's node is named MaxPool2DWithIndicesBackward0 (torch: MaxPool3DWithIndicesBackward0)",
    'Mish': 'mish is composed as x * tanh(softplus(x)); torch: one MishBackward0',
    'MultiheadAttention': ('the input projection and head reshapes differ (torch: transpose + contiguous '
        '(CloneBackward0) + '
        'view; ember: reshapes that copy)'),
    'PReLU': 'prelu is composed with where; torch: one PreluKernelBackward0 over a viewed weight',
    'RMSNorm': _SCALAR + ' (the eps added to the mean square)',
    'ReflectionPad1d': ('all gather paddings are one op named ReflectionPad2DBackward0 (torch: one name '
        'per mode and rank)'),
    'ReflectionPad3d': 'as ReflectionPad1d',
    'ReplicationPad1d': 'as ReflectionPad1d',
    'ReplicationPad2d': 'as ReflectionPad1d',
    'ReplicationPad3d': 'as ReflectionPad1d',
    'Threshold': 'threshold is composed with where; torch: one ThresholdBackward0',
    'Transformer': "inherits MultiheadAttention's difference",
    'TransformerDecoderLayer': "inherits MultiheadAttention's difference",
    'TransformerEncoderLayer': "inherits MultiheadAttention's difference",
    'Upsample': 'nearest upsampling is composed of index_selects; torch: one UpsampleNearest2DBackward0',
    'UpsamplingBilinear2d': ('bilinear upsampling is composed of index_selects and lerps; torch: one '
        'UpsampleBilinear2DBackward0'),
    'UpsamplingNearest2d': 'as Upsample',
}


def _graph(out):
    """The canonical tree of out's backward graph: (name, children) with (None, 0) edges kept as
    None, a revisited node as ('ref', k). Nodes are named by name() (AccumulateGrad included)."""
    seen = {}

    def walk(fn):
        if fn is None:
            return None
        if id(fn) in seen:
            return ("ref", seen[id(fn)])
        seen[id(fn)] = len(seen)
        return (fn.name(), tuple(walk(child) for child, _ in fn.next_functions))

    return walk(out.grad_fn)


def _first(out):
    return out[0] if isinstance(out, tuple) else out


def _run(lib, name, mode):
    args, kwargs, inputs = LAYERS[name]
    lib.manual_seed(0)
    layer = getattr(lib.nn, name)(*args, **kwargs)
    layer.train(mode == "train")
    tensors = [lib.tensor(a, requires_grad=g is not None and a.dtype.kind == "f") for a, g in inputs]
    return _first(layer(*tensors))


def _cases():
    for name in sorted(LAYERS):
        yield name, "train"
        if name in EVAL:
            yield name, "eval"


def test_every_layer_is_in_the_table():
    classes = {n for n, c in vars(ember.nn).items() if inspect.isclass(c) and issubclass(c, ember.nn.Module)}
    assert classes - NOT_LAYERS == set(LAYERS)


@pytest.mark.parametrize("name,mode", list(_cases()))
def test_graph_matches_torch(name, mode):
    expected = _graph(_run(torch, name, mode))
    got = _graph(_run(ember, name, mode))
    key = name if mode == "train" else f"{name} (eval)"
    if key in KNOWN_DIFFERENT:
        assert got != expected, f"{key} now matches torch: remove it from KNOWN_DIFFERENT"
    else:
        assert got == expected


# -- the functional forms the issue names, beyond what the layers cover ------------------------
def _fn_graph(lib, fn, arrays):
    tensors = [lib.tensor(a, requires_grad=a.dtype.kind == "f") for a in arrays]
    return _graph(fn(lib, *tensors))


FUNCTIONAL = {
    "linear 1-D": (lambda m, x, w, b: m.nn.functional.linear(x, w, b), [_f(5), _f(3, 5), _f(3)]),
    "linear 1-D no bias": (lambda m, x, w: m.nn.functional.linear(x, w), [_f(5), _f(3, 5)]),
    "linear 2-D": (lambda m, x, w, b: m.nn.functional.linear(x, w, b), [_f(4, 5), _f(3, 5), _f(3)]),
    "linear 2-D no bias": (lambda m, x, w: m.nn.functional.linear(x, w), [_f(4, 5), _f(3, 5)]),
    "linear 3-D": (lambda m, x, w, b: m.nn.functional.linear(x, w, b), [_f(2, 4, 5), _f(3, 5), _f(3)]),
    "linear 3-D no bias": (lambda m, x, w: m.nn.functional.linear(x, w), [_f(2, 4, 5), _f(3, 5)]),
    "linear 4-D": (lambda m, x, w, b: m.nn.functional.linear(x, w, b), [_f(2, 2, 4, 5), _f(3, 5), _f(3)]),
    "bce_with_logits weight pos_weight": (
        lambda m, x, t, w, pw: m.nn.functional.binary_cross_entropy_with_logits(x, t, w.detach(),
                                                                                pos_weight=pw.detach()),
        [_f(4, 5), _p(4, 5), _p(5), _p(5)]),
    "cross_entropy 1-D": (lambda m, x, t: m.nn.functional.cross_entropy(x, t), [_f(5), np.int64(2)]),
    "cross_entropy probs": (lambda m, x, t: m.nn.functional.cross_entropy(x, t.softmax(1)), [_f(4, 5), _f(4, 5)]),
    "cross_entropy smoothing": (lambda m, x, t: m.nn.functional.cross_entropy(x, t, label_smoothing=0.1),
                                [_f(4, 5), _i(5, 4)]),
    "cross_entropy 4-D": (lambda m, x, t: m.nn.functional.cross_entropy(x, t), [_f(2, 5, 3, 3), _i(5, 2, 3, 3)]),
    "nll_loss weight": (lambda m, x, t, w: m.nn.functional.nll_loss(x, t, w.detach()), [_f(4, 5), _i(5, 4), _p(5)]),
    "layer_norm no affine": (lambda m, x: m.nn.functional.layer_norm(x, (4, 5)), [_f(3, 4, 5)]),
    "group_norm no affine": (lambda m, x: m.nn.functional.group_norm(x, 2), [_f(2, 4, 5)]),
    "batch_norm no running": (lambda m, x, w, b: m.nn.functional.batch_norm(x, None, None, w, b, True),
                              [_f(4, 3, 5), _f(3), _f(3)]),
    "softmax": (lambda m, x: m.softmax(x, -1), [_f(4, 5)]),
    "log_softmax": (lambda m, x: m.log_softmax(x, 0), [_f(4, 5)]),
    "mse_loss none": (lambda m, x, t: m.nn.functional.mse_loss(x, t, reduction="none"), [_f(4, 5), _f(4, 5)]),
}
FUNCTIONAL_DIFFERENT = {
    'cross_entropy probs': _SCALAR,
    'cross_entropy smoothing': _SCALAR,
}


@pytest.mark.parametrize("name", sorted(FUNCTIONAL))
def test_functional_graph_matches_torch(name):
    fn, arrays = FUNCTIONAL[name]
    expected, got = _fn_graph(torch, fn, arrays), _fn_graph(ember, fn, arrays)
    if name in FUNCTIONAL_DIFFERENT:
        assert got != expected, f"{name} now matches torch: remove it from FUNCTIONAL_DIFFERENT"
    else:
        assert got == expected
