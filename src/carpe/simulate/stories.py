"""Hero episodes: a problem, an employee going beyond routine, a rescue, a customer who stays."""

from __future__ import annotations

import numpy as np

from carpe.simulate.conflicts import EMAIL, INBOUND, INTERNAL, OUTBOUND, PHONE, touch
from carpe.simulate.context import Block, fmt_id
from carpe.simulate.moments import render_moment
from carpe.simulate.people import DEPARTMENTS, FIRST_NAMES
from carpe.simulate.schema import channel_code

IN_PERSON = channel_code("in_person")

# theme -> (department of the hero, department crossed into) per kind of business
HERO_DEPARTMENTS = {
    "b2b": {
        "delivery rescue": ("Field Service", "Operations"),
        "billing trust": ("Billing", "Sales"),
        "going the extra mile": ("Operations", "Support"),
        "personal care": ("owner", "Billing"),
    },
    "b2c": {
        "delivery rescue": ("Operations", "Front Desk"),
        "billing trust": ("Billing", "Front Desk"),
        "going the extra mile": ("Front Desk", "Operations"),
        "personal care": ("owner", "Front Desk"),
    },
}
PROBLEMS = {
    "delivery rescue": (
        "outage",
        "Urgent: their line is down, the gearbox we supplied failed and the replacement is "
        "stuck at the courier. They need it before Monday's shift.",
    ),
    "billing trust": (
        "billing error",
        "Very upset call: they found they were back-billed and double-invoiced for last "
        "quarter's maintenance and are talking to another supplier.",
    ),
    "going the extra mile": (
        "late delivery",
        "Complaint: the order for their trade fair is late and the fair opens in two days.",
    ),
    "personal care": ("hardship", ""),
}


def plant_heroes(blk: Block) -> None:
    """Plant the block's hero episodes (accounts chosen for the whole business)."""
    biz = blk.biz
    tl = biz.timeline
    for a in range(blk.acc.n):
        theme = biz.heroes.get(blk.acc.first + a)
        if theme is None:
            continue
        lo = max(0, int(blk.acc.start_day[a])) + 20
        hi = tl.n_days - 45
        if hi <= lo:
            continue
        day = int(blk.rng.integers(lo, hi))
        while tl.weekday_of(np.asarray([day]))[0] >= 4:  # Monday to Thursday
            day -= 1
        _plant(blk, a, max(day, lo - 20), theme)


def _plant(blk: Block, a: int, d0: int, theme: str) -> None:
    biz = blk.biz
    kind = biz.kind
    rng = blk.rng
    hero_dept, other_dept = HERO_DEPARTMENTS[kind][theme]
    days = np.asarray([d0])
    hero = int(blk.acc.employee_at(hero_dept, np.asarray([a]), days)[0])
    helper = int(blk.acc.employee_at(other_dept, np.asarray([a]), days)[0])
    first = biz.staff.first_names[hero]
    phrase = next(s.phrase for s in DEPARTMENTS[kind] if s.name == biz.staff.departments[hero])
    contact_index = int(blk.acc.contact_first[a] - blk.acc.contact_first[0])
    contact_first = FIRST_NAMES[int(blk.acc.contact_first_name[contact_index])]
    saturday = d0 + (5 - int(tl_weekday(blk, d0))) % 7
    refs: list[int] = []
    problem, text = PROBLEMS[theme]
    if theme == "personal care":
        moment = render_moment("hardship", contact_first, biz.timeline.date_of(d0), rng)
        text = f"Call about the next order. {moment.sentence} She sounded overwhelmed."
        ref = touch(
            blk,
            a,
            d0,
            hero_dept,
            channel=PHONE,
            kind="call",
            direction=INBOUND,
            subject="Call",
            note=text,
            sentiment=-0.6,
            emp=hero,
        )
        blk.moments.append(
            {
                "ref": ref,
                "contact": int(blk.acc.contact_first[a]),
                "acc": a,
                "moment": moment,
                "day": d0,
                "follow_ref": None,
                "resolved_ref": None,
            }
        )
        refs.append(ref)
        effort = (
            f"Called {contact_first} back in the evening after my shift to check on them, "
            "and arranged with the team to hold their order and move the payment date."
        )
        effort_day, effort_minute = d0 + 1, 20 * 60 + 10
    else:
        if kind == "b2c":
            text = text.replace(
                "their line is down, the gearbox we supplied failed",
                "her order for the wedding is lost",
            ).replace("Monday's shift", "Saturday")
        refs.append(
            touch(
                blk,
                a,
                d0,
                hero_dept,
                channel=PHONE,
                kind="ticket",
                direction=INBOUND,
                subject=f"Urgent: {problem}",
                note=text,
                sentiment=-0.7,
                emp=hero,
            )
        )
        effort = {
            "delivery rescue": "Drove the replacement part over myself on Saturday morning so "
            "they could restart; not my usual route, but they could not wait.",
            "billing trust": "Went through every invoice of the last two quarters on my own time, "
            "found the duplicate and the back-billed lines, and brought the refund cheque over "
            "in person on Saturday.",
            "going the extra mile": "Stayed late and took the order to the express courier myself "
            "on Saturday, crossing over to help the warehouse pack it.",
        }[theme]
        effort_day, effort_minute = saturday, 8 * 60 + 30
    refs.append(
        touch(
            blk,
            a,
            effort_day,
            hero_dept,
            channel=IN_PERSON,
            kind="visit",
            direction=OUTBOUND,
            subject="Going beyond: " + problem,
            note=effort,
            sentiment=0.5,
            minute=effort_minute,
            emp=hero,
        )
    )
    refs.append(
        touch(
            blk,
            a,
            effort_day + 1,
            other_dept,
            direction=INTERNAL,
            subject="Coordination",
            note=f"{first} from {phrase} asked us to help; we fixed our side the same day.",
            sentiment=0.3,
            emp=helper,
        )
    )
    resolved_day = effort_day + 2
    refs.append(
        touch(
            blk,
            a,
            resolved_day,
            hero_dept,
            channel=EMAIL,
            kind="other",
            direction=INBOUND,
            subject="Thank you",
            note=f"Customer confirmed everything is sorted and thanked {first} personally.",
            sentiment=0.8,
            emp=hero,
        )
    )
    praise = {
        "delivery rescue": f"{first} in {phrase} saved us again. Drove the part over on a "
        "Saturday. We are not going anywhere.",
        "billing trust": f"{first} in {phrase} found the errors before we did and brought the "
        "refund in person. That is why we stay.",
        "going the extra mile": f"{first} in {phrase} went far beyond the job to get our order "
        "out in time. Thank you!",
        "personal care": f"{first} remembered what we were going through and called to check on "
        "us. You do not forget that.",
    }[theme]
    survey_day = resolved_day + int(rng.integers(3, 10))
    survey_ref = touch(
        blk,
        a,
        survey_day,
        hero_dept,
        channel=channel_code("web"),
        kind="survey",
        direction=INBOUND,
        subject="Survey",
        note="Customer answered the survey.",
        sentiment=0.9,
        emp=hero,
    )
    number = biz.counters["feedback"].one()
    blk.feedback_rows.append(
        {
            "num": number,
            "acc": a,
            "contact": int(blk.acc.contact_first[a]),
            "day": survey_day,
            "survey": "nps" if kind == "b2b" else "review",
            "score": 10.0 if kind == "b2b" else 5.0,
            "comment": praise,
            "ref": survey_ref,
        }
    )
    blk.never_churn[a] = True
    blk.heroes.append(
        {
            "episode_id": fmt_id("episode", biz.counters["episode"].one()),
            "account_id": fmt_id("account", blk.acc.first + a),
            "theme": theme,
            "problem": problem,
            "employee_ids": [fmt_id("employee", hero), fmt_id("employee", helper)],
            "hero_employee_id": fmt_id("employee", hero),
            "touchpoint_refs": [*refs, survey_ref],
            "feedback_ids": [fmt_id("feedback", number)],
            "started_on": biz.timeline.date_of(d0).isoformat(),
            "praise": praise,
        }
    )


def tl_weekday(blk: Block, day: int) -> int:
    """Weekday (Monday = 0) of a day index."""
    return int(blk.biz.timeline.weekday_of(np.asarray([day]))[0])
