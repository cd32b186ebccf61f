"""Personal moments written into notes in natural phrasing, with their truth.

Each template says what kind of moment it is, who or what it is about, and how its
date is stated. Dates follow the rules of issue 3: "next Tuesday" is the first Tuesday
strictly after the note's date, a bare past weekday is the most recent one before it,
"in two weeks" is 14 days on, and vague spans ("last week", "next month") give no date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

import numpy as np

from carpe.vocabulary import MOMENT_KINDS, is_sensitive

FEMALE: Final = frozenset(
    (
        "Ana",
        "Sofia",
        "Lena",
        "Ines",
        "Clara",
        "Marta",
        "Elena",
        "Nora",
        "Julia",
        "Rita",
        "Lucia",
        "Eva",
        "Laura",
        "Paula",
        "Irene",
        "Sara",
        "Carmen",
        "Alba",
        "Vera",
        "Greta",
        "Mia",
        "Lea",
        "Hanna",
        "Zoe",
        "Noemi",
        "Amelie",
        "Chloe",
        "Yasmin",
        "Priya",
        "Mei",
        "Fatima",
        "Grace",
        "Helena",
        "Alice",
        "Beatriz",
    )
)
PET_NAMES: Final = (
    "Max",
    "Luna",
    "Bella",
    "Rocky",
    "Milo",
    "Nala",
    "Simba",
    "Kiko",
    "Toby",
    "Lola",
)
WEEKDAYS: Final = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS: Final = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


@dataclass(frozen=True)
class Template:
    """One way of writing a moment: ``{C}`` contact, ``{pp}`` his/her, ``{name}`` a pet."""

    kind: str
    text: str
    subject: str
    when: str
    """``future``, ``past`` or ``none`` (ongoing or durable: no date)."""


TEMPLATES: Final = (
    Template(
        "health", "{C} mentioned {pp} mother is having knee surgery {when}.", "mother", "future"
    ),
    Template("health", "{C}'s husband broke his wrist {when}, he is in a cast.", "husband", "past"),
    Template("health", "{C} was off sick with pneumonia and is still recovering.", "{C}", "none"),
    Template("health", "{C} starts physiotherapy for {pp} back {when}.", "{C}'s back", "future"),
    Template("pet", "{C} said {pp} dog {name} is sick and at the vet.", "dog {name}", "none"),
    Template("pet", "{C}'s cat {name} has an operation {when}.", "cat {name}", "future"),
    Template("pet", "{C} just got a puppy called {name}!", "puppy {name}", "none"),
    Template(
        "pet", "{C}'s dog {name} hurt a paw {when}, limping but eating.", "dog {name}", "past"
    ),
    Template("family", "{C} just got engaged!", "engagement", "none"),
    Template("family", "{C}'s daughter had twins {when}.", "daughter", "past"),
    Template("family", "{C}'s son starts school {when}.", "son", "future"),
    Template("family", "{C} is getting married {when}.", "wedding", "future"),
    Template("family", "{C}'s parents are coming to stay {when}.", "parents' visit", "future"),
    Template("loss", "{C}'s father passed away {when}; taking a few days off.", "father", "past"),
    Template("loss", "Sad news: {C} lost {pp} dog {name}.", "dog {name}", "none"),
    Template("loss", "{C}'s grandmother died {when}.", "grandmother", "past"),
    Template("celebration", "{C} turns 50 {when}.", "50th birthday", "future"),
    Template(
        "celebration",
        "{C} celebrates {pp} 20th wedding anniversary {when}.",
        "wedding anniversary",
        "future",
    ),
    Template("celebration", "It was {C}'s birthday {when}.", "birthday", "past"),
    Template("milestone", "{C} is running {pp} first marathon {when}.", "first marathon", "future"),
    Template("milestone", "{C} got promoted to plant director {when}.", "promotion", "past"),
    Template("milestone", "{C} is moving house {when}.", "moving house", "future"),
    Template("milestone", "{C} passed {pp} engineering exam {when}.", "engineering exam", "past"),
    Template("milestone", "{C} retires {when} after 30 years.", "retirement", "future"),
    Template("hardship", "{C}'s car was stolen {when}.", "stolen car", "past"),
    Template(
        "hardship", "{C}'s basement flooded {when} after the storm.", "flooded basement", "past"
    ),
    Template(
        "hardship",
        "{C} had a car accident {when}; nobody was hurt but the car is written off.",
        "car accident",
        "past",
    ),
    Template("hardship", "{C}'s partner lost their job, money is tight.", "partner's job", "none"),
    Template("travel", "{C} is off to Japan {when} for two weeks.", "trip to Japan", "future"),
    Template(
        "travel", "{C} just came back from {pp} honeymoon in Bali.", "honeymoon in Bali", "none"
    ),
    Template(
        "travel", "{C} flies to Lisbon {when} to see {pp} sister.", "trip to Lisbon", "future"
    ),
    Template("interest", "{C} is a huge Benfica fan.", "Benfica", "none"),
    Template("interest", "{C} loves trail running in the mountains.", "trail running", "none"),
    Template(
        "interest", "{C} restores old motorbikes at weekends.", "motorbike restoration", "none"
    ),
    Template(
        "interest",
        "{C}'s favourite place is the little jazz bar on Rua Augusta.",
        "jazz bar on Rua Augusta",
        "none",
    ),
    Template(
        "preference", "{C} prefers a call after 4pm, never before.", "calls after 4pm", "none"
    ),
    Template("preference", "{C} prefers email over phone for anything routine.", "email", "none"),
    Template(
        "preference",
        "{C} always wants an oat-milk cappuccino when visiting.",
        "oat-milk cappuccino",
        "none",
    ),
    Template(
        "preference",
        "{C} likes to be addressed formally, by surname.",
        "formal address",
        "none",
    ),
)
KIND_TEMPLATES: Final[dict[str, tuple[Template, ...]]] = {
    k: tuple(t for t in TEMPLATES if t.kind == k) for k in MOMENT_KINDS
}
RESOLVABLE: Final = frozenset({"health", "pet", "hardship"})

GESTURE_FOR: Final = {
    "health": ("flowers", "Get-well flowers", 35.0),
    "pet": ("gift", "Treats and a toy for {name}", 18.0),
    "family": ("card", "Congratulations card", 8.0),
    "loss": ("card", "Handwritten sympathy card", 6.0),
    "celebration": ("gift card", "Gift card for the {subject}", 30.0),
    "milestone": ("book", "A book for the {subject}", 22.0),
    "hardship": ("gift card", "Gift card to their favourite café after the {subject}", 25.0),
    "travel": ("book", "Travel guide for the {subject}", 20.0),
    "interest": ("gift", "A small gift about {subject}", 25.0),
    "preference": ("card", "Handwritten thank-you note", 5.0),
}


@dataclass(frozen=True)
class RenderedMoment:
    """A moment sentence and its truth."""

    kind: str
    sentence: str
    subject: str
    when: date | None
    pet: str

    @property
    def sensitive(self) -> bool:
        """Whether the moment is sensitive, as its kind says."""
        return is_sensitive(self.kind)


def _when_phrase(mode: str, note_day: date, rng: np.random.Generator) -> tuple[str, date | None]:
    roll = int(rng.integers(0, 5))
    if mode == "future":
        if roll == 0:
            wd = int(rng.integers(0, 7))
            ahead = (wd - note_day.weekday()) % 7 or 7
            return f"next {WEEKDAYS[wd]}", note_day + timedelta(days=ahead)
        if roll == 1:
            return "in two weeks", note_day + timedelta(days=14)
        if roll == 2:
            return "tomorrow", note_day + timedelta(days=1)
        if roll == 3:
            when = note_day + timedelta(days=int(rng.integers(5, 60)))
            return f"on {when.day} {MONTHS[when.month - 1]}", when
        return ("next month", None) if rng.random() < 0.5 else ("later this year", None)
    if mode == "past":
        if roll in (0, 1):
            wd = int(rng.integers(0, 7))
            back = (note_day.weekday() - wd) % 7 or 7
            return f"on {WEEKDAYS[wd]}", note_day - timedelta(days=back)
        if roll == 2:
            return "yesterday", note_day - timedelta(days=1)
        return ("last week", None) if roll == 3 else ("over the weekend", None)
    return "", None


def render_moment(
    kind: str, contact_first: str, note_day: date, rng: np.random.Generator
) -> RenderedMoment:
    """Write one moment of ``kind`` about a contact, as of the note's date."""
    options = KIND_TEMPLATES[kind]
    template = options[int(rng.integers(0, len(options)))]
    pet = PET_NAMES[int(rng.integers(0, len(PET_NAMES)))]
    phrase, when = _when_phrase(template.when, note_day, rng)
    pp = "her" if contact_first in FEMALE else "his"
    values = {"C": contact_first, "pp": pp, "name": pet, "when": phrase}
    sentence = template.text.format(**values)
    subject = template.subject.format(**values)
    return RenderedMoment(kind, sentence, subject, when, pet)


def follow_up_text(moment: RenderedMoment, contact_first: str, resolved: bool) -> str:
    """The note of a later touchpoint asking after a moment (and resolving it if said so)."""
    pp = "her" if contact_first in FEMALE else "his"
    about = moment.subject.replace(f"{contact_first}'s ", f"{pp} ")
    if about == contact_first:
        about = "how they are feeling"
    if moment.kind == "pet":
        if resolved:
            return f"Asked about {moment.pet}. {moment.pet} is fine now, fully recovered."
        return f"Asked how {moment.pet} is doing; {contact_first} was touched we remembered."
    if resolved and moment.kind == "health":
        return f"Asked after {about}: all fine now, fully recovered."
    if resolved:
        return f"Followed up about the {about}: sorted now, things are back to normal."
    return f"Followed up on the {about} from our last conversation; {contact_first} appreciated it."
