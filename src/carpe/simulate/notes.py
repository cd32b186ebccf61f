"""Business notes and subjects: pools of varied text that touchpoints draw from.

Every text lives once in a :class:`NotePool`; touchpoints hold an index into it, so ten
million notes cost ten million integers. Some business notes hold traps: language that
sounds personal but is not a personal moment ("the project is our baby"), and negations
("no kids yet"). They are tagged so the ground truth can list them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import product
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from carpe.simulate.schema import Kind

Array = npt.NDArray[Any]

TRAPS: Final = (
    "They said the retrofit project is their baby and they want it right.",
    "Their quarter-end close was a fire drill again, so we kept the call short.",
    "The expansion deal died in their board meeting, nothing we could do.",
    "Moving the meeting to Thursday because their plant manager is travelling for work.",
    "They are celebrating the company's 25th anniversary this year; logo on the pallets.",
    "Our marathon quarter-end close kept their buyer busy, revisit pricing next month.",
    "The old press finally died; they want a quote for a replacement.",
    "Their new line was born out of last year's audit findings.",
    "They lost the tender for the hospital contract, so volumes will be flat.",
    "The ERP migration is a headache for them, they asked us to send invoices as PDF only.",
    "Their GP surgery client in Leeds is ordering the same filters as last year.",
    "The pilot is their pet project; keep the engineers close to it.",
)
B2C_TRAPS: Final = (
    "She said the new colour is her baby now, wants to keep it exactly like this.",
    "Moving the appointment to next week, the salon calendar was full.",
    "Said the salon's 10th anniversary window display looks great.",
    "The old hair dryer at station 3 died mid-blow-dry, switched stations.",
    "Called it a fire drill getting here on time from work.",
    "Said the online shop checkout is killing her patience, prefers to pay here.",
)
NEGATIONS: Final = (
    "No kids yet, so evening appointments are fine for them.",
    "Not planning a trip this year, they will be around all summer.",
    "Nobody on their side is on holiday in August this time.",
    "He said there is no new job on the horizon, staying put.",
    "No pets at home, so the plant visit can be any day.",
    "Said they are not getting married after all the rumours, just busy.",
)

_B2B_CHECKIN_OPEN = (
    "Quarterly check-in with the plant team.",
    "Call with purchasing.",
    "Catch-up call.",
    "Met the maintenance lead on site.",
    "Account review.",
    "Short call about the forecast.",
    "Video call with operations.",
    "Monthly touch-base.",
)
_B2B_CHECKIN_BODY = (
    "Volumes steady; they expect the same mix next quarter.",
    "Discussed the spare-parts forecast and safety stock for the packaging line.",
    "They asked about predictive-maintenance sensors for two more presses.",
    "Reviewed open orders; no issues raised.",
    "Walked through the service contract renewal terms.",
    "They are evaluating our condition-monitoring dashboard, demo booked.",
    "Confirmed the preventive maintenance schedule for the year.",
    "Price increase discussed; they accepted the new list with the volume discount.",
    "They want consolidated monthly invoicing from next quarter.",
    "Asked for training on the new PLC retrofit kit.",
    "Budget freeze until the new fiscal year; keep them warm.",
    "Happy with lead times lately.",
)
_B2C_CHECKIN_BODY = (
    "Sent a reminder that her colour is due for a refresh.",
    "Followed up on the new shampoo she tried; she likes it.",
    "Asked if she wants to keep the usual monthly slot.",
    "Offered the loyalty-card upgrade; she will think about it.",
    "Confirmed the next appointment by message.",
    "Checked how the new cut is holding up; all good.",
)
_B2C_VISIT_BODY = (
    "Cut and blow-dry, usual style.",
    "Colour touch-up and gloss.",
    "Trim, wants to grow it out.",
    "Highlights refreshed, happy with the tone.",
    "Beard trim and hot towel.",
    "Keratin treatment, booked the follow-up.",
    "Cut and colour, tried a slightly warmer shade.",
    "Wash and style before an event.",
    "Scalp treatment, recommended the sensitive range.",
)
_B2C_VISIT_TAIL = (
    "",
    "Bought a conditioner.",
    "Rebooked for six weeks.",
    "Paid by card.",
    "Left happy.",
    "Ran ten minutes late, apologised.",
)

TOPICS_B2B: Final[dict[str, tuple[tuple[str, float], ...]]] = {
    "order": tuple(
        (f"{a} {b}", 0.1)
        for a, b in product(
            (
                "Order received by email.",
                "Order placed through the portal.",
                "PO received.",
                "Order phoned in by purchasing.",
            ),
            (
                "Spare parts for the packaging line.",
                "Bearings and seals, standard stock.",
                "Gearbox replacement kit.",
                "Sensors for the condition-monitoring pilot.",
                "Hydraulic hoses and fittings.",
                "Maintenance kit for the CNC cell.",
                "Servo drives, two units.",
                "Consumables for the quarter.",
            ),
        )
    ),
    "delivery_ok": tuple(
        (t, 0.2)
        for t in (
            "Delivered on time, signed by goods-in.",
            "Delivery confirmed by the warehouse.",
            "Shipped and delivered as promised.",
            "Goods received complete, no damage.",
            "Delivered a day early; customer pleased.",
        )
    ),
    "delivery_late": tuple(
        (t, -0.5)
        for t in (
            "Delivery late; customer chased twice.",
            "Missed the promised date, supplier backlog.",
            "Late delivery, line waited for the parts.",
            "Shipment delayed in transit, customer unhappy.",
            "Partial delivery; rest arrived days after the promised date.",
        )
    ),
    "invoice": tuple(
        (t, 0.0)
        for t in (
            "Invoice sent by email.",
            "Invoice issued with the delivery note.",
            "Invoice sent to accounts payable.",
            "Invoice e-mailed; payment terms 30 days.",
        )
    ),
    "quote": tuple(
        (f"{a} {b}", 0.15)
        for a, b in product(
            ("Quote sent.", "Quotation issued.", "Sent the offer."),
            (
                "Annual service contract.",
                "Retrofit of two presses with IIoT sensors.",
                "Spare-parts framework agreement.",
                "Predictive-maintenance pilot, six months.",
                "Replacement gearbox and installation.",
            ),
        )
    ),
    "ticket_open": tuple(
        (t, -0.35)
        for t in (
            "Customer reports a spindle alarm on machine 4.",
            "Sensor dashboard not updating since Monday.",
            "Wrong part number in the last shipment.",
            "Hydraulic unit leaking after the service.",
            "They cannot log in to the customer portal.",
            "Question about the warranty on the drives.",
            "Vibration readings look off on line 2.",
        )
    ),
    "ticket_reply": tuple(
        (t, 0.1)
        for t in (
            "Sent troubleshooting steps.",
            "Asked for photos and the error log.",
            "Remote session done; adjusted the parameters.",
            "Shipped the correct part.",
            "Reset their portal access and sent a guide.",
            "Escalated to engineering, update tomorrow.",
        )
    ),
    "ticket_confirm": tuple(
        (t, 0.45)
        for t in (
            "Customer confirmed the issue is resolved.",
            "They confirmed it works now, thanks.",
            "Customer replied that all is fine again.",
            "Confirmed by the maintenance lead: fixed.",
        )
    ),
    "ticket_close": tuple(
        (t, 0.0) for t in ("Ticket closed.", "Closing the ticket.", "Resolved; ticket closed.")
    ),
    "visit": tuple(
        (f"{a} {b}", 0.15)
        for a, b in product(
            (
                "Preventive maintenance visit.",
                "On-site service visit.",
                "Installed the sensor kit.",
                "Calibration visit.",
            ),
            (
                "All checks passed.",
                "Replaced worn belts.",
                "Updated the firmware on the controllers.",
                "Trained two operators.",
                "Recommended replacing the pump next quarter.",
            ),
        )
    ),
    "survey": tuple(
        (t, 0.0)
        for t in (
            "Satisfaction survey sent.",
            "NPS survey answered.",
            "Customer answered the quarterly survey.",
        )
    ),
    "proactive": tuple(
        (t, 0.35)
        for t in (
            "Called ahead to confirm the delivery slot and the unloading dock.",
            "Checked the invoice against the order before sending it.",
            "Proactively flagged a likely delay and offered a partial shipment.",
            "Saw rising vibration on their line in the dashboard and called before it failed.",
            "Reached out before the contract review to ask what we can do better.",
        )
    ),
    "gesture": tuple((t, 0.3) for t in ("Sent our monthly thank-you voucher.",)),
}
TOPICS_B2C: Final[dict[str, tuple[tuple[str, float], ...]]] = {
    "order": tuple(
        (t, 0.1)
        for t in (
            "Online order: shampoo and conditioner.",
            "Ordered the hair mask through the app.",
            "Web order: styling cream and heat protector.",
            "Ordered a gift set online.",
        )
    ),
    "delivery_ok": tuple(
        (t, 0.2)
        for t in ("Parcel delivered.", "Delivered on time.", "Delivered to the pickup point.")
    ),
    "delivery_late": tuple(
        (t, -0.5)
        for t in (
            "Parcel late; she asked where it was.",
            "Delivery delayed by the courier.",
            "Order arrived days after the promised date.",
        )
    ),
    "invoice": tuple(
        (t, 0.0) for t in ("Receipt e-mailed.", "Invoice sent.", "Receipt sent by email.")
    ),
    "quote": tuple(
        (t, 0.15)
        for t in (
            "Quote for the bridal package.",
            "Quote for a keratin course of treatments.",
            "Quote for a group booking.",
        )
    ),
    "ticket_open": tuple(
        (t, -0.35)
        for t in (
            "App booking failed twice.",
            "Complained the colour faded after a week.",
            "Wrong product in the parcel.",
            "Loyalty points missing.",
        )
    ),
    "ticket_reply": tuple(
        (t, 0.1)
        for t in (
            "Rebooked her through the desk.",
            "Offered a free gloss to fix the tone.",
            "Sent the right product.",
            "Added the missing points.",
        )
    ),
    "ticket_confirm": tuple(
        (t, 0.45) for t in ("She confirmed it is sorted, thanks.", "Client confirmed all fine now.")
    ),
    "ticket_close": tuple((t, 0.0) for t in ("Ticket closed.", "Closed.")),
    "booking": tuple(
        (t, 0.1)
        for t in (
            "Booked through the app.",
            "Booked by phone.",
            "Booked at the desk after the visit.",
            "Changed the time of the booking.",
        )
    ),
    "reminder": tuple(
        (t, 0.0) for t in ("Appointment reminder sent.", "Reminder sent the day before.")
    ),
    "visit": tuple((f"{a} {b}".strip(), 0.3) for a, b in product(_B2C_VISIT_BODY, _B2C_VISIT_TAIL)),
    "survey": tuple((t, 0.0) for t in ("Feedback request sent.", "Client left a review.")),
    "proactive": tuple(
        (t, 0.35)
        for t in (
            "Called to offer an earlier slot when one opened up.",
            "Messaged her that the colour she likes is back in stock.",
            "Checked her booking notes before the visit and prepared the usual products.",
        )
    ),
    "gesture": tuple((t, 0.3) for t in ("Sent our monthly thank-you voucher.",)),
}

SUBJECTS: Final[dict[str, tuple[str, ...]]] = {
    "checkin": ("Check-in", "Account review", "Catch-up", "Quarterly review"),
    "visit": ("Service visit", "Maintenance visit", "Site visit"),
    "proactive": ("Proactive call", "Heads-up", "Check before sending"),
    "survey": ("Survey",),
    "booking": ("Booking",),
    "reminder": ("Reminder",),
    "intro": ("Introduction",),
    "gesture": ("Thank you",),
    "moment": ("Check-in", "Call", "Visit notes"),
    "follow_up": ("Follow-up",),
}


@dataclass
class NotePool:
    """All note texts, addressed by integer index; topics own contiguous ranges."""

    texts: list[str] = field(default_factory=list)
    sentiment: list[float] = field(default_factory=list)
    tag: list[str] = field(default_factory=list)
    """``trap`` or ``negation`` for texts that must not count as personal moments, else ``""``."""
    ranges: dict[str, tuple[int, int]] = field(default_factory=dict)

    def add_topic(self, topic: str, items: tuple[tuple[str, float], ...], tag: str = "") -> None:
        """Append a topic's texts."""
        first = len(self.texts)
        for text, sentiment in items:
            self.texts.append(text)
            self.sentiment.append(sentiment)
            self.tag.append(tag)
        self.ranges[topic] = (first, len(self.texts))

    def pick(self, topic: str, n: int, rng: np.random.Generator) -> Array:
        """Draw ``n`` text indices of a topic, uniformly."""
        lo, hi = self.ranges[topic]
        return rng.integers(lo, hi, n)

    def arrays(self) -> tuple[pa.Array, Array, Array]:
        """The texts as Arrow, their sentiment, and a boolean per text: is it a trap or negation."""
        return (
            pa.array(self.texts, type=pa.string()),
            np.asarray(self.sentiment, dtype=np.float64),
            np.asarray([bool(t) for t in self.tag]),
        )


def build_note_pool(kind: Kind) -> NotePool:
    """Build every business note of a kind of business.

    Check-in notes mix ordinary business with traps (about 6 %) and negations (about 3 %).
    """
    pool = NotePool()
    topics = TOPICS_B2B if kind == "b2b" else TOPICS_B2C
    for topic, items in topics.items():
        pool.add_topic(topic, items)
    if kind == "b2b":
        checkin = tuple(
            (f"{a} {b}", 0.15) for a, b in product(_B2B_CHECKIN_OPEN, _B2B_CHECKIN_BODY)
        )
        traps = tuple((f"{a} {t}", 0.0) for a, t in product(_B2B_CHECKIN_OPEN, TRAPS))
    else:
        checkin = tuple((b, 0.2) for b in _B2C_CHECKIN_BODY)
        traps = tuple((t, 0.0) for t in B2C_TRAPS)
    negations = tuple((t, 0.1) for t in NEGATIONS)
    pool.add_topic("checkin_plain", checkin)
    pool.add_topic("checkin_trap", traps, tag="trap")
    pool.add_topic("checkin_negation", negations, tag="negation")
    return pool


def pick_checkin(pool: NotePool, n: int, rng: np.random.Generator) -> Array:
    """Check-in notes: mostly business, some traps and negations."""
    u = rng.random(n)
    out = pool.pick("checkin_plain", n, rng)
    traps = u < 0.06
    negs = (u >= 0.06) & (u < 0.09)
    out[traps] = pool.pick("checkin_trap", int(traps.sum()), rng)
    out[negs] = pool.pick("checkin_negation", int(negs.sum()), rng)
    return out
