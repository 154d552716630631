"""A tiny numpy evaluator for the few ONNX ops our exported graphs use.

Debian ships no onnxruntime and its onnx (1.12) has no onnx.reference, so the tests run the exported
graphs with this. It computes in float64 and refuses any op or attribute it does not implement.
"""
import numpy as np
import onnx
from onnx import numpy_helper


def _attrs(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def _pads(pads, nd):
    pads = list(pads or [0] * (2 * nd))
    return [(pads[i], pads[i + nd]) for i in range(nd)]


def _windows(x, kernel, strides, pads, pad_value):
    """[N,C,H,W] -> [N,C,OH,OW,kh,kw] sliding windows after padding."""
    x = np.pad(x, [(0, 0), (0, 0)] + _pads(pads, 2), constant_values=pad_value)
    kh, kw = kernel
    sh, sw = strides
    oh = (x.shape[2] - kh) // sh + 1
    ow = (x.shape[3] - kw) // sw + 1
    win = np.lib.stride_tricks.sliding_window_view(x, (kh, kw), axis=(2, 3))
    return win[:, :, ::sh, ::sw][:, :, :oh, :ow]


def _conv(x, w, b=None, **a):
    if a.get("group", 1) != 1 or any(d != 1 for d in a.get("dilations", [1, 1])):
        raise NotImplementedError("Conv with group/dilation")
    if a.get("auto_pad", b"NOTSET") not in (b"NOTSET", "NOTSET"):
        raise NotImplementedError("Conv auto_pad")
    win = _windows(x, w.shape[2:], a.get("strides", [1, 1]), a.get("pads"), 0.0)
    y = np.einsum("nchwij,ocij->nohw", win, w, optimize=True)
    return y + b[None, :, None, None] if b is not None else y


def _pool(x, reducer, **a):
    if a.get("ceil_mode", 0) or any(d != 1 for d in a.get("dilations", [1, 1])):
        raise NotImplementedError("pool ceil_mode/dilations")
    k = a["kernel_shape"]
    pad_value = -np.inf if reducer is np.max else 0.0
    win = _windows(x, k, a.get("strides", [1, 1]), a.get("pads"), pad_value)
    if reducer is np.mean and any(a.get("pads") or []) and not a.get("count_include_pad", 0):
        raise NotImplementedError("AveragePool with pads excluding padding")
    return reducer(win, axis=(4, 5))


def _gemm(a_, b_, c=None, alpha=1.0, beta=1.0, transA=0, transB=0):
    a_ = a_.T if transA else a_
    b_ = b_.T if transB else b_
    y = alpha * (a_ @ b_)
    return y + beta * c if c is not None else y


def _axes(node_attrs, inputs, opset):
    if len(inputs) > 1 and inputs[1] is not None:
        return tuple(int(v) for v in inputs[1])
    ax = node_attrs.get("axes")
    return tuple(ax) if ax is not None else None


def _clip(x, lo=None, hi=None, **a):
    lo = a.get("min", lo)
    hi = a.get("max", hi)
    if lo is not None:
        x = np.maximum(x, lo)
    if hi is not None:
        x = np.minimum(x, hi)
    return x


def _batchnorm(x, scale, bias, mean, var, epsilon=1e-5, **_):
    sh = (1, -1) + (1,) * (x.ndim - 2)
    return (x - mean.reshape(sh)) / np.sqrt(var.reshape(sh) + epsilon) * scale.reshape(sh) + bias.reshape(sh)


def _reshape(x, shape, allowzero=0):
    shape = [int(s) for s in shape]
    shape = [x.shape[i] if s == 0 and not allowzero else s for i, s in enumerate(shape)]
    return x.reshape(shape)


def _flatten(x, axis=1):
    lead = int(np.prod(x.shape[:axis])) if axis else 1
    return x.reshape(lead, -1)


def run(model, feeds):
    """Runs an onnx.ModelProto on {input name: array}; returns the list of graph outputs (float64)."""
    if isinstance(model, (str, bytes)) and not isinstance(model, onnx.ModelProto):
        model = onnx.load(model)
    opset = max(o.version for o in model.opset_import if o.domain in ("", "ai.onnx"))
    env = {t.name: numpy_helper.to_array(t).astype(np.float64) if numpy_helper.to_array(t).dtype.kind == "f"
           else numpy_helper.to_array(t) for t in model.graph.initializer}
    env.update({k: np.asarray(v, dtype=np.float64) for k, v in feeds.items()})
    for node in model.graph.node:
        a = _attrs(node)
        ins = [env[n] if n else None for n in node.input]
        op = node.op_type
        if op == "Constant":
            v = numpy_helper.to_array(a["value"])
            out = v.astype(np.float64) if v.dtype.kind == "f" else v
        elif op == "Conv":
            out = _conv(*ins, **a)
        elif op == "Relu":
            out = np.maximum(ins[0], 0.0)
        elif op == "MaxPool":
            if len(node.output) > 1:
                raise NotImplementedError("MaxPool indices")
            out = _pool(ins[0], np.max, **a)
        elif op == "AveragePool":
            out = _pool(ins[0], np.mean, **a)
        elif op == "GlobalAveragePool":
            out = ins[0].mean(axis=tuple(range(2, ins[0].ndim)), keepdims=True)
        elif op == "Flatten":
            out = _flatten(ins[0], **a)
        elif op == "Reshape":
            out = _reshape(ins[0], ins[1], **a)
        elif op == "Gemm":
            out = _gemm(*ins, **a)
        elif op == "MatMul":
            out = ins[0] @ ins[1]
        elif op in ("Add", "Sub", "Mul", "Div"):
            out = {"Add": np.add, "Sub": np.subtract, "Mul": np.multiply, "Div": np.divide}[op](ins[0], ins[1])
        elif op == "Sqrt":
            out = np.sqrt(ins[0])
        elif op == "Identity":
            out = ins[0]
        elif op == "BatchNormalization":
            out = _batchnorm(*ins[:5], **a)
        elif op in ("ReduceL2", "ReduceSum", "ReduceMean"):
            axes = _axes(a, ins, opset)
            keep = bool(a.get("keepdims", 1))
            if axes is None and a.get("noop_with_empty_axes", 0):
                out = ins[0]
            elif op == "ReduceL2":
                out = np.sqrt(np.sum(ins[0] ** 2, axis=axes, keepdims=keep))
            else:
                out = (np.sum if op == "ReduceSum" else np.mean)(ins[0], axis=axes, keepdims=keep)
        elif op == "Clip":
            out = _clip(*ins, **a)
        else:
            raise NotImplementedError(f"op {op} (node {node.name})")
        env[node.output[0]] = out
    return [env[o.name] for o in model.graph.output]
