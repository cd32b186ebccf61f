"""Rules for life events: health, pets, family, loss, celebrations."""

from __future__ import annotations

from carpe.memory.lexicon import PETS, RELATIONS
from carpe.memory.rule import (
    BODY,
    CONDITIONS,
    NAME,
    PET_KEYS,
    PET_NEWS,
    SURGERY_GUARD,
    Rule,
    make_rule,
)

__all__ = ["LIFE_RULES"]

LIFE_RULES: tuple[Rule, ...] = (
    # ------------------------------------------------------------------ health
    make_rule(
        "health",
        "surgery operation replacement",
        r"\b(?P<cue>(?:knee|hip|heart|back|eye|cataract|brain|spine|spinal|shoulder|bypass"
        r"|cardiac|cancer|open-heart|major|minor|emergency|foot|ankle|wrist|hand|neck"
        r"|gallbladder|bariatric|keyhole|hernia)\s+(?:surgery|operation|replacement))\b",
        0.9,
        guard=SURGERY_GUARD,
    ),
    make_rule(
        "health",
        "surgery operation",
        r"\b(?:having|had|has|have|undergo(?:ing|es)?|underwent|needs?|scheduled for|booked"
        r"(?: in)? for|recovering from|after|post|before|his|her|their|my)\s+(?:(?:his|her|their"
        r"|my|an?|the|some|major|minor|emergency|more)\s+){0,2}(?P<cue>surgery|operation)\b",
        0.85,
        guard=SURGERY_GUARD,
    ),
    make_rule(
        "health",
        "surgery",
        r"\b(?P<cue>surgery)\s+(?:on|tomorrow|today|yesterday|next|last|this|went)\b",
        0.75,
        guard=SURGERY_GUARD,
    ),
    make_rule(
        "health",
        "hospital icu a&e hospice rehab intensive",
        r"\b(?:in|into|to|from|at)\s+(?:the\s+)?(?P<cue>hospital|a&e|intensive care|icu"
        r"|rehab|hospice)\b(?!\s+(?:staff|contract|account|client|group|trust|supplies))"
        r"|\b(?P<cue2>hospitali[sz]ed|admitted to hospital|in hospice)\b",
        0.85,
        guard=r"\b(?:job|work|works|working|role|shift|delivery|deliveries|order|contract"
        r"|account|client|supplies|visit)\s+(?:\w+\s+){0,2}at\s+the\s+hospital",
    ),
    make_rule(
        "health",
        "cancer chemo radio dialysis leuk tumo stroke heart pneumonia dementia alzheimer "
        "parkinson covid flu concussion appendicitis sepsis diabetes sclerosis migraine shingles "
        "bronchitis whiplash miscarriage replacement broken fractured sprained",
        r"\b(?P<cue>" + CONDITIONS + r")\b",
        0.8,
    ),
    make_rule(
        "health",
        "broke broken fractur sprain twist disloc injur hurt",
        r"\b(?P<cue>(?:broke|broken|fractured|sprained|twisted|dislocated|injured|hurt)\s+(?:his"
        r"|her|their|my|a)?\s*(?:\w+\s+)?" + BODY + r")\b",
        0.85,
    ),
    make_rule(
        "health",
        "sick ill unwell poorly",
        r"\b(?:is|are|was|were|been|got|fell|feeling|off|home|quite|very|seriously|really"
        r"|terribly|gravely|'s|’s)\s+(?P<cue>sick|ill|unwell|poorly)\b(?!\s+(?:of|leave|pay|days?"
        r"|note))",
        0.8,
        guard=r"\b(?:integration|api|server|system|platform|app|site|build|pipeline|release"
        r"|network|database|sync|job|feed|instance|cluster|queue|printer|machine)\b[^.;]{0,20}?"
        r"\b(?:is|was|'s|’s|are|were)\s+(?:\w+\s+)?(?:sick|ill|poorly)",
    ),
    make_rule(
        "health",
        "recovering mend",
        r"\b(?:is|are|'s|’s|still|slowly|now)\s+(?P<cue>recovering|on the mend)\b(?!\s+(?:the|our"
        r"|costs?|data|files?|from the (?:outage|incident|backlog|migration)))",
        0.65,
    ),
    make_rule(
        "health",
        "tonsils gallbladder appendix wisdom stitches cast",
        r"\b(?P<cue>(?:had|having|has|gets?|got|getting)\s+(?:his|her|their|my)\s+(?:tonsils"
        r"|gallbladder|appendix|wisdom teeth|stitches|cast)\s+(?:out|removed|off|in|taken out))",
        0.85,
    ),
    make_rule(
        "health",
        "had a fall|took a fall|taken a fall|a bad fall|a nasty fall|a serious fall",
        r"\b(?P<cue>(?:had|took|taken)\s+a\s+(?:bad\s+|nasty\s+|serious\s+)?fall)\b",
        0.8,
    ),
    # ------------------------------------------------------------------ pet
    make_rule(
        "pet",
        PET_KEYS,
        r"\b(?P<cue>(?:adopted|got|bought|brought home|rescued|getting|picked up|welcomed)\s+"
        r"(?:a|an|two|three|their|her|his|my|our|the)?\s*(?:new\s+)?(?:\w+\s+){0,2}?(?:"
        + PETS
        + r")|new\s+(?:"
        + PETS
        + r"))\b",
        0.85,
    ),
    make_rule(
        "pet",
        PET_KEYS,
        r"\b(?:" + PETS + r")\b[^.;!?]{0,60}?\b(?P<cue>" + PET_NEWS + r")\b",
        0.85,
        guard=r"\bpets?\s+(?:insurance|food|shop|store|supplies|friendly|products?)\b",
    ),
    make_rule(
        "pet",
        PET_KEYS,
        r"\b(?:has|have|owns?|got|with|of)\s+(?:a|an|one|two|three|four|five|\d+|several|some"
        r"|my|her|his|their)\s+(?:\w+\s+){0,2}?(?P<cue>" + PETS + r")\b",
        0.7,
        durable=True,
        guard=r"\bpets?[- ](?:insurance|food|shop|store|supplies|friendly|products?)\b",
    ),
    # ------------------------------------------------------------------ family
    make_rule(
        "family",
        "engaged",
        r"\b(?P<cue>(?:got|just|is|are|'s|’s|'re|’re|recently|newly|now|became|getting|get)\s+"
        r"engaged)\b(?!\s+(?:a|an|the|with|us|our|in|on|to work|as)\b)",
        0.9,
    ),
    make_rule(
        "family",
        "proposed",
        r"\b(?:boyfriend|girlfriend|partner|he|she|fianc[ée]e?)\s+(?P<cue>proposed)\b(?!\s+(?:a|an"
        r"|the|that|to|changes|new|we|moving))",
        0.85,
    ),
    make_rule(
        "family",
        "married|wedding|tied the knot|marries",
        r"\b(?P<cue>(?:getting|got|get|be|were|was|are|is|just)\s+married"
        r"|(?:his|her|their|my|the|(?-i:[A-Z][a-z]+)(?:'s|’s)|(?:son|daughter)(?:'s|’s))\s+"
        r"wedding(?!\s+(?:anniversary|planner|industry|venue clients?))|wedding\s+(?:is|was|on"
        r"|in|next|this|day)\b|tied the knot|marries)\b",
        0.85,
        guard=r"\b(?:golden|silver|ruby|diamond|pearl)\s+wedding\b",
    ),
    make_rule(
        "family",
        "pregnan expecting baby twins triplets birth born newborn maternity paternity "
        "parental became grandchild shower due date",
        r"\b(?P<cue>pregnant|pregnancy|expecting\s+(?:a\s+|her\s+|their\s+|his\s+)?(?:first\s+"
        r"|second\s+|third\s+|\w+\s+)?(?:baby|child|twins|boy|girl)|(?:baby|twins)\s+(?:is\s+"
        r"|are\s+)?due|due date|having a baby|had (?:a |the )?(?:baby|twins|triplets|(?:baby )?"
        r"(?:boy|girl))|gave birth|was born|were born|new baby|newborn|maternity leave"
        r"|paternity leave|parental leave|became a (?:grand)?(?:father|mother|parent|dad|mum|mom"
        r"|grandparent)|first grandchild|baby shower)\b",
        0.9,
    ),
    make_rule(
        "family",
        "adopted",
        r"\b(?P<cue>adopted\s+(?:a|an|their|her|his)\s+(?:baby|child|son|daughter|little girl"
        r"|little boy|girl|boy))\b",
        0.9,
    ),
    make_rule(
        "family",
        "school kindergarten nursery college university daycare",
        r"\b(?:" + RELATIONS + r"|" + NAME + r")\b(?:\s+[\w'’]+){0,2}?\s+(?P<cue>(?:starts?"
        r"|started|starting|begins?|began|goes|going|went|leaving|left|off)\s+(?:to\s+|for\s+)?"
        r"(?:school|kindergarten|nursery|preschool|pre-school|college|university|uni|high school"
        r"|secondary school|primary school|middle school|daycare))\b",
        0.85,
    ),
    make_rule(
        "family",
        "graduat|got into|first day|first steps|first words|christening|baptism|mitzvah|communion",
        r"\b(?:" + RELATIONS + r")\b[^.;!?]{0,30}?\b(?P<cue>graduat(?:es|ed|ing|ion)|got into"
        r"\s+(?:\w+\s+)?(?:school|college|university|uni)|first day (?:of|at) (?:school|college"
        r"|kindergarten)|christening|baptism|bar mitzvah|bat mitzvah|first communion|first steps"
        r"|first words|prom)\b",
        0.85,
    ),
    make_rule(
        "family",
        "visiting|coming to|coming over|coming for|staying with|in town|flying in|over from"
        "|coming from",
        r"\b(?:" + RELATIONS + r"|grandpa|grandma)(?:\s+" + NAME + r")?\s+(?:are|is|'re|’re"
        r"|will be|were)\s+(?P<cue>visiting|coming (?:to (?:stay|visit)|over|for (?:a visit"
        r"|christmas|thanksgiving|the holidays|easter))|staying with|in town|flying in"
        r"|over from|coming from)",
        0.85,
    ),
    make_rule(
        "family",
        "kids children sons daughters boys girls son daughter grandchildren grandkids",
        r"\b(?:has|have|with|of)\s+(?:a|an|one|two|three|four|five|six|\d+)\s+(?:young\s+"
        r"|little\s+|grown(?:-up)?\s+|small\s+)?(?P<cue>kids|children|sons|daughters|boys|girls"
        r"|son|daughter|grandchildren|grandkids)\b",
        0.65,
        durable=True,
    ),
    make_rule(
        "family",
        "married",
        r"\b(?:i am|i'm|im|she is|he is|she's|he's|they are|happily|newly)\s+(?P<cue>married)\b",
        0.6,
        durable=True,
    ),
    # ------------------------------------------------------------------ loss
    make_rule(
        "loss",
        "died|passed|killed|dead|put down|put to sleep",
        r"\b(?:(?:"
        + RELATIONS
        + r"|"
        + PETS
        + r")(?:'s|’s)?(?:\s+[\w'’]+){0,2}?|"
        + NAME
        + r")\s+(?:has\s+|had\s+|sadly\s+|suddenly\s+)?(?P<cue>died|passed away|passed(?: on)?"
        r"(?!\s+(?:on\s+)?(?:his|her|their|the|a|an|my|our|it|this|that|your|me|us|them|him"
        r"|with|by|along|over)\b)|was killed|were killed|is dead|had to be put down|was put down"
        r"|put to sleep|was put to sleep)\b",
        0.9,
        guard=r"\b(?:deal|project|bid|quote|idea|product|line|order|server|battery|budget"
        r"|laptop|printer|phone|car|engine|sale|plan|proposal|initiative)\b[^.;]{0,30}?\b"
        r"(?:died|is dead)",
    ),
    make_rule(
        "loss",
        "lost his|lost her|lost their|lost my|lost our",
        r"\b(?P<cue>lost)\s+(?:his|her|their|my|our)\s+(?:\w+\s+)?(?:"
        + RELATIONS
        + r"|"
        + PETS
        + r")\b",
        0.85,
    ),
    make_rule(
        "loss",
        "funeral bereave memorial passed condolence widow",
        r"\b(?P<cue>funeral|bereavement|bereaved|memorial service|passed away|condolences|widowed"
        r"|widow|widower|death of (?:his|her|their|my) (?:\w+\s+)?(?:"
        + RELATIONS
        + r"|"
        + PETS
        + r"))\b",
        0.75,
    ),
    # ------------------------------------------------------------------ celebration
    make_rule(
        "celebration",
        "birthday",
        r"\b(?P<cue>(?:\d+(?:st|nd|rd|th)\s+|\w+ieth\s+|big\s+|milestone\s+)?birthday)\b",
        0.85,
        guard=r"\b(?:its|company|firm|business|store|shop)(?:'s|’s)?\s+(?:\d+\w*\s+)?birthday"
        r"|birthday\s+(?:discount|campaign|promo|offer|emails?|list|module|field|voucher scheme)",
    ),
    make_rule(
        "celebration",
        "turn",
        r"\b(?P<cue>(?:turns?|turning|turned)\s+(?:\d{1,3}|\w+ty|one|two|three|four|five|six"
        r"|seven|eight|nine|ten|eleven|twelve|\w+teen|\w+ty-\w+))(?=\s*(?:[.,;!?]|$|on\b|this\b"
        r"|next\b|today\b|tomorrow\b|in\b|years?\b|and\b|soon\b))",
        0.8,
    ),
    make_rule(
        "celebration",
        "anniversary",
        r"\b(?P<cue>(?:(?:\d+(?:st|nd|rd|th)|\w+(?:th|st))\s+)?(?:wedding\s+)?anniversary)\b",
        0.85,
        guard=r"\b(?:its|company|firm|business|store|shop|practice|clinic|dental|partnership"
        r"|contract|our)(?:'s|’s)?\s+(?:[\w-]+\s+)?anniversary|anniversary\s+(?:sale|promo"
        r"|campaign|edition|of (?:the|our|their) (?:company|partnership|contract|account|firm"
        r"|business|opening|launch))",
    ),
    make_rule(
        "celebration",
        "housewarming|birthday party|hen do|hen party|stag do|stag party|bachelor"
        "|graduation party|golden wedding|silver wedding|ruby wedding|diamond wedding"
        "|sweet sixteen|quincea",
        r"\b(?P<cue>housewarming|birthday party|hen (?:do|party)|stag (?:do|party)"
        r"|bachelor(?:ette)? party|graduation party|(?:golden|silver|ruby|diamond) wedding"
        r"|sweet sixteen"
        r"|quincea[ñn]era)\b",
        0.85,
    ),
)
