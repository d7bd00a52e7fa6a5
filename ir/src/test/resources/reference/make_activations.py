"""Writes activations.txt: double-precision references for the erf/gelu/tanh/sigmoid kernels.

Run with mpmath (any 1.x): python3 make_activations.py > activations.txt
Each x is exactly representable in float32 (k/32 for k in -256..256, plus a few powers of two), and
every function is evaluated at 50 significant digits, then rounded to the nearest double.
"""
import mpmath

mpmath.mp.dps = 50


def gelu(x):
    return x / 2 * mpmath.erfc(-x / mpmath.sqrt(2))


def gelu_tanh(x):
    u = mpmath.sqrt(2 / mpmath.pi) * (x + mpmath.mpf('0.044715') * x ** 3)
    return x / 2 * (1 + mpmath.tanh(u))


def sigmoid(x):
    return 1 / (1 + mpmath.exp(-x))


xs = [mpmath.mpf(k) / 32 for k in range(-256, 257)]
xs += [mpmath.mpf(2) ** -30, mpmath.mpf(2) ** -20, mpmath.mpf(2) ** -10, -mpmath.mpf(2) ** -12]
print('# x erf(x) erfc(x) gelu(x) gelu_tanh(x) tanh(x) sigmoid(x): mpmath at 50 digits, rounded to double')
for x in xs:
    row = [x, mpmath.erf(x), mpmath.erfc(x), gelu(x), gelu_tanh(x), mpmath.tanh(x), sigmoid(x)]
    print(' '.join(repr(float(v)) for v in row))
