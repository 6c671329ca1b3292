"""VGG-11/16 (with and without batch norm) with torchvision's module names."""
import ember as torch
from ember import nn

from ._api import IMAGENET_CLASSIFICATION, Weights, WeightsEnum, build, imagenet_meta, prepare

__all__ = ["VGG", "VGG11_Weights", "VGG11_BN_Weights", "VGG16_Weights", "VGG16_BN_Weights", "vgg11", "vgg11_bn",
           "vgg16", "vgg16_bn"]

cfgs = {
    "A": [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "D": [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"],
}


class VGG(nn.Module):
    def __init__(self, features, num_classes=1000, init_weights=True, dropout=0.5):
        super().__init__()
        self.features = features
        self.avgpool = nn.AdaptiveAvgPool2d((7, 7))
        self.classifier = nn.Sequential(
            nn.Linear(512 * 7 * 7, 4096), nn.ReLU(True), nn.Dropout(p=dropout),
            nn.Linear(4096, 4096), nn.ReLU(True), nn.Dropout(p=dropout),
            nn.Linear(4096, num_classes))
        if init_weights:
            for m in self.modules():
                if isinstance(m, nn.Conv2d):
                    nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
                    if m.bias is not None:
                        nn.init.constant_(m.bias, 0)
                elif isinstance(m, nn.BatchNorm2d):
                    nn.init.constant_(m.weight, 1)
                    nn.init.constant_(m.bias, 0)
                elif isinstance(m, nn.Linear):
                    nn.init.normal_(m.weight, 0, 0.01)
                    nn.init.constant_(m.bias, 0)

    def forward(self, x):
        return self.classifier(torch.flatten(self.avgpool(self.features(x)), 1))


def make_layers(cfg, batch_norm=False):
    layers, in_channels = [], 3
    for v in cfg:
        if v == "M":
            layers += [nn.MaxPool2d(kernel_size=2, stride=2)]
        else:
            conv = nn.Conv2d(in_channels, v, kernel_size=3, padding=1)
            layers += [conv, nn.BatchNorm2d(v), nn.ReLU(inplace=True)] if batch_norm else [conv, nn.ReLU(inplace=True)]
            in_channels = v
    return nn.Sequential(*layers)


_RECIPE = "https://github.com/pytorch/vision/tree/main/references/classification#alexnet-and-vgg"


def _weights(name, url, num_params, acc1, acc5):
    meta = imagenet_meta(num_params, acc1, acc5, _RECIPE, min_size=(32, 32))
    w = Weights(url=url, transforms=IMAGENET_CLASSIFICATION, meta=meta)
    return WeightsEnum(name, [("IMAGENET1K_V1", w), ("DEFAULT", w)], module=__name__)


VGG11_Weights = _weights("VGG11_Weights", "https://download.pytorch.org/models/vgg11-8a719046.pth", 132863336,
                         69.020, 88.628)
VGG11_BN_Weights = _weights("VGG11_BN_Weights", "https://download.pytorch.org/models/vgg11_bn-6002323d.pth",
                            132868840, 70.370, 89.810)
VGG16_Weights = _weights("VGG16_Weights", "https://download.pytorch.org/models/vgg16-397923af.pth", 138357544,
                         71.592, 90.382)
VGG16_BN_Weights = _weights("VGG16_BN_Weights", "https://download.pytorch.org/models/vgg16_bn-6c64b313.pth",
                            138365992, 73.360, 91.516)


def _vgg(cfg, batch_norm, weights_cls, weights, progress, kwargs):
    weights = prepare(weights_cls, weights, kwargs)
    if weights is not None:
        kwargs.setdefault("init_weights", False)
    return build(VGG(make_layers(cfgs[cfg], batch_norm=batch_norm), **kwargs), weights, progress)


def vgg11(*, weights=None, progress=True, **kwargs):
    return _vgg("A", False, VGG11_Weights, weights, progress, kwargs)


def vgg11_bn(*, weights=None, progress=True, **kwargs):
    return _vgg("A", True, VGG11_BN_Weights, weights, progress, kwargs)


def vgg16(*, weights=None, progress=True, **kwargs):
    return _vgg("D", False, VGG16_Weights, weights, progress, kwargs)


def vgg16_bn(*, weights=None, progress=True, **kwargs):
    return _vgg("D", True, VGG16_BN_Weights, weights, progress, kwargs)
