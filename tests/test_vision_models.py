"""ember.vision.models against the same architectures written in plain torch with torchvision's
module names: identical state_dict keys and shapes, and (weights copied from ember's model)
identical outputs, BatchNorm running stats and gradients in eval and train mode."""
import numpy as np
import pytest
import torch
from torch import nn

import ember
import ember.vision.models as M


# -- reference architectures (torchvision's code, trimmed to what the builders use) --------------
class BasicBlock(nn.Module):
    expansion = 1

    def __init__(self, inp, planes, stride=1, downsample=None):
        super().__init__()
        self.conv1 = nn.Conv2d(inp, planes, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = downsample

    def forward(self, x):
        idt = x if self.downsample is None else self.downsample(x)
        return self.relu(self.bn2(self.conv2(self.relu(self.bn1(self.conv1(x))))) + idt)


class Bottleneck(nn.Module):
    expansion = 4

    def __init__(self, inp, planes, stride=1, downsample=None):
        super().__init__()
        self.conv1 = nn.Conv2d(inp, planes, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv3 = nn.Conv2d(planes, planes * 4, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(planes * 4)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample

    def forward(self, x):
        idt = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn2(self.conv2(self.relu(self.bn1(self.conv1(x))))))
        return self.relu(self.bn3(self.conv3(out)) + idt)


class ResNet(nn.Module):
    def __init__(self, block, layers, num_classes=1000):
        super().__init__()
        self.inplanes = 64
        self.conv1 = nn.Conv2d(3, 64, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        for i, (planes, n) in enumerate(zip((64, 128, 256, 512), layers)):
            stride = 1 if i == 0 else 2
            down = None
            if stride != 1 or self.inplanes != planes * block.expansion:
                down = nn.Sequential(nn.Conv2d(self.inplanes, planes * block.expansion, 1, stride, bias=False),
                                     nn.BatchNorm2d(planes * block.expansion))
            blocks = [block(self.inplanes, planes, stride, down)]
            self.inplanes = planes * block.expansion
            blocks += [block(self.inplanes, planes) for _ in range(1, n)]
            setattr(self, f"layer{i + 1}", nn.Sequential(*blocks))
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(512 * block.expansion, num_classes)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(self.avgpool(x), 1))


def vgg(cfg, bn, num_classes=1000, dropout=0.5):
    layers, c = [], 3
    for v in cfg:
        if v == "M":
            layers.append(nn.MaxPool2d(2, 2))
        else:
            layers += [nn.Conv2d(c, v, 3, padding=1)] + ([nn.BatchNorm2d(v)] if bn else []) + [nn.ReLU(True)]
            c = v
    m = nn.Module()
    m.features = nn.Sequential(*layers)
    m.avgpool = nn.AdaptiveAvgPool2d((7, 7))
    m.classifier = nn.Sequential(nn.Linear(25088, 4096), nn.ReLU(True), nn.Dropout(dropout), nn.Linear(4096, 4096),
                                 nn.ReLU(True), nn.Dropout(dropout), nn.Linear(4096, num_classes))
    m.forward = lambda x: m.classifier(torch.flatten(m.avgpool(m.features(x)), 1))
    return m


def alexnet(num_classes=1000, dropout=0.5):
    m = nn.Module()
    m.features = nn.Sequential(nn.Conv2d(3, 64, 11, 4, 2), nn.ReLU(True), nn.MaxPool2d(3, 2),
                               nn.Conv2d(64, 192, 5, padding=2), nn.ReLU(True), nn.MaxPool2d(3, 2),
                               nn.Conv2d(192, 384, 3, padding=1), nn.ReLU(True), nn.Conv2d(384, 256, 3, padding=1),
                               nn.ReLU(True), nn.Conv2d(256, 256, 3, padding=1), nn.ReLU(True), nn.MaxPool2d(3, 2))
    m.avgpool = nn.AdaptiveAvgPool2d((6, 6))
    m.classifier = nn.Sequential(nn.Dropout(dropout), nn.Linear(9216, 4096), nn.ReLU(True), nn.Dropout(dropout),
                                 nn.Linear(4096, 4096), nn.ReLU(True), nn.Linear(4096, num_classes))
    m.forward = lambda x: m.classifier(torch.flatten(m.avgpool(m.features(x)), 1))
    return m


def cna(i, o, k=3, s=1, g=1):
    return nn.Sequential(nn.Conv2d(i, o, k, s, (k - 1) // 2, groups=g, bias=False), nn.BatchNorm2d(o), nn.ReLU6(True))


class InvRes(nn.Module):
    def __init__(self, i, o, s, t):
        super().__init__()
        h = int(round(i * t))
        self.use_res = s == 1 and i == o
        self.conv = nn.Sequential(*([cna(i, h, 1)] if t != 1 else []), cna(h, h, 3, s, h),
                                  nn.Conv2d(h, o, 1, 1, 0, bias=False), nn.BatchNorm2d(o))

    def forward(self, x):
        return x + self.conv(x) if self.use_res else self.conv(x)


def mobilenet_v2(num_classes=1000, dropout=0.2):
    feats, c = [cna(3, 32, s=2)], 32
    for t, o, n, s in [[1, 16, 1, 1], [6, 24, 2, 2], [6, 32, 3, 2], [6, 64, 4, 2], [6, 96, 3, 1], [6, 160, 3, 2],
                       [6, 320, 1, 1]]:
        for i in range(n):
            feats.append(InvRes(c, o, s if i == 0 else 1, t))
            c = o
    feats.append(cna(c, 1280, 1))
    m = nn.Module()
    m.features = nn.Sequential(*feats)
    m.classifier = nn.Sequential(nn.Dropout(dropout), nn.Linear(1280, num_classes))
    m.forward = lambda x: m.classifier(torch.flatten(nn.functional.adaptive_avg_pool2d(m.features(x), 1), 1))
    return m


class Fire(nn.Module):
    def __init__(self, i, s, e1, e3):
        super().__init__()
        self.squeeze, self.squeeze_activation = nn.Conv2d(i, s, 1), nn.ReLU(True)
        self.expand1x1, self.expand1x1_activation = nn.Conv2d(s, e1, 1), nn.ReLU(True)
        self.expand3x3, self.expand3x3_activation = nn.Conv2d(s, e3, 3, padding=1), nn.ReLU(True)

    def forward(self, x):
        x = self.squeeze_activation(self.squeeze(x))
        return torch.cat([self.expand1x1_activation(self.expand1x1(x)),
                          self.expand3x3_activation(self.expand3x3(x))], 1)


def squeezenet1_0(num_classes=1000, dropout=0.5):
    m = nn.Module()
    mp = lambda: nn.MaxPool2d(3, 2, ceil_mode=True)  # noqa: E731
    m.features = nn.Sequential(nn.Conv2d(3, 96, 7, 2), nn.ReLU(True), mp(), Fire(96, 16, 64, 64),
                               Fire(128, 16, 64, 64), Fire(128, 32, 128, 128), mp(), Fire(256, 32, 128, 128),
                               Fire(256, 48, 192, 192), Fire(384, 48, 192, 192), Fire(384, 64, 256, 256), mp(),
                               Fire(512, 64, 256, 256))
    m.classifier = nn.Sequential(nn.Dropout(dropout), nn.Conv2d(512, num_classes, 1), nn.ReLU(True),
                                 nn.AdaptiveAvgPool2d((1, 1)))
    m.forward = lambda x: torch.flatten(m.classifier(m.features(x)), 1)
    return m


CFG_A = [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"]
CFG_D = [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"]

CASES = {
    "resnet18": (lambda **k: ResNet(BasicBlock, [2, 2, 2, 2], **k), 64),
    "resnet50": (lambda **k: ResNet(Bottleneck, [3, 4, 6, 3], **k), 64),
    "mobilenet_v2": (mobilenet_v2, 64),
    "squeezenet1_0": (squeezenet1_0, 64),
    "alexnet": (alexnet, 64),
    "vgg11_bn": (lambda **k: vgg(CFG_A, True, **k), 32),
}


def _copy(src, dst):
    sd = {k: torch.from_numpy(v.numpy().copy()) for k, v in src.state_dict().items()}
    dst.load_state_dict(sd)


def _np(t):
    return t.detach().numpy()


@pytest.mark.parametrize("name", sorted(CASES))
def test_model_matches_torch(name):
    ref_fn, size = CASES[name]
    kw = {"num_classes": 10}
    if name not in ("resnet18", "resnet50"):
        kw["dropout"] = 0.0  # train mode compared without dropout's random mask
    ember.manual_seed(0)
    # VGG's own init draws 100M normals (slow in ember); its default layer init is drawn instead
    em = getattr(M, name)(**kw, **({"init_weights": False} if name.startswith("vgg") else {}))
    tm = ref_fn(**kw)
    esd, tsd = em.state_dict(), tm.state_dict()
    assert list(esd) == list(tsd)
    assert all(tuple(esd[k].shape) == tuple(tsd[k].shape) for k in esd)
    _copy(em, tm)
    x = np.random.default_rng(1).standard_normal((2, 3, size, size))
    em.eval()
    tm.eval()
    with ember.no_grad(), torch.no_grad():  # the whole model in float32
        eo, to = em(ember.tensor(x, dtype=ember.float32)), tm(torch.tensor(x, dtype=torch.float32))
        np.testing.assert_allclose(eo.numpy(), to.numpy(), rtol=1e-4, atol=1e-5 * float(to.abs().max()))
    if name in ("alexnet", "vgg11_bn"):  # their 100M-weight classifiers are too slow in float64 on 2 cores
        em, tm = em.features, tm.features
    # compared in float64: train-mode BatchNorm over the last 2x2 maps is so ill-conditioned that
    # float32 torch itself is off its float64 result by ~3% of the largest input gradient
    em.double()
    tm.double()
    # alexnet has no BatchNorm and dropout is off: train mode would compute the same thing again
    for train in (False, True) if name != "alexnet" else (False,):
        em.train(train)
        tm.train(train)
        em.zero_grad()
        tm.zero_grad()
        ex, tx = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        eo, to = em(ex), tm(tx)
        np.testing.assert_allclose(_np(eo), _np(to), rtol=1e-7, atol=1e-9 * float(to.detach().abs().max()))
        (eo * eo).sum().backward()
        (to * to).sum().backward()
        np.testing.assert_allclose(_np(ex.grad), _np(tx.grad), rtol=1e-6, atol=1e-9 * float(tx.grad.abs().max()))
        eg, tg = dict(em.named_parameters()), dict(tm.named_parameters())
        scale = max(float(g.grad.abs().max()) for g in tg.values())
        for k in list(eg)[:3] + list(eg)[-2:]:
            np.testing.assert_allclose(_np(eg[k].grad), _np(tg[k].grad), rtol=1e-6,
                                       atol=1e-9 * scale)
    tsd = tm.state_dict()
    esd = em.state_dict()
    for k in esd:  # running stats moved the same way
        np.testing.assert_allclose(esd[k].numpy(), tsd[k].numpy(), rtol=1e-7, atol=1e-12)


def test_vgg16_and_resnet34_keys():
    for name, ref, kw in (("vgg16", lambda: vgg(CFG_D, False), {"init_weights": False}),
                          ("resnet34", lambda: ResNet(BasicBlock, [3, 4, 6, 3]), {})):
        e, t = getattr(M, name)(**kw).state_dict(), ref().state_dict()
        assert [(k, tuple(v.shape)) for k, v in e.items()] == [(k, tuple(v.shape)) for k, v in t.items()]
        n = sum(v.numel() for k, v in e.items() if "running" not in k and "num_batches" not in k)
        weights = M.VGG16_Weights if name == "vgg16" else M.ResNet34_Weights
        assert n == weights.IMAGENET1K_V1.meta["num_params"]


def test_weights_enums():
    w = M.ResNet18_Weights.IMAGENET1K_V1
    assert w.url == "https://download.pytorch.org/models/resnet18-f37072fd.pth"
    assert M.ResNet50_Weights.DEFAULT is M.ResNet50_Weights.IMAGENET1K_V2
    assert M.VGG16_Weights.DEFAULT is M.VGG16_Weights.IMAGENET1K_V1
    assert M.ResNet18_Weights.verify("ResNet18_Weights.IMAGENET1K_V1") is w
    weights = {n.lower().replace("_", ""): v for n, v in vars(M).items() if n.endswith("_Weights")}
    for name in ("resnet18", "resnet50", "mobilenet_v2", "squeezenet1_0"):  # meta's count is the model's
        key = name.replace("_", "") + "weights"
        model = M.get_model(name)
        assert sum(p.numel() for p in model.parameters()) == weights[key].IMAGENET1K_V1.meta["num_params"]
    with pytest.warns(UserWarning, match="'pretrained' is deprecated"):
        assert isinstance(M.resnet18(pretrained=False), M.ResNet)
    try:
        import ember.hub as hub
    except ImportError:
        hub = None
    if hub is None or not hasattr(hub, "load_state_dict_from_url"):
        with pytest.raises(RuntimeError, match="needs ember.hub.load_state_dict_from_url"), pytest.warns(UserWarning):
            M.squeezenet1_0(pretrained=True)
    else:  # weights come through ember.hub: serve a known state_dict and see it loaded
        sd = M.squeezenet1_0().state_dict()
        seen = []
        orig = hub.load_state_dict_from_url
        hub.load_state_dict_from_url = lambda url, *a, **k: seen.append(url) or sd
        try:
            with pytest.warns(UserWarning):
                m = M.squeezenet1_0(pretrained=True)
        finally:
            hub.load_state_dict_from_url = orig
        assert seen == [M.SqueezeNet1_0_Weights.IMAGENET1K_V1.url]
        np.testing.assert_array_equal(m.state_dict()["features.0.weight"].numpy(), sd["features.0.weight"].numpy())
    with pytest.raises(TypeError, match="Invalid Weight class"):
        M.resnet18(weights=M.VGG11_Weights.IMAGENET1K_V1)
    with pytest.raises(ValueError, match="The parameter 'num_classes' expected value 1000"):
        M.resnet18(weights=w, num_classes=10)
    img = ember.rand(3, 300, 260)
    out = w.transforms()(img)
    assert out.shape == (3, 224, 224) and out.dtype == ember.float32
    from ember.vision.transforms import functional as F
    ref = F.normalize(F.center_crop(F.resize(img, [256]), [224]), [0.485, 0.456, 0.406], [0.229, 0.224, 0.225])
    np.testing.assert_allclose(out.numpy(), ref.numpy())
