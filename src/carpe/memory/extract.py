"""Extract moments from a note: sentences, rules, negation, subjects, dates.

The pipeline for one note:

1. A cheap pre-filter: one compiled pattern of every rule key. Most notes are plain
   business notes and stop here.
2. The note is split into sentences (``.``, ``!``, ``?``, ``;``, new lines; titles
   such as ``Mrs.`` do not end a sentence) and each sentence into chunks (commas,
   colons, dashes).
3. Each rule whose key occurs in a sentence is tried; a match is dropped when the
   rule's business guard is found in the sentence, or (for rules that can be negated)
   when a negation (``no``, ``not``, ``n't``, ``never``) comes shortly before it in the
   same chunk or a hypothetical (``if``, ``would``, ``maybe``, ``someday``) anywhere
   before it in the sentence.
4. Per sentence, the most confident match of each kind wins (interests and
   preferences may appear several times in different chunks). A loss hides a health
   or pet match in the same sentence, a pet hides a health match (the vet, not the
   doctor), and an injury turns an accident into health only.
5. The subject, the date, the follow-up and the evidence are built for each.
6. With the sentence classifier on (:mod:`carpe.memory.classifier`), every sentence that
   names a person is also read by it: it vetoes a rule's moment in a sentence it reads
   as ``none`` and adds one for a sentence no rule read (subject and date by the rules).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date

from carpe.memory.classifier import NONE, SentenceClassifier, load_classifier
from carpe.memory.dates import DATE_ORDERS, DateMention, find_date_mentions
from carpe.memory.followup import suggest_follow_up
from carpe.memory.lexicon import NEGATION, find_pet, find_relation
from carpe.memory.moment import Moment
from carpe.memory.rules import BUSINESS_OBJECT, RULES, Rule
from carpe.vocabulary import DURABLE_KINDS

__all__ = ["Extractor", "extract_moments", "split_sentences"]

_KEYS = sorted({k for rule in RULES for k in rule.keys}, key=len, reverse=True)
_PREFILTER = re.compile(r"\b(?:" + "|".join(re.escape(k) for k in _KEYS) + ")")
# every key a match can be, mapped to the rules any of whose keys it contains
_RULES_BY_KEY: dict[str, tuple[Rule, ...]] = {
    key: tuple(r for r in RULES if any(k in key for k in r.keys)) for key in _KEYS
}
_ABBREVIATIONS = frozenset(
    {"mr", "mrs", "ms", "dr", "st", "jr", "sr", "vs", "etc", "e.g", "i.e", "no", "prof", "approx"}
)
_BOUNDARY = re.compile(r"[.!?]+(?=[\s\"'’)]|$)|;|\n+")
_CHUNK = re.compile(r",|:|\s[-–—]\s|[()]")
_HYPOTHETICAL = re.compile(
    r"\b(?:if|unless|whether|would|could|might|maybe|perhaps|someday|some day|hopes? to"
    r"|hoping to|wants? to|wish(?:es)?|dreams? of|thinking (?:about|of)|considering"
    r"|asked (?:about|whether|if))\b",
    re.IGNORECASE,
)
# sentences the classifier may add a moment for: a few words and a person in them
_WORTH_READING = re.compile(
    r"\b(?:i|i'm|im|i've|my|me|we|we're|our|us|he|she|his|her|they|their)\b|[a-z] [A-Z][a-z]",
    re.IGNORECASE,
)
_OPENING = re.compile(
    r"^(?:(?:well|so|yeah|yes|oh|haha|lol|and|but|also|actually|honestly)\W+)*"
    r"(?:i|i'm|im|i've|we|we're|my|he|she|they)\s+(?:(?:really|also|just|do|am|have)\s+)*"
    r"(?:\w+\s+)?",
    re.IGNORECASE,
)
_LOVES = re.compile(r"(?:i|we)\b.{0,30}\b(?:love|enjoy|like|adore)", re.IGNORECASE)
_NAME_TOKEN = re.compile(r"(?:(?:Mr|Mrs|Ms|Miss|Dr)\.?\s+)?([A-Z][a-z]+)(?:'s|’s)?\b")
_NOT_A_NAME_TEXT = """
    The Her His She He They Their Our We I It Its Called Spoke Heard Had Has Just Asked Good
    Got Went Says Said Told Mentioned Sounds Seems Looks Feeling Doing Getting Going Heading
    Big Huge Please Ask Follow Gift Not No Adopted Back Regular Usual Delivery Customer Client
    Patient Owner If Would Maybe Sales Priority Contract Champion Maintenance Standard Kick
    Lovely Great Quick Today Tomorrow Yesterday Also Hold Send Note Called Met Visit Thanks
    Sadly Apparently Update Re Call Phoned Rang Emailed Chat Nothing Both Grandpa Grandma Whole
    Family Congrats Congratulations Happy Sorry Open Ticket Invoice Order Monday Tuesday
    Wednesday Thursday Friday Saturday Sunday January February March April May June July August
    September October November December Mum Mom Dad This That These Wife Husband Son Daughter
    Twins Baby Your You My Be Is Was Are Prefers Loves Likes Yoga Huge Avid Keen Usual Always
    Never
"""
_NOT_A_NAME = frozenset(_NOT_A_NAME_TEXT.split())


@dataclass(frozen=True, slots=True)
class _Candidate:
    rule: Rule
    start: int  # offsets in the sentence
    end: int
    cue: str
    obj: str | None


def split_sentences(note: str) -> list[tuple[int, int]]:
    """Split a note into sentence spans.

    Parameters
    ----------
    note : str
        The note text.

    Returns
    -------
    list of (int, int)
        ``(start, end)`` offsets of each non-empty sentence, in order.

    Examples
    --------
    >>> note = "Called Mrs. Patel. Her dog is sick; vet tomorrow."
    >>> [note[s:e] for s, e in split_sentences(note)]
    ['Called Mrs. Patel.', 'Her dog is sick;', 'vet tomorrow.']
    """
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _BOUNDARY.finditer(note):
        if m.group(0).startswith("."):
            word = re.search(r"([\w.]+)$", note[start : m.start()])
            if word and word.group(1).lower() in _ABBREVIATIONS:
                continue
        end = m.end()
        if note[start:end].strip():
            spans.append(_strip_span(note, start, end))
        start = end
    if note[start:].strip():
        spans.append(_strip_span(note, start, len(note)))
    return spans


def _strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _is_negated(sentence: str, chunk_start: int, match_start: int) -> bool:
    before_chunk = sentence[chunk_start:match_start]
    words = before_chunk.split()[-5:]
    if NEGATION.search(" ".join(words)):
        return True
    return _HYPOTHETICAL.search(sentence[:match_start]) is not None


def _chunks(sentence: str) -> list[tuple[int, int]]:
    bounds = [0]
    for m in _CHUNK.finditer(sentence):
        bounds.extend((m.start(), m.end()))
    bounds.append(len(sentence))
    return [(bounds[i], bounds[i + 1]) for i in range(0, len(bounds), 2)]


def _chunk_index(chunks: list[tuple[int, int]], pos: int) -> int:
    for i, (s, e) in enumerate(chunks):
        if s <= pos < e or (pos == e and i == len(chunks) - 1):
            return i
    for i, (s, _e) in enumerate(chunks):
        if pos < s:
            return max(0, i - 1)
    return len(chunks) - 1


def _find_name(text: str) -> str | None:
    for m in _NAME_TOKEN.finditer(text):
        word = m.group(1)
        if word not in _NOT_A_NAME and not (
            word.lower() in _RULES_BY_KEY or _PREFILTER.fullmatch(word.lower())
        ):
            prefix = m.group(0).split()[0] if m.group(0) != m.group(1) else ""
            if prefix.rstrip(".") in {"Mr", "Mrs", "Ms", "Miss", "Dr"}:
                return f"{prefix} {m.group(1)}"
            return m.group(1)
    return None


def _clean(text: str, max_words: int = 6) -> str:
    words = text.strip(" ,.;:!?'\"").split()
    return " ".join(words[:max_words])


class Extractor:
    """Extract moments from notes; build once, use for many notes.

    The rules are compiled at import time of :mod:`carpe.memory.rules`; nothing is
    downloaded or read from disk. The class exists so that the batch path has one
    object to hold (and a place for a model, should one ever be added).

    Examples
    --------
    >>> ex = Extractor()
    >>> [m.kind for m in ex.extract("Her dog Max is sick.", date(2026, 3, 2))]
    ['pet']
    """

    def __init__(self, *, date_order: str = "dmy", use_classifier: bool = False) -> None:
        if date_order not in DATE_ORDERS:
            raise ValueError(f"date_order must be one of {', '.join(DATE_ORDERS)}")
        self.rules_ = RULES
        self.date_order = date_order
        self.classifier_ = load_classifier() if use_classifier else None
        if use_classifier and self.classifier_ is None:
            raise ValueError("the sentence classifier is not trained (see docs/memory.md)")

    def extract(self, note: str, note_date: date) -> list[Moment]:
        """Extract the moments of one note.

        Parameters
        ----------
        note : str
            The free text of the note.
        note_date : date
            The day the note was written; relative dates resolve against it.

        Returns
        -------
        list of Moment
            In order of appearance; empty for a plain business note.
        """
        if not note:
            return []
        moments: list[Moment] = []
        if self.classifier_ is not None:
            moments = self._extract_learned(self.classifier_, note, note_date)
        elif _PREFILTER.search(note.lower()) is not None:
            for start, end in split_sentences(note):
                moments.extend(self._extract_sentence(note, start, end, note_date))
        return _dedupe(moments)

    def extract_many(self, items: Iterable[tuple[str, date]]) -> Iterator[list[Moment]]:
        """Extract the moments of many notes, lazily.

        Parameters
        ----------
        items : iterable of (str, date)
            ``(note, note_date)`` pairs.

        Yields
        ------
        list of Moment
            The moments of each note, in input order.
        """
        for note, note_date in items:
            yield self.extract(note, note_date)

    def _extract_learned(self, clf: SentenceClassifier, note: str, note_date: date) -> list[Moment]:
        """The rules' moments, vetoed or added to by the sentence classifier."""
        spans = split_sentences(note)
        by_rule = [self._extract_sentence(note, s, e, note_date) for s, e in spans]
        read = [
            i
            for i, (s, e) in enumerate(spans)
            if by_rule[i] or (e - s > 12 and _WORTH_READING.search(note, s, e))
        ]
        if not read:
            return [m for ms in by_rule for m in ms]
        probs = clf.probabilities([note[spans[i][0] : spans[i][1]] for i in read])
        none = clf.classes.index(NONE)
        for row, i in zip(probs, read, strict=True):
            if by_rule[i]:
                if row[none] >= clf.veto_threshold:
                    by_rule[i] = []
                continue
            best = int(row.argmax())
            if best != none and row[best] >= clf.add_threshold:
                s, e = spans[i]
                added = self._learned_moment(
                    note, s, e, clf.classes[best], float(row[best]), note_date
                )
                by_rule[i] = [added] if added is not None else []
        return [m for ms in by_rule for m in ms]

    def _learned_moment(
        self, note: str, s_start: int, s_end: int, kind: str, prob: float, note_date: date
    ) -> Moment | None:
        """A moment the classifier read in a sentence: subject and date by the rules."""
        sentence = note[s_start:s_end]
        if sentence.rstrip().endswith("?") or NEGATION.search(sentence):
            return None
        if _HYPOTHETICAL.search(sentence):
            return None
        e_start, e_end = _strip_span(sentence, 0, len(sentence))
        evidence = sentence[e_start:e_end].rstrip(".;!?,:")
        subject, generic = _learned_subject(kind, evidence)
        durable = kind in DURABLE_KINDS
        mentions = [] if durable else find_date_mentions(sentence, note_date, self.date_order)
        mention = mentions[0] if mentions else None
        when = mention.when if mention is not None else None
        durable = durable or (mention is None and kind in ("family", "pet"))
        follow_up = suggest_follow_up(
            kind,
            note_date=note_date,
            when=when,
            horizon=mention.horizon if mention is not None else None,
            durable=durable,
        )
        return Moment(
            kind=kind,  # type: ignore[arg-type]
            subject=subject,
            summary=_summarise(kind, evidence, when),
            when=when,
            follow_up_on=follow_up,
            confidence=round(max(0.05, min(0.9, prob - (0.1 if generic else 0.0))), 2),
            evidence=evidence,
        )

    def _extract_sentence(
        self, note: str, s_start: int, s_end: int, note_date: date
    ) -> list[Moment]:
        sentence = note[s_start:s_end]
        lower = sentence.lower()
        keys = {m.group(0) for m in _PREFILTER.finditer(lower)}
        if not keys:
            return []
        wanted = {id(r) for key in keys for r in _RULES_BY_KEY[key]}
        chunks = _chunks(sentence)
        # in a question, the asking part ("..., do you like dogs?") states no fact
        question_from = chunks[-1][0] if sentence.endswith("?") else len(sentence) + 1
        candidates: list[_Candidate] = []
        for rule in self.rules_:
            if id(rule) not in wanted:
                continue
            if rule.guard is not None and rule.guard.search(sentence):
                continue
            for m in rule.pattern.finditer(sentence):
                cue_group = "cue" if m.group("cue") is not None else "cue2"
                cue_start = m.start(cue_group)
                chunk_start = chunks[_chunk_index(chunks, cue_start)][0]
                if chunk_start >= question_from:
                    continue
                if rule.negatable and _is_negated(sentence, chunk_start, min(m.start(), cue_start)):
                    continue
                obj = m.groupdict().get("obj")
                if rule.kind == "interest" and obj is not None and BUSINESS_OBJECT.search(obj):
                    continue
                candidates.append(_Candidate(rule, m.start(), m.end(), m.group(cue_group), obj))
        if not candidates:
            return []
        chosen = _choose(candidates, chunks)
        mentions = find_date_mentions(sentence, note_date, self.date_order)
        return [
            self._build(note, s_start, sentence, chunks, c, mentions, note_date) for c in chosen
        ]

    def _build(
        self,
        note: str,
        s_start: int,
        sentence: str,
        chunks: list[tuple[int, int]],
        cand: _Candidate,
        mentions: list[DateMention],
        note_date: date,
    ) -> Moment:
        rule = cand.rule
        first = _chunk_index(chunks, cand.start)
        last = _chunk_index(chunks, max(cand.start, cand.end - 1))
        mention = (
            None
            if rule.durable or rule.kind in ("interest", "preference")
            else (_pick_mention(mentions, chunks, first, last, cand))
        )
        if mention is not None:
            first = min(first, _chunk_index(chunks, mention.start))
            last = max(last, _chunk_index(chunks, mention.end - 1))
        e_start, e_end = _strip_span(sentence, chunks[first][0], chunks[last][1])
        evidence_span = sentence[e_start:e_end].rstrip(".;!?,:")
        e_end = e_start + len(evidence_span)
        evidence = note[s_start + e_start : s_start + e_end]
        subject, generic = _subject(rule, cand, sentence, evidence)
        when = mention.when if mention is not None else None
        horizon = mention.horizon if mention is not None else None
        durable = rule.durable or rule.kind in DURABLE_KINDS
        follow_up = suggest_follow_up(
            rule.kind, note_date=note_date, when=when, horizon=horizon, durable=durable
        )
        confidence = rule.confidence - (0.1 if generic else 0.0)
        summary = _summarise(rule.kind, evidence, when)
        return Moment(
            kind=rule.kind,
            subject=subject,
            summary=summary,
            when=when,
            follow_up_on=follow_up,
            confidence=round(max(0.05, min(0.99, confidence)), 2),
            evidence=evidence,
        )


def _choose(candidates: list[_Candidate], chunks: list[tuple[int, int]]) -> list[_Candidate]:
    kinds = {c.rule.kind for c in candidates}
    keep: list[_Candidate] = []
    for c in candidates:
        kind = c.rule.kind
        if kind == "health" and ({"loss", "pet"} & kinds):
            continue
        if kind == "pet" and "loss" in kinds:
            continue
        if kind == "preference" and "health" in kinds:
            continue  # "keep calls short, she's tired": care during an illness, not a habit
        if c.rule.accident and ({"health", "loss"} & kinds):
            continue
        loved = [o for o in candidates if o.rule.kind == "interest" and _LOVES.match(o.cue)]
        if kind == "travel" and any(o.start < c.end and c.start < o.end for o in loved):
            continue  # "I love backpacking": a passion, not a trip
        if (
            kind == "interest"
            and c not in loved
            and any(
                o.rule.kind in ("preference", "pet", "milestone", "travel")
                and o.start < c.end
                and c.start < o.end
                for o in candidates
            )
        ):
            continue
        keep.append(c)
    keep.sort(key=lambda c: (-c.rule.confidence, c.start))
    chosen: list[_Candidate] = []
    for c in keep:
        if c.rule.kind in ("interest", "preference"):
            if not any(o.rule.kind == c.rule.kind and _same_span(o, c) for o in chosen):
                chosen.append(c)
        elif not any(o.rule.kind == c.rule.kind for o in chosen):
            chosen.append(c)
    chosen.sort(key=lambda c: c.start)
    return _merge_adjacent(chosen, chunks)


def _same_span(a: _Candidate, b: _Candidate) -> bool:
    return a.start < b.end and b.start < a.end


def _merge_adjacent(chosen: list[_Candidate], chunks: list[tuple[int, int]]) -> list[_Candidate]:
    """Merge interests (or preferences) listed in neighbouring chunks into one."""
    out: list[_Candidate] = []
    for c in chosen:
        prev = next((o for o in reversed(out) if o.rule.kind == c.rule.kind), None)
        if (
            c.rule.kind in ("interest", "preference")
            and prev is not None
            and _chunk_index(chunks, c.start) - _chunk_index(chunks, max(prev.start, prev.end - 1))
            <= 1
        ):
            best = prev if prev.rule.confidence >= c.rule.confidence else c
            merged = _Candidate(best.rule, prev.start, max(prev.end, c.end), best.cue, best.obj)
            out[out.index(prev)] = merged
            continue
        out.append(c)
    return out


def _pick_mention(
    mentions: list[DateMention],
    chunks: list[tuple[int, int]],
    first: int,
    last: int,
    cand: _Candidate,
) -> DateMention | None:
    if not mentions:
        return None
    inside = [m for m in mentions if first <= _chunk_index(chunks, m.start) <= last]
    pool = inside or mentions
    return min(
        pool,
        key=lambda m: (
            0
            if cand.start <= m.start < cand.end
            else min(abs(m.start - cand.end), abs(cand.start - m.end))
        ),
    )


def _subject(rule: Rule, cand: _Candidate, sentence: str, evidence: str) -> tuple[str, bool]:
    """Return the subject and whether it is a generic fall-back."""
    kind = rule.kind
    if kind in ("pet", "loss"):
        pet = find_pet(evidence)
        whole = find_pet(sentence)
        if whole is not None and ((pet is None and kind == "pet") or pet == (whole[0], None)):
            pet = whole
        if pet is not None:
            noun, name = pet
            return (f"{noun} {name}" if name else noun), name is None and kind == "loss"
    if kind in ("health", "loss", "family", "pet"):
        relation = find_relation(evidence)
        if relation is not None and relation != "family":
            return relation, False
        name = _find_name(evidence) or _find_name(sentence)
        if name is not None:
            return name, False
        return ("pet" if kind == "pet" else "contact"), True
    if cand.obj:
        return _clean(cand.obj), False
    rest = sentence[cand.end :]
    stop = _CHUNK.search(rest)
    tail = _clean(rest[: stop.start()] if stop else rest, 5)
    if rule.kind == "preference" and tail:
        return tail, False
    return _event_noun(_clean(cand.cue)), False


def _learned_subject(kind: str, evidence: str) -> tuple[str, bool]:
    """The subject of a moment the classifier read: the rules' pet, relative or name."""
    if kind in ("pet", "loss"):
        pet = find_pet(evidence)
        if pet is not None:
            return (f"{pet[0]} {pet[1]}" if pet[1] else pet[0]), False
    if kind in ("health", "loss", "family", "pet"):
        relation = find_relation(evidence)
        if relation is not None and relation != "family":
            return relation, False
        name = _find_name(evidence)
        return (name, False) if name else (("pet" if kind == "pet" else "contact"), True)
    rest = _OPENING.sub("", evidence, count=1)
    stop = _CHUNK.search(rest)
    tail = _clean(rest[: stop.start()] if stop else rest, 5) or _clean(evidence, 5)
    return _event_noun(tail), False


_WORD_AGES = {"sixteen": 16, "eighteen": 18, "twenty-one": 21, "thirty": 30, "forty": 40}
_WORD_AGES |= {"fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
_EVENT_NOUNS = (
    (re.compile(r"promot", re.I), "promotion"),
    (re.compile(r"retir", re.I), "retirement"),
    (re.compile(r"engaged|propos", re.I), "engagement"),
    (re.compile(r"married|wedding", re.I), "wedding"),
    (re.compile(r"new job|got the job|new role|new position", re.I), "new job"),
    (re.compile(r"graduat", re.I), "graduation"),
)


def _event_noun(cue: str) -> str:
    """A verb phrase as the event it names: ``turns 50`` -> ``50th birthday``."""
    turns = re.search(r"\bturn(?:s|ing|ed)?\s+(\d{1,3}|[a-z-]+)\b", cue, re.IGNORECASE)
    if turns:
        age = _WORD_AGES.get(turns.group(1).lower()) or (
            int(turns.group(1)) if turns.group(1).isdigit() else None
        )
        if age:
            suffix = "th" if 10 <= age % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(age % 10)
            return f"{age}{suffix or 'th'} birthday"
    return next((noun for pattern, noun in _EVENT_NOUNS if pattern.search(cue)), cue)


def _summarise(kind: str, evidence: str, when: date | None) -> str:
    text = " ".join(evidence.split())
    if len(text) > 90:
        text = text[:87].rsplit(" ", 1)[0] + "..."
    line = f"{kind.capitalize()}: {text}"
    # the day as every page writes it ("15 Nov 2026"), not ISO
    return f"{line} ({when.day} {when:%b %Y})" if when is not None else line


def _dedupe(moments: list[Moment]) -> list[Moment]:
    out: list[Moment] = []
    for m in moments:
        if any(o.kind == m.kind and o.subject == m.subject and o.when == m.when for o in out):
            continue
        if (
            m.kind in ("health", "pet", "family", "loss")
            and m.subject in ("contact", "pet")
            and any(o.kind == m.kind for o in out)
        ):
            continue
        out.append(m)
    return out


_DEFAULT = Extractor()


def extract_moments(note: str, note_date: date) -> list[Moment]:
    """Extract the personal moments and facts of one note.

    Parameters
    ----------
    note : str
        The free text of the note.
    note_date : date
        The day the note was written; relative dates ("next Tuesday") resolve
        against it.

    Returns
    -------
    list of Moment
        In order of appearance; empty for a plain business note.

    Examples
    --------
    >>> m = extract_moments("Her husband is having knee surgery next Tuesday.", date(2026, 1, 14))
    >>> m[0].kind, m[0].subject, m[0].when, m[0].sensitive
    ('health', 'husband', datetime.date(2026, 1, 20), True)
    """
    return _DEFAULT.extract(note, note_date)
