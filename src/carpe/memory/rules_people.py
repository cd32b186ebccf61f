"""Rules for how people really write: shorthand, first person, chat, lower case.

The rules of :mod:`carpe.memory.rules_life`, :mod:`~carpe.memory.rules_change` and
:mod:`~carpe.memory.rules_facts` were written for tidy third-person CRM notes. These add
the ways staff shorthand ("knee op", "pts", "v excited", "pref text") and customers'
own words ("I'm moving to York", "we've had a death in the family", "my dog got out",
"i love rock climbing") say the same moments. Each needs a person (I, we, my, a
relative, a name) or a word no business uses, so business look-alikes stay out.
"""

from __future__ import annotations

from carpe.memory.lexicon import PETS, RELATIONS
from carpe.memory.rule import BODY, NAME, PET_KEYS, TRAVEL_GUARD, Rule, make_rule

__all__ = ["PEOPLE_RULES"]

_I = r"(?:i|i'm|im|i've|ive|i'd|i am|we|we're|we've|we are|my|our)"
_WHO = r"(?:" + _I + r"|" + RELATIONS + r"|he|she|they|" + NAME + r")"
_HOBBY = (
    r"(?:rock climbing|climbing|bouldering|hiking|backpacking|camping|fishing|surfing|skiing"
    r"|snowboarding|swimming|running|cycling|biking|golf|tennis|volleyball|basketball"
    r"|football|soccer|baseball|rugby|cricket|hockey|ultimate|frisbee|yoga|pilates|crossfit"
    r"|dance|dancing|ballet|salsa|swing dance|singing|painting|drawing|pottery|knitting"
    r"|sewing|baking|cooking|gardening|photography|reading|writing|poetry|chess|gaming"
    r"|video games|board games|woodworking|birdwatching|sailing|kayaking|horse riding"
    r"|martial arts|karate|judo|boxing|piano|guitar|violin|cello|drums|bass|ukulele"
    r"|saxophone|trumpet|choir|musicals|theatre|theater|opera|jazz|anime|movies|films"
    r"|netflix|travel(?:l?ing)?|learning|languages|history|science|astronomy|coding"
    r"|programming|art|music|books|comics|marvel|star wars|harry potter|disney)"
)

PEOPLE_RULES: tuple[Rule, ...] = (
    # ------------------------------------------------------------------ health
    make_rule(
        "health",
        "op |op,|op.|op-|ops |procedure",
        r"\b(?P<cue>(?:" + BODY + r"|hip|heart|eye|cataract|back|hernia|gallbladder|bunion"
        r"|dental|keyhole)\s+(?:op|ops|procedure))\b",
        0.85,
    ),
    make_rule(
        "health",
        "sick|ill |flu|surgery|hospital|doctor|remission|chemo|cancer",
        r"\b(?P<cue>" + _I + r"\s+(?:was|am|'m|been|got|have been|had|felt|feel|feeling|were)"
        r"\s+(?:really\s+|so\s+|very\s+|pretty\s+)?(?:sick|ill|unwell|the flu|surgery|in hospital"
        r"|in remission|chemo|cancer)|i'?m in remission|(?:had|having)\s+(?:\w+\s+)?surgery)\b",
        0.8,
    ),
    # ------------------------------------------------------------------ pet
    make_rule(
        "pet",
        PET_KEYS + "|pups",
        r"\b(?:" + PETS + r")\b[^.;!?]{0,40}?\b(?P<cue>had (?:\d+\s+|a litter of\s+)?pups"
        r"|had (?:a\s+)?litter|got (?:out|loose)|(?:is|was) (?:limping|lame|off (?:his|her) food)"
        r"|to get (?:his|her) stitches out)\b",
        0.85,
    ),
    make_rule(
        "pet",
        "collecting|picking up|bringing home",
        r"\b(?P<cue>(?:collecting|picking up|bringing home)\s+(?:a|an|the|their|her|his|our|my)"
        r"\s+(?:new\s+)?(?:[\w-]+\s+){0,2}?(?:" + PETS + r"))\b",
        0.85,
    ),
    make_rule(
        "pet",
        "my dog|my cat|our dog|our cat|my puppy|our puppy|my pet|my horse",
        r"\b(?P<cue>(?:my|our)\s+(?:\w+\s+)?(?:dog|cat|puppy|kitten|horse|pony|rabbit|pet"
        r"|border collie|beagle|lab|puggle))\b(?!\s+(?:food|insurance|shop|friendly))",
        0.6,
        durable=True,
    ),
    # ------------------------------------------------------------------ loss
    make_rule(
        "loss",
        "pts|put to sleep|death in the family|passed away|passed|died",
        r"\b(?P<cue>(?:was|were|been|being|had to be|got)\s+pts|death in the family"
        r"|(?:" + RELATIONS + r"|" + PETS + r")\s+(?:\w+\s+)?(?:finally\s+|just\s+|recently\s+)?"
        r"(?:passed away|passed|died))\b",
        0.85,
    ),
    # ------------------------------------------------------------------ family
    make_rule(
        "family",
        "grandad|granddad|grandpa|grandma|granny|nan|grandmother|grandfather",
        r"\b(?P<cue>became\s+a\s+(?:grandad|granddad|grandpa|grandma|granny|nan|grandmother"
        r"|grandfather|great-grand\w+))\b",
        0.9,
    ),
    make_rule(
        "family",
        "in-laws|inlaws|over from|visiting|coming into town|into town|in town",
        r"\b(?:" + RELATIONS + r"|in-laws|inlaws|parents|folks)\s+(?:\w+\s+)?(?P<cue>over from"
        r"|visiting|coming (?:into|in to) town|flew into town|(?:are|is) in town|coming to stay)\b",
        0.8,
    ),
    make_rule(
        "family",
        "sister|brother|siblings|daughter|son |kids|wife|husband|fianc|girlfriend|boyfriend",
        r"\b(?P<cue>(?:i|we)\s+(?:also\s+|just\s+|only\s+)?(?:have|has|'ve got|have got)\s+"
        r"(?:(?:a|an|one|two|three|four|five|six|\d+)\s+)?(?:\w+\s+){0,2}?(?:sisters?|brothers?"
        r"|siblings|daughters?|sons?|kids|children|nieces?|nephews?|girlfriend|boyfriend|wife"
        r"|husband)|(?:\d+|one|two|three|four|five|six)\s+(?:younger\s+|older\s+|little\s+"
        r"|big\s+)?(?:brothers|sisters)\b(?:\s+and\s+(?:\d+|one|two|three|four|five|six)\s+"
        r"(?:younger\s+|older\s+)?(?:brothers?|sisters?))?|(?:my|our)\s+(?:wife|husband"
        r"|fianc[ée]e?|girlfriend|boyfriend))\b",
        0.6,
        durable=True,
    ),
    # ------------------------------------------------------------------ celebration
    make_rule(
        "celebration",
        "turns|turning|turned",
        r"\b(?P<cue>(?:turns?|turning|turned)\s+(?:\d{2,3}|sixteen|eighteen|twenty-one|thirty"
        r"|forty|fifty|sixty|seventy|eighty|ninety|a hundred))\b(?!\s*(?:%|percent|people|staff"
        r"|users|seats|units|clients|customers|orders))",
        0.8,
    ),
    # ------------------------------------------------------------------ milestone
    make_rule(
        "milestone",
        "moving|relocating|moved",
        r"\b(?P<cue>" + _I + r"\s+(?:am\s+|are\s+|'re\s+|just\s+)?(?:moving|relocating|moved)"
        r"\s+(?:to|into|down to|up to|out of|house|in)\b(?:\s+(?P<obj>" + NAME + r"))?)",
        0.8,
        guard=r"\bmov(?:ing|ed)\s+(?:the\s+|our\s+|their\s+)?(?:meeting|call|appointment"
        r"|deadline|server|account|office|ticket|date|demo|review)s?\b",
    ),
    make_rule(
        "milestone",
        "graduat|a final|my final|finals|exam|midterm|a test|my test|study for|served my|served a"
        "|leave on|new job|full time job",
        r"\b(?P<cue>" + _I + r"\s+(?:\w+\s+){0,2}?(?:graduate|graduated|graduating|(?:have|'ve got"
        r"|got|study for) (?:a|my|two|the) (?:\w+\s+)?(?:final|finals|exam|midterm|test)s?"
        r"|got a (?:new |full time )?job"
        r"|start(?:ed)? (?:a|my) new job|served (?:my|a) mission|leave on (?:my|a) mission))\b",
        0.75,
    ),
    make_rule(
        "milestone",
        "work at|work in|work for|working at|working for|job at|job as",
        r"\b(?P<cue>(?:i|i'm|im|i am|my (?:wife|husband|dad|mom|mum|father|mother))\s+"
        r"(?:currently\s+|now\s+|also\s+)?(?:work|works|working|have a job)\s+(?:at|in|for|as)"
        r"\s+(?P<obj>[\w'’&-]+(?:\s+[\w'’&-]+){0,2}))",
        0.6,
        durable=True,
    ),
    # ------------------------------------------------------------------ travel
    make_rule(
        "travel",
        "back from|come back|came back",
        r"\b(?P<cue>(?:come|came|just|got)\s+back\s+from\s+(?:a|an|the|two|three)?\s*(?:week"
        r"|weeks|month|fortnight|days?)?\s*(?:\w+ing\s+)?(?:in|on|at)\s+(?P<obj>" + NAME + r"))",
        0.8,
        guard=TRAVEL_GUARD,
    ),
    make_rule(
        "travel",
        "i went|we went|i visited|we visited|been to|i'm flying|we're flying|im flying|am flying"
        "|took a|take a|taking a|going on a",
        r"\b(?P<cue>" + _I + r"\s+(?:(?:am|are|'m|'re|just|also)\s+)?(?:(?:flying|went|visited"
        r"|have been|'ve been|been)\s+(?:(?:to|in)\s+)?(?P<obj>(?-i:[A-Z][\w-]+)(?:\s+"
        r"(?-i:[A-Z][\w-]+))?)|(?:took|take|taking) a (?:\w+\s+)?(?:trip|vacation)"
        r"|going on (?:a\s+)?(?:trip|vacation|holiday)))",
        0.7,
        guard=TRAVEL_GUARD,
    ),
    # ------------------------------------------------------------------ interest
    make_rule(
        "interest",
        "plays|sings|choir|band",
        r"\b(?P<cue>(?:plays|playing|sings|singing)\s+(?:the\s+)?(?P<obj>bass|guitar|piano|drums"
        r"|violin|cello|sax(?:ophone)?|trumpet|keys|ukulele)|(?:sings?|singing)\s+in\s+(?:a\s+)?"
        r"choir|choir practice)\b",
        0.8,
    ),
    make_rule(
        "interest",
        "love|enjoy|like|'m into|am into|are into|adore",
        r"\b(?P<cue>" + _I + r"\s+(?:really\s+|also\s+|absolutely\s+|just\s+)*(?:love|enjoy"
        r"|like|am into|'m into|adore)\s+(?:to\s+|going\s+)?(?P<obj>" + _HOBBY + r"))\b",
        0.75,
    ),
    # ------------------------------------------------------------------ preference
    make_rule(
        "preference",
        "pref",
        r"\b(?P<cue>pref(?:ers|erred)?\.?\s+(?P<obj>(?:text|texts|email|emails|calls?|phone"
        r"|whatsapp|sms|post|letters?|mornings?|afternoons?|evenings?)(?:\s+(?:not|over|to)\s+"
        r"\w+)?))\b",
        0.8,
        negatable=False,
    ),
    make_rule(
        "preference",
        "vegetarian|vegan|gluten|kosher|halal|dairy",
        r"\b(?P<cue>(?:i'?m|i am|we'?re|we are|is|she's|he's)\s+(?:a\s+)?(?:vegetarian|vegan"
        r"|gluten[- ]free|coeliac|celiac|lactose intolerant|kosher|halal))\b",
        0.8,
    ),
)
