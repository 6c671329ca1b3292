"""torchvision.datasets on ember: the real on-disk formats in torchvision's folder layout."""
from .cifar import CIFAR10, CIFAR100
from .fakedata import FakeData
from .folder import DatasetFolder, ImageFolder
from .mnist import EMNIST, MNIST, FashionMNIST, KMNIST
from .vision import VisionDataset

__all__ = ["MNIST", "FashionMNIST", "KMNIST", "EMNIST", "CIFAR10", "CIFAR100", "ImageFolder", "DatasetFolder",
           "FakeData", "VisionDataset"]
