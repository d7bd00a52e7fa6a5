#!/usr/bin/env python3
"""Writes the PyTorch reference fixtures for reference.cim: weights (<model>.npz, state-dict names) and one
input with PyTorch's output (<model>_io.npz, entries x and y). Run with Debian's python3-torch:
    /usr/bin/python3 make_fixtures.py
Random weights (fixed seed), batch-norm statistics away from the identity, eval mode."""
import numpy as np
import torch
from torch import nn

torch.manual_seed(2026)


def perturb_bn(m):
    for mod in m.modules():
        if isinstance(mod, nn.BatchNorm2d):
            mod.running_mean.uniform_(-0.5, 0.5)
            mod.running_var.uniform_(0.5, 1.5)
            mod.weight.data.uniform_(0.5, 1.5)
            mod.bias.data.uniform_(-0.3, 0.3)


class Inverted(nn.Module):
    def __init__(self, c, out, expand):
        super().__init__()
        h = c * expand
        self.expand_conv = nn.Conv2d(c, h, 1, bias=False)
        self.expand_bn = nn.BatchNorm2d(h)
        self.dw = nn.Conv2d(h, h, 3, padding=1, groups=h, bias=False)
        self.dw_bn = nn.BatchNorm2d(h)
        self.project = nn.Conv2d(h, out, 1, bias=False)
        self.project_bn = nn.BatchNorm2d(out)

    def forward(self, x):
        y = nn.functional.relu6(self.expand_bn(self.expand_conv(x)))
        y = nn.functional.relu6(self.dw_bn(self.dw(y)))
        return x + self.project_bn(self.project(y))


class Cnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 3, stride=2, padding=(1, 0))
        self.bn1 = nn.BatchNorm2d(8)
        self.residual = Inverted(8, 8, 2)
        self.conv2 = nn.Conv2d(8, 8, (2, 3), dilation=(1, 2), padding=(0, 2))
        self.fc = nn.Linear(8, 5)

    def forward(self, x):
        y = nn.functional.max_pool2d(torch.relu(self.bn1(self.conv1(x))), 3, stride=2, padding=1)
        y = nn.functional.hardswish(self.conv2(self.residual(y)))
        y = nn.functional.avg_pool2d(y, 2, ceil_mode=True)
        y = torch.flatten(nn.functional.adaptive_avg_pool2d(y, 1), 1)
        return torch.log_softmax(self.fc(y), dim=-1)


def save(name, model, x, state):
    with torch.no_grad():
        y = model(x)
    np.savez(name + ".npz", **state)
    np.savez(name + "_io.npz", x=x.numpy(), y=y.numpy())


cnn = Cnn()
perturb_bn(cnn)
cnn.eval()
save("cnn", cnn, torch.randn(2, 3, 12, 12),
     {k: v.numpy() for k, v in cnn.state_dict().items() if not k.endswith("num_batches_tracked")})

D, H, F = 8, 2, 16
layers = [nn.TransformerEncoderLayer(D, H, F, dropout=0.0, activation="gelu", batch_first=True) for _ in range(2)]
head = nn.Linear(D, 3)
state = {}
for i, layer in enumerate(layers):
    layer.eval()
    for p in layer.parameters():
        p.data.uniform_(-0.5, 0.5)
    p = "layers.%d." % i
    w = layer.self_attn.in_proj_weight.detach().numpy()
    b = layer.self_attn.in_proj_bias.detach().numpy()
    for j, n in enumerate("qkv"):
        state[p + "self_attn.%s.weight" % n] = w[j * D:(j + 1) * D]
        state[p + "self_attn.%s.bias" % n] = b[j * D:(j + 1) * D]
    state[p + "self_attn.out.weight"] = layer.self_attn.out_proj.weight.detach().numpy()
    state[p + "self_attn.out.bias"] = layer.self_attn.out_proj.bias.detach().numpy()
    for n in ["linear1", "linear2", "norm1", "norm2"]:
        state[p + n + ".weight"] = getattr(layer, n).weight.detach().numpy()
        state[p + n + ".bias"] = getattr(layer, n).bias.detach().numpy()
state["head.weight"] = head.weight.detach().numpy()
state["head.bias"] = head.bias.detach().numpy()


class Encoder(nn.Module):
    def forward(self, x):
        for layer in layers:
            x = layer(x)
        return torch.tanh(head(x.mean(dim=1)))


save("transformer", Encoder(), torch.randn(2, 5, D), state)
