"""AlexNet (torchvision's one-GPU variant) with torchvision's module names."""
import ember as torch
from ember import nn

from ._api import IMAGENET_CLASSIFICATION, Weights, WeightsEnum, build, imagenet_meta, prepare

__all__ = ["AlexNet", "AlexNet_Weights", "alexnet"]


class AlexNet(nn.Module):
    def __init__(self, num_classes=1000, dropout=0.5):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 64, kernel_size=11, stride=4, padding=2), nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(64, 192, kernel_size=5, padding=2), nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(192, 384, kernel_size=3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(384, 256, kernel_size=3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(256, 256, kernel_size=3, padding=1), nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2))
        self.avgpool = nn.AdaptiveAvgPool2d((6, 6))
        self.classifier = nn.Sequential(
            nn.Dropout(p=dropout), nn.Linear(256 * 6 * 6, 4096), nn.ReLU(inplace=True),
            nn.Dropout(p=dropout), nn.Linear(4096, 4096), nn.ReLU(inplace=True),
            nn.Linear(4096, num_classes))

    def forward(self, x):
        return self.classifier(torch.flatten(self.avgpool(self.features(x)), 1))


class AlexNet_Weights(WeightsEnum):
    IMAGENET1K_V1 = Weights(
        url="https://download.pytorch.org/models/alexnet-owt-7be5be79.pth", transforms=IMAGENET_CLASSIFICATION,
        meta=imagenet_meta(61100840, 56.522, 79.066,
                           "https://github.com/pytorch/vision/tree/main/references/classification#alexnet-and-vgg",
                           min_size=(63, 63)))
    DEFAULT = IMAGENET1K_V1


def alexnet(*, weights=None, progress=True, **kwargs):
    weights = prepare(AlexNet_Weights, weights, kwargs)
    return build(AlexNet(**kwargs), weights, progress)
