"""Writes the .npy/.npz fixtures the dev.cimc.ir.npy tests read. Run from this folder:

    python3 make_fixtures.py

The files are committed (generated with numpy 2.4.6); rerun only to change them. Values are small and
exact in every dtype.
"""
import io
import zipfile

import numpy as np
from numpy.lib import format as npformat

SIX = np.arange(6).reshape(2, 3)

# One C-order (2, 3) array per dtype cimc reads, values 0..5 (bool: even -> True).
for name, dtype in [("f32", "<f4"), ("f64", "<f8"), ("f16", "<f2"), ("i64", "<i8"), ("i32", "<i4"),
                    ("i16", "<i2"), ("i8", "|i1"), ("u8", "|u1")]:
    np.save(f"{name}.npy", (SIX - (3 if name[0] == "i" else 0)).astype(dtype))
np.save("bool.npy", SIX % 2 == 0)

np.save("scalar_f32.npy", np.float32(2.5))             # shape ()
np.save("empty_f32.npy", np.zeros((0,), np.float32))    # shape (0,)
np.save("f32_2x3x4.npy", np.arange(24, dtype=np.float32).reshape(2, 3, 4) / 4)
np.save("special_f32.npy", np.array([np.nan, np.inf, -np.inf, -0.0, 1e-45], np.float32))

# Big-endian twins.
np.save("f32_be.npy", SIX.astype(">f4"))
np.save("i64_be.npy", (SIX - 3).astype(">i8"))
np.save("f16_be.npy", SIX.astype(">f2"))

# Format versions 2.0 and 3.0 (numpy.save picks 1.0 for these, so force them).
for version in [(2, 0), (3, 0)]:
    with open(f"f32_v{version[0]}.npy", "wb") as f:
        npformat.write_array(f, SIX.astype("<f4"), version=version)

# Rejected inputs.
np.save("fortran.npy", np.asfortranarray(SIX.astype("<f4")))
np.save("object.npy", np.array([1, "a", None], dtype=object), allow_pickle=True)
np.save("u16.npy", SIX.astype("<u2"))
np.save("c64.npy", SIX.astype("<c8"))

# Archives: savez stores, savez_compressed deflates; the order of keyword arguments is the entry order.
np.savez("savez.npz", x=SIX.astype("<f4"), idx=np.array([3, 1, 2], np.int64), flag=np.bool_(True))
np.savez_compressed("savez_compressed.npz", w=np.arange(100, dtype=np.float32).reshape(10, 10), b=SIX.astype("<i4"))
with zipfile.ZipFile("with_text.npz", "w") as z:
    buf = io.BytesIO()
    np.save(buf, SIX.astype("<f4"))
    # ZipInfo pins the timestamp (a bare name would stamp the current time) so reruns give the same bytes.
    z.writestr(zipfile.ZipInfo("x.npy", (1980, 1, 1, 0, 0, 0)), buf.getvalue())
    z.writestr(zipfile.ZipInfo("readme.txt", (1980, 1, 1, 0, 0, 0)), "not an array\n")
