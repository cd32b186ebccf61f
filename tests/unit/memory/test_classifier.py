"""The sentence classifier: the static model read with numpy, and how it adds and vetoes."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import numpy as np
import pytest

from carpe.memory import Extractor
from carpe.memory.classifier import NONE, SentenceClassifier, load_classifier
from carpe.memory.embedding import StaticEmbedder, load_embedder, wordpiece

MONDAY = date(2026, 3, 2)


def _committed() -> SentenceClassifier:
    clf = load_classifier()
    assert clf is not None, "sentence_classifier.json or static_minilm.npz is missing"
    return clf


def test_wordpiece_splits_a_word_into_the_longest_known_pieces() -> None:
    vocab = {"play": 0, "##ing": 1, "##s": 2, "p": 3}
    assert wordpiece("playing", vocab) == [0, 1]
    assert wordpiece("plays", vocab) == [0, 2]
    assert wordpiece("xyz", vocab) == []


def test_embedder_lowercases_strips_accents_and_averages_known_pieces() -> None:
    vectors = np.array([[1.0, 0.0], [0.0, 1.0], [5.0, 5.0]])
    embedder = StaticEmbedder(["cafe", "dog", "[UNK]"], vectors)
    assert embedder.token_ids("CAFÉ dog zzz") == [0, 1]
    row = embedder.embed(["Café dog"])[0]
    assert row == pytest.approx([2**-0.5, 2**-0.5])
    assert embedder.embed(["zzz"])[0].tolist() == [0.0, 0.0]


def test_embedder_refuses_tokens_and_vectors_that_do_not_match() -> None:
    with pytest.raises(ValueError, match="2 tokens but 1 vectors"):
        StaticEmbedder(["a", "b"], np.zeros((1, 3)))


def test_committed_static_model_places_like_sentences_together() -> None:
    embedder = load_embedder()
    assert embedder is not None
    sick, ill, invoice = embedder.embed(
        ["my dog is sick", "our puppy is unwell", "the invoice was paid by bank transfer"]
    )
    assert float(sick @ ill) > float(sick @ invoice)
    assert float(np.linalg.norm(sick)) == pytest.approx(1.0, abs=1e-5)


def test_committed_classifier_gives_a_distribution_over_none_and_every_kind() -> None:
    clf = _committed()
    assert clf.classes[0] == NONE and len(clf.classes) == 11
    probs = clf.probabilities(["I just found out I'm pregnant!", "Invoice 4411 paid."])
    assert probs.shape == (2, 11)
    assert probs.sum(axis=1) == pytest.approx([1.0, 1.0])
    assert 0.0 < clf.veto_threshold <= 1.01 and 0.0 < clf.add_threshold <= 1.01


def _extractor(clf: SentenceClassifier) -> Extractor:
    extractor = Extractor()
    extractor.classifier_ = clf
    return extractor


def test_classifier_adds_a_moment_no_rule_reads_with_subject_and_date_by_the_rules() -> None:
    note = "Quick call. My sister Ana starts chemo on Friday."
    clf = _committed()
    kind = clf.classes[int(clf.probabilities([note.split(". ")[1]])[0][1:].argmax()) + 1]
    always = replace(clf, add_threshold=0.0, veto_threshold=1.01)
    found = [m for m in _extractor(always).extract(note, MONDAY) if m.kind == kind]
    assert found, _extractor(always).extract(note, MONDAY)
    assert found[0].evidence == "My sister Ana starts chemo on Friday"
    assert found[0].when == date(2026, 3, 6)
    if kind in ("health", "family", "loss"):
        assert found[0].subject == "sister"


def test_classifier_never_adds_for_a_question_a_negation_or_a_hypothetical() -> None:
    always = _extractor(replace(_committed(), add_threshold=0.0, veto_threshold=1.01))
    for note in (
        "Does your sister still play the cello?",
        "She never had a dog growing up.",
        "If I win the lottery I would buy a boat.",
    ):
        assert always.extract(note, MONDAY) == [], note


def test_classifier_veto_drops_the_rules_moment_and_off_keeps_it() -> None:
    note = "Her dog Max is sick, vet on Thursday."
    assert [m.kind for m in Extractor().extract(note, MONDAY)] == ["pet"]
    veto_all = _extractor(replace(_committed(), add_threshold=1.01, veto_threshold=0.0))
    assert veto_all.extract(note, MONDAY) == []
    never = _extractor(replace(_committed(), add_threshold=1.01, veto_threshold=1.01))
    assert [m.kind for m in never.extract(note, MONDAY)] == ["pet"]


def test_extractor_with_the_committed_classifier_keeps_plain_business_notes_empty() -> None:
    extractor = Extractor(use_classifier=True)
    assert extractor.extract("Invoice 4411 paid. Reorder of 40 filters next quarter.", MONDAY) == []
    assert extractor.extract("", MONDAY) == []
