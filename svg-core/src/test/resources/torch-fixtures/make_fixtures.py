#!/usr/bin/env python3
"""Writes small torch.save-format fixtures for TorchCheckpointTest without needing torch.

The pickles are produced by Python's own pickle module (protocol 2, as torch.save uses) with stand-in classes
registered under torch's module names, so the opcode stream is the one torch writes: GLOBAL 'torch._utils
_rebuild_tensor_v2', BINPERSID ('storage', GLOBAL 'torch FloatStorage', key, location, numel), OrderedDict
REDUCE + SETITEMS + BUILD {'_metadata': ...}. Storage bytes come from numpy arrays; the expected values in the
Java test are these arrays, written there as literals.

Run from this folder:  python3 make_fixtures.py   (needs numpy only)
"""
import argparse
import collections
import io
import pickle
import struct
import sys
import types
import zipfile

import numpy as np

# ---- stand-ins for the torch globals that checkpoints name -----------------------------------------------------
torch = types.ModuleType("torch")
torch_utils = types.ModuleType("torch._utils")
torch._utils = torch_utils
sys.modules["torch"] = torch
sys.modules["torch._utils"] = torch_utils


def _stand_in(module, name, fn):
    fn.__module__ = module.__name__
    fn.__name__ = fn.__qualname__ = name
    setattr(module, name, fn)
    return fn


def _never_called(*args):
    raise RuntimeError("stand-in: only pickled, never called")


_rebuild_tensor_v2 = _stand_in(torch_utils, "_rebuild_tensor_v2", lambda *a: _never_called())
_rebuild_parameter = _stand_in(torch_utils, "_rebuild_parameter", lambda *a: _never_called())

STORAGE_CLASSES = {}
for name in ["FloatStorage", "BFloat16Storage", "HalfStorage", "LongStorage", "DoubleStorage",
             "ComplexFloatStorage"]:
    cls = type(name, (), {"__module__": "torch"})
    setattr(torch, name, cls)
    STORAGE_CLASSES[name] = cls


class Storage:
    """A storage: a key, a torch storage class and its raw little-endian bytes."""

    def __init__(self, key, storage_class, raw, numel, location="cpu", view=None):
        self.key, self.cls, self.raw, self.numel = key, STORAGE_CLASSES[storage_class], raw, numel
        self.location, self.view = location, view


class Tensor:
    """Pickles exactly like torch.Tensor: _rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks)."""

    def __init__(self, storage, offset, size, stride, hooks="ordered"):
        self.args = (storage, offset, tuple(size), tuple(stride), False,
                     collections.OrderedDict() if hooks == "ordered" else None)

    def __reduce_ex__(self, protocol):
        return _rebuild_tensor_v2, self.args


class Parameter:
    def __init__(self, tensor):
        self.tensor = tensor

    def __reduce_ex__(self, protocol):
        return _rebuild_parameter, (self.tensor, True, collections.OrderedDict())


class ZipPickler(pickle.Pickler):
    def persistent_id(self, obj):
        if isinstance(obj, Storage):
            return ("storage", obj.cls, obj.key, obj.location, obj.numel)
        return None


class LegacyPickler(pickle.Pickler):
    def persistent_id(self, obj):
        if isinstance(obj, Storage):
            return ("storage", obj.cls, obj.key, obj.location, obj.numel, obj.view)
        return None


class PairListOrderedDict:
    """Pickles as old torch files do: OrderedDict([[key, value], ...]) in a single REDUCE."""

    def __init__(self, items):
        self.items = items

    def __reduce_ex__(self, protocol):
        return collections.OrderedDict, ([[k, v] for k, v in self.items],)


def bf16_bytes(values):
    bits = np.array(values, dtype=np.float32).view(np.uint32)
    assert np.all(bits & 0xFFFF == 0), "choose values exactly representable in bf16"
    return (bits >> 16).astype("<u2").tobytes()


def write_zip(path, obj, storages, pickler=ZipPickler, root="archive", data_pkl=None, zip64=False):
    buf = io.BytesIO()
    pickler(buf, protocol=2).dump(obj)
    entries = [("data.pkl", data_pkl if data_pkl is not None else buf.getvalue()), ("byteorder", b"little")]
    entries += [(f"data/{s.key}", s.raw) for s in storages] + [("version", b"3\n")]
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as z:
        for name, data in entries:
            # a fixed timestamp keeps the fixtures byte-identical when regenerated
            info = zipfile.ZipInfo(f"{root}/{name}", date_time=(2024, 1, 1, 0, 0, 0))
            with z.open(info, "w", force_zip64=zip64) as f:
                f.write(data)


# ---- views.pt: strided views, several dtypes, nested containers -------------------------------------------------
base = (np.arange(12, dtype=np.float32) * 0.5 - 1.0)             # -1.0, -0.5, ..., 4.5
s0 = Storage("0", "FloatStorage", base.astype("<f4").tobytes(), 12)
bf16_values = [1.0, -2.5, 0.15625, 96.0, -0.0078125]
s1 = Storage("1", "BFloat16Storage", bf16_bytes(bf16_values), 5)
f16 = np.array([0.5, -1.5, 65504.0, 6.103515625e-05, 0.1], dtype=np.float16)
s2 = Storage("2", "HalfStorage", f16.astype("<f2").tobytes(), 5)
i64 = np.array([-3, 0, 7, 2**40 + 1, -(2**62)], dtype=np.int64)
s3 = Storage("3", "LongStorage", i64.astype("<i8").tobytes(), 5)

model = collections.OrderedDict()
model["w"] = Tensor(s0, 0, (3, 4), (4, 1))                       # base.reshape(3, 4)
model["w_t"] = Tensor(s0, 0, (4, 3), (1, 4))                     # base.reshape(3, 4).T, same storage
model["offset_view"] = Tensor(s0, 5, (2, 2), (4, 1))             # base.reshape(3, 4)[1:3, 1:3]
model["scalar"] = Tensor(s0, 11, (), ())                         # base[11]
model["bf16"] = Tensor(s1, 0, (5,), (1,))
model["f16"] = Tensor(s2, 0, (5,), (1,))
model["i64"] = Tensor(s3, 1, (2, 2), (1, 2))                      # i64[1:5].reshape(2, 2).T
model["param"] = Parameter(Tensor(s0, 2, (2, 3), (3, 1)))         # base[2:8].reshape(2, 3)
model._metadata = collections.OrderedDict([("", {"version": 1})])  # as nn.Module.state_dict() sets it

checkpoint = {
    "model": model,
    "args": argparse.Namespace(lr=1e-4, name="x"),
    "step": 7,
    "list": [1, 2.5, "s"],
}
write_zip("views.pt", checkpoint, [s0, s1, s2, s3])
print("w_t (C order):", base.reshape(3, 4).T.ravel().tolist())
print("offset_view:", base.reshape(3, 4)[1:3, 1:3].ravel().tolist())
print("i64 view:", i64[1:5].reshape(2, 2).T.ravel().tolist())
print("param:", base[2:8].tolist())
print("f16 as float:", [float(v) for v in f16])

# ---- legacy.pt: the pre-1.6 stream format ------------------------------------------------------------------------
root = (np.arange(10, dtype=np.float32) * 1.5)                    # 0, 1.5, ..., 13.5
r = Storage("94823", "FloatStorage", root.astype("<f4").tobytes(), 10, location="cuda:0")
# a legacy storage view: elements 2..5 of r under its own key
rv = Storage("94823", "FloatStorage", None, 10, location="cuda:0", view=("94900", 2, 4))
d = np.array([0.25, -8.0, 1e10], dtype=np.float64)
sd = Storage("94700", "DoubleStorage", d.astype("<f8").tobytes(), 3, location="cuda:0")
legacy_obj = PairListOrderedDict([
    ("a", Tensor(r, 0, (2, 3), (3, 1), hooks=None)),              # root[0:6].reshape(2, 3)
    ("b", Tensor(rv, 0, (2, 2), (1, 2), hooks=None)),             # root[2:6].reshape(2, 2).T
    ("c", Tensor(sd, 0, (3,), (1,), hooks=None)),
])
stream = io.BytesIO()
for header in [0x1950A86A20F9469CFC6C, 1001,
               {"protocol_version": 1001, "little_endian": True, "type_sizes": {"short": 2, "int": 4, "long": 4}}]:
    pickle.dump(header, stream, protocol=2)
LegacyPickler(stream, protocol=2).dump(legacy_obj)
keys = ["94700", "94823"]                                          # deliberately not in first-use order
pickle.dump(keys, stream, protocol=2)
for key in keys:
    s = sd if key == "94700" else r
    stream.write(struct.pack("<q", s.numel))
    stream.write(s.raw)
with open("legacy.pt", "wb") as f:
    f.write(stream.getvalue())
print("legacy b:", root[2:6].reshape(2, 2).T.ravel().tolist())

# ---- zip64.pt: zip64 extra fields in the local headers, as torch writes for storages beyond 4 GB ------------------
write_zip("zip64.pt", collections.OrderedDict([("t", Tensor(s0, 0, (12,), (1,)))]), [s0], zip64=True)

# ---- broken files: one problem each ---------------------------------------------------------------------------------
short = Storage("0", "FloatStorage", base[:10].astype("<f4").tobytes(), 12)   # entry holds 10 of 12 floats
write_zip("bad_short_storage.pt", collections.OrderedDict([("short.weight", Tensor(short, 0, (12,), (1,)))]), [short])

cplx = Storage("0", "ComplexFloatStorage", np.zeros(4, dtype="<c8").tobytes(), 4)
write_zip("bad_storage_type.pt", collections.OrderedDict([("z", Tensor(cplx, 0, (4,), (1,)))]), [cplx])

write_zip("bad_view.pt", {"model": collections.OrderedDict([("too_far", Tensor(s0, 4, (3, 4), (4, 1)))])}, [s0])
