"""Recurrent layers: RNN, LSTM, GRU and their single-step cells, with torch's parameter names."""

from __future__ import annotations

import math
import numbers
import warnings
from typing import Any

import ndgrad

from ..._tensor import Tensor
from .. import functional as F
from .. import init
from ..parameter import Parameter
from .module import Module

__all__ = ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]

_GATES = {"LSTM": 4, "GRU": 3, "RNN_TANH": 1, "RNN_RELU": 1}


def _rnn_step(mode: str, xi: Tensor, h: Tensor, w_hh: Tensor, b_hh: Tensor | None) -> Tensor:
    """One RNN step; ``xi`` already holds x W_ih^T + b_ih."""
    y = xi + F.linear(h, w_hh, b_hh)
    return ndgrad.tanh(y) if mode == "RNN_TANH" else ndgrad.relu(y)


def _lstm_step(
    xi: Tensor, h: Tensor, c: Tensor, w_hh: Tensor, b_hh: Tensor | None, w_hr: Tensor | None
) -> tuple[Tensor, Tensor]:
    gates = xi + F.linear(h, w_hh, b_hh)
    i, f, g, o = gates.chunk(4, -1)
    c = ndgrad.sigmoid(f) * c + ndgrad.sigmoid(i) * ndgrad.tanh(g)
    h = ndgrad.sigmoid(o) * ndgrad.tanh(c)
    if w_hr is not None:
        h = F.linear(h, w_hr)
    return h, c


def _gru_step(xi: Tensor, h: Tensor, w_hh: Tensor, b_hh: Tensor | None) -> Tensor:
    xr, xz, xn = xi.chunk(3, -1)
    hr, hz, hn = F.linear(h, w_hh, b_hh).chunk(3, -1)
    r = ndgrad.sigmoid(xr + hr)
    z = ndgrad.sigmoid(xz + hz)
    n = ndgrad.tanh(xn + r * hn)
    return (1 - z) * n + z * h


class RNNBase(Module):
    """Shared by RNN, LSTM and GRU: the per-layer, per-direction weights and the time loop."""

    def __init__(
        self,
        mode: str,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        proj_size: int = 0,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        if (
            not isinstance(dropout, numbers.Number)
            or not 0 <= dropout <= 1
            or isinstance(dropout, bool)
        ):
            raise ValueError(
                "dropout should be a number in range [0, 1] representing the probability of "
                "an element being zeroed"
            )
        if dropout > 0 and num_layers == 1:
            warnings.warn(
                "dropout option adds dropout after all but last recurrent layer, so non-zero "
                "dropout expects num_layers greater than 1, but got "
                f"dropout={dropout} and num_layers={num_layers}",
                stacklevel=2,
            )
        if not isinstance(hidden_size, int):
            raise TypeError(
                f"hidden_size should be of type int, got: {type(hidden_size).__name__}"
            )
        if hidden_size <= 0:
            raise ValueError("hidden_size must be greater than zero")
        if num_layers <= 0:
            raise ValueError("num_layers must be greater than zero")
        if proj_size < 0:
            raise ValueError(
                "proj_size should be a positive integer or zero to disable projections"
            )
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        if mode not in _GATES:
            raise ValueError("Unrecognized RNN mode: " + mode)
        gate_size = _GATES[mode] * hidden_size
        dirs = 2 if bidirectional else 1
        real_hidden = proj_size if proj_size > 0 else hidden_size
        for layer in range(num_layers):
            for direction in range(dirs):
                layer_in = input_size if layer == 0 else real_hidden * dirs
                sfx = f"_l{layer}" + ("_reverse" if direction == 1 else "")

                def new(*shape: int) -> Parameter:
                    return Parameter(ndgrad.empty(shape, device=device, dtype=dtype))

                setattr(self, "weight_ih" + sfx, new(gate_size, layer_in))
                setattr(self, "weight_hh" + sfx, new(gate_size, real_hidden))
                if bias:
                    setattr(self, "bias_ih" + sfx, new(gate_size))
                    setattr(self, "bias_hh" + sfx, new(gate_size))
                if proj_size > 0:
                    setattr(self, "weight_hr" + sfx, new(proj_size, hidden_size))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    @property
    def all_weights(self) -> list[list[Parameter]]:
        dirs = 2 if self.bidirectional else 1
        out = []
        for layer in range(self.num_layers):
            for direction in range(dirs):
                out.append(self._weights(layer, direction, with_none=False))
        return out

    def _weights(self, layer: int, direction: int, with_none: bool = True) -> list[Any]:
        sfx = f"_l{layer}" + ("_reverse" if direction == 1 else "")
        names = ["weight_ih", "weight_hh", "bias_ih", "bias_hh", "weight_hr"]
        ws = [self._parameters.get(n + sfx) for n in names]
        return ws if with_none else [w for w in ws if w is not None]

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size != 0:
            s += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            s += f", bidirectional={self.bidirectional}"
        return s

    def flatten_parameters(self) -> None:
        """A no-op: there is no cuDNN weight buffer to compact."""

    def _check_input(self, input: Tensor) -> None:
        w = self.weight_ih_l0
        if input.dtype != w.dtype:
            raise ValueError(
                f"RNN input dtype ({input.dtype}) does not match weight dtype ({w.dtype}). "
                f"Convert input: input.to({w.dtype}), or convert model: model.to({input.dtype})"
            )
        if self.input_size != input.size(-1):
            raise RuntimeError(
                "input.size(-1) must be equal to input_size. "
                f"Expected {self.input_size}, got {input.size(-1)}"
            )

    def _check_hidden(self, hx: Tensor, size: int, batch: int, msg: str) -> None:
        dirs = 2 if self.bidirectional else 1
        expected = (self.num_layers * dirs, batch, size)
        if tuple(hx.size()) != expected:
            raise RuntimeError(msg.format(expected, list(hx.size())))

    def _run(
        self, x: Tensor, h0: Tensor, c0: Tensor | None
    ) -> tuple[Tensor, Tensor, Tensor | None]:
        """The multi-layer loop on time-major ``x`` (L, N, H_in); returns (out, h_n, c_n)."""
        dirs = 2 if self.bidirectional else 1
        seq_len = x.size(0)
        hs, cs = [], []
        for layer in range(self.num_layers):
            outs = []
            for direction in range(dirs):
                w_ih, w_hh, b_ih, b_hh, w_hr = self._weights(layer, direction)
                k = layer * dirs + direction
                h = h0[k]
                c = c0[k] if c0 is not None else None
                # The input projection for every step at once: one matmul, not L.
                xi = F.linear(x, w_ih, b_ih)
                steps = range(seq_len - 1, -1, -1) if direction == 1 else range(seq_len)
                ys: list[Tensor] = [None] * seq_len  # type: ignore[list-item]
                for t in steps:
                    if self.mode == "LSTM":
                        h, c = _lstm_step(xi[t], h, c, w_hh, b_hh, w_hr)
                    elif self.mode == "GRU":
                        h = _gru_step(xi[t], h, w_hh, b_hh)
                    else:
                        h = _rnn_step(self.mode, xi[t], h, w_hh, b_hh)
                    ys[t] = h
                outs.append(ndgrad.stack(ys))
                hs.append(h)
                cs.append(c)
            x = outs[0] if dirs == 1 else ndgrad.cat(outs, dim=-1)
            if self.dropout and self.training and layer < self.num_layers - 1:
                x = F.dropout(x, self.dropout, True)
        h_n = ndgrad.stack(hs)
        c_n = ndgrad.stack(cs) if c0 is not None else None
        return x, h_n, c_n

    def _forward(self, input: Tensor, hx: Any, name: str) -> tuple[Tensor, Any]:
        if input.dim() not in (2, 3):
            tail = " tensor instead" if name == "RNN" else " instead"
            raise ValueError(f"{name}: Expected input to be 2D or 3D, got {input.dim()}D{tail}")
        batched = input.dim() == 3
        lstm = self.mode == "LSTM"
        if not batched:
            input = input.unsqueeze(1)
        elif self.batch_first:
            input = input.transpose(0, 1)
        self._check_input(input)
        batch = input.size(1)
        dirs = 2 if self.bidirectional else 1
        real_hidden = self.proj_size if self.proj_size > 0 else self.hidden_size
        if hx is None:
            zeros = ndgrad.zeros
            like = {"dtype": input.dtype, "device": input.device}
            h0 = zeros(self.num_layers * dirs, batch, real_hidden, **like)
            c0 = zeros(self.num_layers * dirs, batch, self.hidden_size, **like)
        elif lstm:
            h0, c0 = hx
            if batched and (h0.dim() != 3 or c0.dim() != 3):
                raise RuntimeError(
                    "For batched 3-D input, hx and cx should also be 3-D but got "
                    f"({h0.dim()}-D, {c0.dim()}-D) tensors"
                )
            if not batched:
                if h0.dim() != 2 or c0.dim() != 2:
                    raise RuntimeError(
                        "For unbatched 2-D input, hx and cx should also be 2-D but got "
                        f"({h0.dim()}-D, {c0.dim()}-D) tensors"
                    )
                h0, c0 = h0.unsqueeze(1), c0.unsqueeze(1)
            self._check_hidden(h0, real_hidden, batch, "Expected hidden[0] size {}, got {}")
            self._check_hidden(c0, self.hidden_size, batch, "Expected hidden[1] size {}, got {}")
        else:
            h0, c0 = hx, None
            if batched and h0.dim() != 3:
                raise RuntimeError(
                    f"For batched 3-D input, hx should also be 3-D but got {h0.dim()}-D tensor"
                )
            if not batched:
                if h0.dim() != 2:
                    raise RuntimeError(
                        "For unbatched 2-D input, hx should also be 2-D but got "
                        f"{h0.dim()}-D tensor"
                    )
                h0 = h0.unsqueeze(1)
            self._check_hidden(h0, real_hidden, batch, "Expected hidden size {}, got {}")
        out, h_n, c_n = self._run(input, h0, c0 if lstm else None)
        if not batched:
            out = out.squeeze(1)
            h_n = h_n.squeeze(1)
            c_n = c_n.squeeze(1) if c_n is not None else None
        elif self.batch_first:
            out = out.transpose(0, 1)
        return out, ((h_n, c_n) if lstm else h_n)


class RNN(RNNBase):
    """Elman RNN: h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh) (or relu)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if len(args) > 3:
            self.nonlinearity = args[3]
            args = args[:3] + args[4:]
        else:
            self.nonlinearity = kwargs.pop("nonlinearity", "tanh")
        if self.nonlinearity == "tanh":
            mode = "RNN_TANH"
        elif self.nonlinearity == "relu":
            mode = "RNN_RELU"
        else:
            raise ValueError(
                f"Unknown nonlinearity '{self.nonlinearity}'. Select from 'tanh' or 'relu'."
            )
        super().__init__(mode, *args, **kwargs)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> tuple[Tensor, Tensor]:
        return self._forward(input, hx, "RNN")


class LSTM(RNNBase):
    """Long short-term memory, with an optional projection of the hidden state."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__("LSTM", *args, **kwargs)

    def forward(
        self, input: Tensor, hx: tuple[Tensor, Tensor] | None = None
    ) -> tuple[Tensor, tuple[Tensor, Tensor]]:
        return self._forward(input, hx, "LSTM")


class GRU(RNNBase):
    """Gated recurrent unit."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        super().__init__("GRU", *args, **kwargs)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> tuple[Tensor, Tensor]:
        return self._forward(input, hx, "GRU")


class RNNCellBase(Module):
    """Shared by the cells: weight_ih, weight_hh and the two biases."""

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool,
        num_chunks: int,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        n = num_chunks * hidden_size
        self.weight_ih = Parameter(ndgrad.empty((n, input_size), device=device, dtype=dtype))
        self.weight_hh = Parameter(ndgrad.empty((n, hidden_size), device=device, dtype=dtype))
        if bias:
            self.bias_ih = Parameter(ndgrad.empty(n, device=device, dtype=dtype))
            self.bias_hh = Parameter(ndgrad.empty(n, device=device, dtype=dtype))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if "bias" in self.__dict__ and self.bias is not True:
            s += f", bias={self.bias}"
        if "nonlinearity" in self.__dict__ and self.nonlinearity != "tanh":
            s += f", nonlinearity={self.nonlinearity}"
        return s

    def reset_parameters(self) -> None:
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def _prepare(self, name: str, input: Tensor) -> tuple[Tensor, bool]:
        if input.dim() not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {input.dim()}D instead")
        batched = input.dim() == 2
        return (input if batched else input.unsqueeze(0)), batched

    def _hidden(self, name: str, hx: Tensor | None, input: Tensor, batched: bool) -> Tensor:
        if hx is None:
            return input.new_zeros(input.size(0), self.hidden_size)
        if hx.dim() not in (1, 2):
            raise ValueError(f"{name}: Expected hidden to be 1D or 2D, got {hx.dim()}D instead")
        return hx if batched else hx.unsqueeze(0)


class RNNCell(RNNCellBase):
    """One step of an Elman RNN."""

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        nonlinearity: str = "tanh",
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(input_size, hidden_size, bias, 1, device, dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        input, batched = self._prepare("RNNCell", input)
        h = self._hidden("RNNCell", hx, input, batched)
        if self.nonlinearity == "tanh":
            mode = "RNN_TANH"
        elif self.nonlinearity == "relu":
            mode = "RNN_RELU"
        else:
            raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")
        xi = F.linear(input, self.weight_ih, self.bias_ih)
        out = _rnn_step(mode, xi, h, self.weight_hh, self.bias_hh)
        return out if batched else out.squeeze(0)


class LSTMCell(RNNCellBase):
    """One step of an LSTM; returns (h', c')."""

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(input_size, hidden_size, bias, 4, device, dtype)

    def forward(
        self, input: Tensor, hx: tuple[Tensor, Tensor] | None = None
    ) -> tuple[Tensor, Tensor]:
        input, batched = self._prepare("LSTMCell", input)
        if hx is None:
            z = input.new_zeros(input.size(0), self.hidden_size)
            h, c = z, z
        else:
            for idx, value in enumerate(hx):
                if value.dim() not in (1, 2):
                    raise ValueError(
                        f"LSTMCell: Expected hx[{idx}] to be 1D or 2D, got {value.dim()}D instead"
                    )
            h, c = hx if batched else (hx[0].unsqueeze(0), hx[1].unsqueeze(0))
        xi = F.linear(input, self.weight_ih, self.bias_ih)
        h, c = _lstm_step(xi, h, c, self.weight_hh, self.bias_hh, None)
        return (h, c) if batched else (h.squeeze(0), c.squeeze(0))


class GRUCell(RNNCellBase):
    """One step of a GRU."""

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(input_size, hidden_size, bias, 3, device, dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        input, batched = self._prepare("GRUCell", input)
        h = self._hidden("GRUCell", hx, input, batched)
        xi = F.linear(input, self.weight_ih, self.bias_ih)
        out = _gru_step(xi, h, self.weight_hh, self.bias_hh)
        return out if batched else out.squeeze(0)
