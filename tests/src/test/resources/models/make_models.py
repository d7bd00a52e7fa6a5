#!/usr/bin/python3
"""Builds the small real-weight ONNX models and the digits data set the tests use.

Run with Debian's python (python3-torch, python3-torchvision, python3-onnx, python3-sklearn):

    /usr/bin/python3 tests/src/test/resources/models/make_models.py

Every model is trained briefly on CPU on scikit-learn's 8x8 digits (bilinearly upsampled to 32x32
for the convolutional models), so the weights are real, then exported with torch.onnx.export:

  digits_cnn.onnx         conv-relu-pool x2, batch norm, two dense layers   1x1x32x32 -> 1x10   opset 13
  resnet18.onnx           ResNet-18 (BasicBlock [2,2,2,2]), width 12        1x1x32x32 -> 1x10   opset 13
  mobilenetv2.onnx        torchvision MobileNetV2, width multiplier 0.35    1x1x32x32 -> 1x10   opset 17
  transformer.onnx        2-layer encoder, d_model 32, 4 heads, 16 tokens   1x16x4    -> 1x10   opset 17

The convolutional models read one grey channel (the first convolution takes 1 input channel).
The transformer reads the 8x8 image as 16 tokens of 2x2 pixels.

digits.npz holds a calibration and an evaluation split, never seen in training:
  calib_images (128,1,32,32) f32, calib_labels (128,) i64,
  eval_images (256,1,32,32) f32, eval_labels (256,) i64,
  and the transformer's view of the same images: calib_tokens (128,16,4), eval_tokens (256,16,4).
Pixel values are the digits' 0..16 divided by 16 (so in [0, 1]).

digits_train.npz holds the samples the models trained on (for quantization-aware training tests):
  train_images (1413,1,32,32) f32, train_labels (1413,) i64.
`make_models.py --train-split` writes only this file (no training; the split is the same).

models.json records, per model, the file, opset, input and output names and shapes, and the
accuracy on the evaluation split. Everything is seeded; a rerun writes the same weights up to
PyTorch's own nondeterminism across versions.
"""

import io
import json
import os
import sys
import time
import zipfile

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision
from sklearn.datasets import load_digits

OUT = os.path.dirname(os.path.abspath(__file__))
SEED = 20260101
CALIB = 128
EVAL = 256


def data():
    """Digits as (images 1x32x32 in [0,1], tokens 16x4, labels), shuffled once with a fixed seed."""
    d = load_digits()
    x8 = torch.tensor(d.images, dtype=torch.float32).unsqueeze(1) / 16.0  # N,1,8,8
    y = torch.tensor(d.target, dtype=torch.int64)
    perm = torch.randperm(len(y), generator=torch.Generator().manual_seed(SEED))
    x8, y = x8[perm], y[perm]
    x32 = F.interpolate(x8, size=(32, 32), mode="bilinear", align_corners=False)
    # 16 tokens, each a 2x2 patch of the 8x8 image, in row-major patch order.
    tokens = x8.reshape(-1, 4, 2, 4, 2).permute(0, 1, 3, 2, 4).reshape(-1, 16, 4)
    return x32.contiguous(), tokens.contiguous(), y


class DigitsCnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 3, padding=1)
        self.conv2 = nn.Conv2d(8, 16, 3, padding=1)
        self.bn = nn.BatchNorm2d(16)  # after the pool, so the exporter keeps it as BatchNormalization
        self.fc1 = nn.Linear(16 * 8 * 8, 32)
        self.fc2 = nn.Linear(32, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = self.bn(F.max_pool2d(F.relu(self.conv2(x)), 2))
        x = torch.flatten(x, 1)
        return self.fc2(F.relu(self.fc1(x)))


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.down = None
        if stride != 1 or cin != cout:
            self.down = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        idt = x if self.down is None else self.down(x)
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return F.relu(y + idt)


class ResNet18(nn.Module):
    """torchvision's resnet18 layout (7x7/2 stem, 3x3/2 max pool, 4 stages of 2 BasicBlocks,
    global average pool, fully connected), with channel widths w, 2w, 4w, 8w."""

    def __init__(self, width=12, classes=10):
        super().__init__()
        w = [width, 2 * width, 4 * width, 8 * width]
        self.conv1 = nn.Conv2d(1, w[0], 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(w[0])
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        layers = []
        cin = w[0]
        for i, c in enumerate(w):
            stride = 1 if i == 0 else 2
            layers.append(nn.Sequential(BasicBlock(cin, c, stride), BasicBlock(c, c, 1)))
            cin = c
        self.layer1, self.layer2, self.layer3, self.layer4 = layers
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(w[3], classes)

    def forward(self, x):
        x = self.maxpool(F.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(self.avgpool(x), 1))


def mobilenet_v2():
    m = torchvision.models.mobilenet_v2(num_classes=10, width_mult=0.35)
    old = m.features[0][0]
    m.features[0][0] = nn.Conv2d(1, old.out_channels, 3, 2, 1, bias=False)
    return m


class DigitsTransformer(nn.Module):
    """Patch embedding, learned positions, 2 post-norm encoder layers, mean pool, classifier."""

    def __init__(self, d=32, heads=4, layers=2, ff=64, tokens=16, patch=4):
        super().__init__()
        self.embed = nn.Linear(patch, d)
        self.pos = nn.Parameter(torch.zeros(1, tokens, d))
        layer = nn.TransformerEncoderLayer(d, heads, ff, dropout=0.0, batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.head = nn.Linear(d, 10)

    def forward(self, x):
        h = self.encoder(self.embed(x) + self.pos)
        return self.head(h.mean(dim=1))


def train(model, x, y, epochs, lr, batch=64):
    torch.manual_seed(SEED)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, lr, total_steps=epochs * ((len(y) + batch - 1) // batch))
    model.train()
    for _ in range(epochs):
        perm = torch.randperm(len(y))
        for i in range(0, len(y), batch):
            idx = perm[i:i + batch]
            opt.zero_grad()
            loss = F.cross_entropy(model(x[idx]), y[idx])
            loss.backward()
            opt.step()
            sched.step()
    model.eval()
    return model


def accuracy(model, x, y):
    with torch.no_grad():
        return float((model(x).argmax(1) == y).float().mean())


def export(model, example, name, opset):
    path = os.path.join(OUT, name + ".onnx")
    buf = io.BytesIO()
    torch.onnx.export(model, example, buf, opset_version=opset, input_names=["input"], output_names=["logits"],
                      do_constant_folding=True, training=torch.onnx.TrainingMode.EVAL)
    m = onnx.load_from_string(buf.getvalue())
    onnx.checker.check_model(m)
    m.producer_name = "pytorch " + torch.__version__ + " via make_models.py"
    m.graph.name = name
    with open(path, "wb") as f:
        f.write(m.SerializeToString())
    return m


def save_npz(path, arrays):
    """np.savez_compressed with fixed zip timestamps, so reruns write the same bytes."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for key in sorted(arrays):
            buf = io.BytesIO()
            np.save(buf, arrays[key], allow_pickle=False)
            info = zipfile.ZipInfo(key + ".npy", date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, buf.getvalue())


def save_train_split(x32, y):
    """The samples every model trained on (everything after the calibration and evaluation splits)."""
    trn = slice(CALIB + EVAL, None)
    save_npz(os.path.join(OUT, "digits_train.npz"), {
        "train_images": x32[trn].numpy(), "train_labels": y[trn].numpy(),
    })


def main():
    if "--train-split" in sys.argv[1:]:
        x32, _, y = data()
        save_train_split(x32, y)
        return
    torch.manual_seed(SEED)
    torch.set_num_threads(max(1, min(4, os.cpu_count() or 1)))
    start = time.time()
    x32, tokens, y = data()
    held = CALIB + EVAL
    cal, ev = slice(0, CALIB), slice(CALIB, held)
    trn = slice(held, None)

    specs = [
        ("digits_cnn", DigitsCnn, x32, 8, 3e-3, 13),
        ("resnet18", ResNet18, x32, 6, 3e-3, 13),
        ("mobilenetv2", mobilenet_v2, x32, 10, 5e-3, 17),
        ("transformer", DigitsTransformer, tokens, 30, 3e-3, 17),
    ]
    manifest = []
    for name, ctor, x, epochs, lr, opset in specs:
        t0 = time.time()
        torch.manual_seed(SEED)
        model = train(ctor(), x[trn], y[trn], epochs, lr)
        acc = accuracy(model, x[ev], y[ev])
        m = export(model, x[ev][:1], name, opset)
        size = os.path.getsize(os.path.join(OUT, name + ".onnx"))
        ops = sorted({n.op_type for n in m.graph.node})
        manifest.append({
            "file": name + ".onnx",
            "opset": opset,
            "input": {"name": "input", "shape": list(x[:1].shape)},
            "output": {"name": "logits", "shape": [1, 10]},
            "eval_accuracy": round(acc, 4),
            "parameters": sum(p.numel() for p in model.parameters()),
            "bytes": size,
            "ops": ops,
        })
        print(f"{name}: eval accuracy {acc:.3f}, {size} bytes, {time.time() - t0:.1f} s, ops {ops}", file=sys.stderr)

    save_npz(os.path.join(OUT, "digits.npz"), {
        "calib_images": x32[cal].numpy(), "calib_labels": y[cal].numpy(),
        "eval_images": x32[ev].numpy(), "eval_labels": y[ev].numpy(),
        "calib_tokens": tokens[cal].numpy(), "eval_tokens": tokens[ev].numpy(),
    })
    save_train_split(x32, y)
    with open(os.path.join(OUT, "models.json"), "w") as f:
        json.dump({"generator": "make_models.py", "torch": torch.__version__, "seed": SEED, "models": manifest},
                  f, indent=2)
        f.write("\n")
    print(f"total {time.time() - start:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
