"""The genuineness guard: does an employee's giving look personal or templated?

A genuine gesture answers something the customer said: it follows a moment, its
words fit the person, and it comes when the occasion does. A forced programme
looks different in the data, and each pattern is a flag a manager can read:

* **the same gesture for everyone** — one (kind, description) given to many
  contacts with no occasion (a favourite gift answering different occasions is
  no template);
* **batches** — many gestures handed out on the same day;
* **a fixed cadence** — gestures at regular intervals, whatever happens;
* **no occasion** — gestures that follow nothing a manager would accept as a
  reason: no moment noted about the contact (or account) in the weeks before,
  no note of those weeks that speaks of what the gesture is about (whether or
  not carpe's extractor found a moment in it), no birthday, no anniversary of
  the account, no recent problem. What carpe can link depends on how much the
  business writes down, so the flag is relative: raised only when most of the
  giver's gestures lack an occasion beyond doubt *and* more than for nearly
  all the business's other givers (see :func:`_stands_out`). The flag
  names examples: which gesture, to whom, on which day.

The score is 1 minus a weighted sum of the four shares (each 0..1), so 1 is
entirely personal and 0 entirely templated. It is coaching for a manager, not a
ranking of people: the flags say what to talk about.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd  # type: ignore[import-untyped]

WEIGHTS = {"repeated": 0.35, "batch": 0.2, "cadence": 0.2, "unlinked": 0.25}
"""How much each pattern lowers the score."""
BATCH_SIZE = 3
"""Gestures by one person on one day from which the day counts as a batch."""
REPEATED_CONTACTS = 3
"""Contacts that must receive the identical gesture before it counts as repeated."""
REPEATED_SHARE = 0.3
"""Share of a giver's gestures one repeated gesture must reach to be flagged."""
MIN_CADENCE_DAYS = 4
"""Distinct gesture days needed before a cadence can be judged."""


@dataclass(frozen=True, slots=True)
class GenuinenessScore:
    """One giver's score (1 = personal, 0 = templated), its parts and readable flags."""

    employee_id: str
    score: float
    flags: tuple[str, ...]
    gestures: int
    contacts: int
    repeated_share: float
    batch_share: float
    cadence_regularity: float
    unlinked_share: float


def _normalise(text: pd.Series) -> pd.Series:
    return text.fillna("").str.lower().str.replace(r"\s+", " ", regex=True).str.strip()


WORD = re.compile(r"[^\W\d_]{4,}")
"""A word of a gesture's description that may echo a note (four letters or more)."""
COMMON_SHARE = 0.02
"""Words in more than this share of all gesture descriptions say nothing personal."""
AHEAD_DAYS = 7
"""A gesture may come up to a week before a dated occasion (a card before a birthday)."""


def _near(days: np.ndarray, day: np.datetime64, link_days: int, ahead: int) -> bool:
    position = np.searchsorted(days, day + np.timedelta64(ahead, "D"), side="right")
    return bool(position) and (day - days[position - 1]) <= np.timedelta64(link_days, "D")


def _linked(
    gestures: pd.DataFrame,
    moments: pd.DataFrame | None,
    link_days: int,
    occasions: pd.DataFrame | None = None,
    notes: pd.DataFrame | None = None,
) -> np.ndarray:
    """Per gesture: did something the customer lived or said come shortly before it?

    A moment noted about its contact (or account), a dated occasion (birthday,
    anniversary of the account, a problem) up to ``link_days`` before or a week
    after, or a note of those days sharing a personal word with the gesture's
    description. A gesture that names the moment it answers (``moment_id``) is
    linked whenever.
    """
    found = np.zeros(len(gestures), dtype=bool)
    if "moment_id" in gestures:
        found |= gestures["moment_id"].notna().to_numpy()
    given = pd.to_datetime(gestures["given_on"]).to_numpy()
    dated = []
    if moments is not None and not moments.empty:
        dated.append((moments.rename(columns={"noted_on": "on"}), 0))
    if occasions is not None and not occasions.empty:
        dated.append((occasions, AHEAD_DAYS))
    for frame, ahead in dated:
        for key in ("contact_id", "account_id"):
            if key not in frame or key not in gestures:
                continue
            rows = frame.dropna(subset=[key]).assign(on=lambda m: pd.to_datetime(m["on"]))
            by_key = {k: np.sort(g["on"].to_numpy()) for k, g in rows.groupby(key)}
            for index, (value, day) in enumerate(zip(gestures[key].to_numpy(), given, strict=True)):
                if not found[index] and value in by_key:
                    found[index] = _near(by_key[value], day, link_days, ahead)
    if notes is not None and not notes.empty and "description" in gestures:
        found |= _echoed(gestures, notes, link_days) & ~found
    return found


def _words(text: object) -> set[str]:
    return set(WORD.findall(str(text).lower())) if isinstance(text, str) else set()


def _echoed(gestures: pd.DataFrame, notes: pd.DataFrame, link_days: int) -> np.ndarray:
    """Per gesture: a note about its account in the days before shares a personal word with it."""
    described = [_words(d) for d in gestures["description"].tolist()]
    counts: dict[str, int] = {}
    for words in described:
        for w in words:
            counts[w] = counts.get(w, 0) + 1
    common = {w for w, n in counts.items() if n > max(2, COMMON_SHARE * len(described))}
    notes = notes.assign(at=pd.to_datetime(notes["occurred_at"])).sort_values("at")
    by_account = {str(a): g for a, g in notes.groupby("account_id", sort=False)}
    found = np.zeros(len(gestures), dtype=bool)
    window = pd.Timedelta(days=link_days)
    for index, (account, day, words) in enumerate(
        zip(gestures["account_id"].astype(str), pd.to_datetime(gestures["given_on"]), described,
            strict=True)
    ):  # fmt: skip
        personal = words - common
        theirs = by_account.get(account)
        if not personal or theirs is None:
            continue
        recent = theirs[
            (theirs["at"] <= day + pd.Timedelta(days=1)) & (theirs["at"] >= day - window)
        ]
        found[index] = any(personal & _words(n) for n in recent["note"].tolist())
    return found


EVIDENCE_Z = 1.2816
"""One-sided 90 % confidence: a flag needs more than a coin flip's worth of gestures."""


def _lower_bound(hits: int, n: int) -> float:
    """The share ``hits / n`` beyond doubt: its one-sided 90 % Wilson lower bound."""
    if n == 0:
        return 0.0
    share = hits / n
    z2 = EVIDENCE_Z**2
    centre = share + z2 / (2 * n)
    margin = EVIDENCE_Z * np.sqrt(share * (1 - share) / n + z2 / (4 * n * n))
    return float((centre - margin) / (1 + z2 / n))


PEER_QUANTILE = 0.9
"""A share stands out when it is beyond doubt above nine in ten of the other givers' shares."""
MIN_PEERS = 4
"""Other givers needed for a peer comparison; with fewer, evidence alone decides."""


def _stands_out(hits: int, n: int, peers: np.ndarray) -> bool:
    """Whether most of ``n`` gestures lack an occasion, and more than for nearly every peer.

    Two of four gestures without an occasion is no evidence a manager would
    accept; 30 of 30 is (the lower bound above one half). What carpe can link
    depends on how much a business writes down about its customers, which moves
    every giver's share together, so the share is also compared with the
    business's other givers (``peers``, one share each whatever their volume, so
    two busy voucher programmes do not set the norm): its lower bound must
    exceed the :data:`PEER_QUANTILE` quantile of theirs. An ordinary giver is
    above nine in ten of their peers about one time in ten, and beyond doubt
    less often still. With fewer than :data:`MIN_PEERS` peers there is nothing
    to compare with and the evidence alone decides.
    """
    bound = _lower_bound(hits, n)
    if bound <= 0.5:
        return False
    return len(peers) < MIN_PEERS or bound > float(np.quantile(peers, PEER_QUANTILE))


def _cadence(days: pd.Series) -> tuple[float, float]:
    """Regularity 0..1 of the gaps between distinct gesture days, and the typical gap."""
    distinct = np.sort(pd.to_datetime(days).dt.normalize().unique())
    if len(distinct) < MIN_CADENCE_DAYS:
        return 0.0, 0.0
    gaps = np.diff(distinct).astype("timedelta64[D]").astype(float)
    mean = float(gaps.mean())
    if mean <= 0:
        return 0.0, 0.0
    variation = float(gaps.std()) / mean
    return float(np.clip(1.0 - variation / 0.5, 0.0, 1.0)), mean


def score_genuineness(
    gestures: pd.DataFrame,
    moments: pd.DataFrame | None = None,
    *,
    link_days: int = 30,
    min_gestures: int = 3,
    occasions: pd.DataFrame | None = None,
    notes: pd.DataFrame | None = None,
) -> list[GenuinenessScore]:
    """Score every giver with at least ``min_gestures`` gestures, least genuine first.

    Parameters
    ----------
    gestures : pandas.DataFrame
        Columns ``employee_id``, ``contact_id``, ``account_id``, ``given_on``,
        ``kind``, ``description``; optionally ``moment_id`` (the moment a gesture
        says it answers: such a gesture is never without an occasion) and
        ``contact_name`` (how the flags name the person, else by id).
    moments : pandas.DataFrame, optional
        Columns ``contact_id``, ``account_id``, ``noted_on``: what customers told
        staff. Without it every gesture counts as having no occasion.
    link_days : int, default 30
        How long after a moment a gesture still answers it.
    occasions : pandas.DataFrame, optional
        Columns ``contact_id`` or ``account_id``, ``on``, ``what``: dated
        occasions (a birthday, the account's anniversary, a problem) a gesture
        may answer from ``link_days`` after to a week before.
    notes : pandas.DataFrame, optional
        Columns ``account_id``, ``occurred_at``, ``note``: a note of the
        ``link_days`` before a gesture that shares a personal word with its
        description (``cat Juno``, ``gardening``) links it, moment found or not.
    min_gestures : int, default 3
        Givers with fewer gestures are not judged.

    Returns
    -------
    list of GenuinenessScore
        Sorted by score, then employee id.

    Examples
    --------
    >>> frame = pd.DataFrame({
    ...     "employee_id": ["E1"] * 4, "contact_id": ["C1", "C2", "C3", "C4"],
    ...     "account_id": ["A1", "A2", "A3", "A4"],
    ...     "given_on": ["2026-01-05"] * 4, "kind": ["gift card"] * 4,
    ...     "description": ["Thank-you voucher"] * 4})
    >>> result = score_genuineness(frame)[0]
    >>> result.score < 0.5, result.flags[0]
    (True, 'the same gesture ("gift card: Thank-you voucher") for 4 contacts')
    """
    if gestures.empty:
        return []
    frame = gestures.reset_index(drop=True).copy()
    frame["signature"] = (
        frame["kind"].fillna("").str.lower() + "|" + _normalise(frame["description"])
    )
    frame["day"] = pd.to_datetime(frame["given_on"]).dt.normalize()
    frame["linked"] = _linked(frame, moments, link_days, occasions, notes)
    judged = {
        e: own for e, own in frame.groupby("employee_id", sort=True) if len(own) >= min_gestures
    }
    shares = {e: 1.0 - float(own["linked"].mean()) for e, own in judged.items()}
    results: list[GenuinenessScore] = []
    for employee_id, own in judged.items():
        n = len(own)
        flags: list[str] = []
        # A favourite gift that answers different occasions is no template: count the
        # identical gestures that answer nothing.
        bare = own[~own["linked"]]
        counts = bare.groupby("signature")["contact_id"].nunique().sort_values(ascending=False)
        repeated = 0.0
        if len(counts) and int(counts.iloc[0]) >= REPEATED_CONTACTS:
            top_signature, top_contacts = counts.index[0], int(counts.iloc[0])
            repeated = float((bare["signature"] == top_signature).sum()) / n
            kind = top_signature.partition("|")[0]
            shown = bare.loc[bare["signature"] == top_signature, "description"].iloc[0] or ""
            if repeated >= REPEATED_SHARE:
                flags.append(f'the same gesture ("{kind}: {shown}") for {top_contacts} contacts')
        per_day = own.groupby("day").size()
        batch = float(per_day[per_day >= BATCH_SIZE].sum()) / n
        if batch >= 0.3:
            batched = int(per_day[per_day >= BATCH_SIZE].sum())
            flags.append(f"{batched} gestures handed out in same-day batches")
        regularity, gap = _cadence(own["given_on"])
        if regularity >= 0.5:
            flags.append(f"gestures on a fixed cadence (about every {gap:.0f} days)")
        unlinked = shares[employee_id]
        peers = np.asarray([v for e, v in shares.items() if e != employee_id])
        if _stands_out(int((~own["linked"]).sum()), n, peers):
            alone = own[~own["linked"]]
            shown = "; ".join(
                f"{g['kind'] or 'a gesture'} to "
                f"{g.get('contact_name') or g['contact_id'] or g['account_id']} on "
                f"{pd.Timestamp(g['given_on']).day} {pd.Timestamp(g['given_on']):%b %Y}"
                for g in alone.head(2).to_dict("records")
            )
            usual = (
                f"; {np.median(peers):.0%} for a usual giver here"
                if len(peers) >= MIN_PEERS
                else ""
            )
            flags.append(
                f"{len(alone)} of {n} gestures follow no occasion (no moment, note, birthday, "
                f"account anniversary or problem in the {link_days} days before{usual}), "
                f"e.g. {shown}"
            )
        penalty = (
            WEIGHTS["repeated"] * repeated
            + WEIGHTS["batch"] * batch
            + WEIGHTS["cadence"] * regularity
            + WEIGHTS["unlinked"] * unlinked
        )
        results.append(
            GenuinenessScore(
                employee_id=str(employee_id),
                score=round(float(np.clip(1.0 - penalty, 0.0, 1.0)), 3),
                flags=tuple(flags),
                gestures=n,
                contacts=int(own["contact_id"].nunique()),
                repeated_share=round(repeated, 3),
                batch_share=round(batch, 3),
                cadence_regularity=round(regularity, 3),
                unlinked_share=round(unlinked, 3),
            )
        )
    return sorted(results, key=lambda r: (r.score, r.employee_id))
