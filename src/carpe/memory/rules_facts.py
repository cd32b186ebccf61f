"""Rules for durable facts: interests and preferences."""

from __future__ import annotations

from carpe.memory.rule import (
    CHANNELS,
    LANGUAGES,
    NAME,
    OBJ,
    Rule,
    make_rule,
)

__all__ = ["FACT_RULES"]

FACT_RULES: tuple[Rule, ...] = (
    # ------------------------------------------------------------------ interest
    make_rule(
        "interest",
        "fan supporter gardener golfer reader cyclist runner angler fisherman hiker skier cook "
        "baker collector travel sailor photographer birdwatcher birder knitter gamer swimmer "
        "climber surfer painter musician dancer chef foodie skater rider walker player",
        r"\b(?P<cue>(?:huge|big|massive|die-?hard|avid|keen|lifelong|mad|rabid|devoted|passionate"
        r"|enthusiastic|serious|amateur|great)\s+(?P<obj>(?:[\w'’]+\s+){0,2}?(?:fan|supporter"
        r"|gardener|golfer|reader|cyclist|runner|angler|fisherman|hiker|skier|cook|baker|collector"
        r"|traveller|traveler|sailor|photographer|birdwatcher|birder|knitter|gamer|swimmer"
        r"|climber|surfer|painter|musician|dancer|chef|foodie|skater|rider|walker"
        r"|chess player)))\b",
        0.85,
        guard=r"\bfan of (?:our|your|us|it|this|that|the new|working|automation|the (?:product"
        r"|service|platform|app|tool|portal|idea|approach|format|dashboard|report))",
    ),
    make_rule(
        "interest",
        "love|lovi|ador|enjoy|is into|'s into|’s into|am into|are into|really into|big into"
        "|passionate|obsessed|crazy about|mad about|hooked|fan of|like",
        r"\b(?P<cue>loves?|loving|adores?|enjoys?|enjoying|(?:is|'s|’s|am|are|really|big)\s+into"
        r"|passionate about|obsessed with|crazy about|mad about|hooked on|fan of"
        r"|(?<!feels )(?<!looks )(?<!seems )(?<!sounds )(?<!feel )(?<!look )likes"
        r"|(?:(?<=\bi )|(?<=\bwe )|(?<=\bhe )|(?<=\bshe )|(?<=\bthey )|(?<=really )"
        r"|(?<=\balso )|(?<=\bstill )|(?<=\btotally )|(?<=\bdefinitely )|(?<=\bjust ))like)\s+"
        + OBJ,
        0.75,
        guard=r"\b(?:we'?d|we would|would|we|you'?d|you would|thought you'?d) (?:love|like) to\b",
    ),
    make_rule(
        "interest",
        "supports follows",
        r"\b(?P<cue>supports|follows)\s+(?P<obj>(?:the\s+)?" + NAME + r"(?:\s+" + NAME + r")?)",
        0.8,
    ),
    make_rule(
        "interest",
        "collect",
        r"\b(?P<cue>collects|collecting|i collect|collector of)\s+" + OBJ,
        0.8,
    ),
    make_rule(
        "interest",
        "play",
        r"\b(?P<cue>plays?|playing)\s+(?:in\s+(?:a|the)\s+)?(?P<obj>golf|tennis|squash|padel"
        r"|pickleball|chess|bridge|poker|guitar|piano|violin|drums|saxophone|sax|cello|football"
        r"|soccer|rugby|cricket|hockey|basketball|baseball|softball|volleyball|badminton"
        r"|the (?:guitar|piano|violin|drums|sax|saxophone|cello|bass|trumpet|flute|organ|harp"
        r"|ukulele)|(?:\w+\s+)?(?:band|orchestra|choir|league))\b",
        0.8,
    ),
    make_rule(
        "interest",
        "favourite favorite",
        r"\b(?P<cue>favou?rite\s+(?P<obj>(?:\w+\s+){0,2}?(?:place|restaurant|team|band|food|drink"
        r"|dish|coffee|wine|beer|book|author|film|movie|show|colou?r|flower|holiday|destination"
        r"|sport|music|singer|artist|spot|bar|pub|cafe|café|meal|snack|game|season|animal|hobby"
        r"|thing)(?:\s+(?:is|are)\s+[\w'’&-]+(?:\s+[\w'’&-]+){0,2})?))",
        0.8,
    ),
    make_rule(
        "interest",
        "favourite favorite",
        r"\b(?P<obj>[\w'’-]+(?:\s+[\w'’-]+){0,3}?)\s+(?:is|are)\s+(?P<cue>(?:my|her|his|their)"
        r"\s+(?:all-time\s+)?favou?rites?)\b",
        0.8,
    ),
    make_rule(
        "interest",
        "every",
        r"\b(?:i|she|he|they|we)\s+(?:go|goes|went|travel|travels)\s+(?P<obj>(?:to\s+)?[\w'’]+"
        r"(?:\s+[\w'’]+){0,3}?)\s+(?P<cue>every\s+(?:year|summer|winter|spring|weekend|week"
        r"|sunday|saturday|day|morning|month))\b",
        0.75,
    ),
    make_rule(
        "interest",
        "hobby|hobbies|pastime|spare time|free time|passion",
        r"\b(?P<cue>hobby|hobbies|pastime|in (?:his|her|their|my) (?:spare|free) time|passion"
        r" (?:is|for))\b",
        0.75,
    ),
    make_rule(
        "interest",
        "every|on weekends|on sundays|on saturdays|most days|most mornings|most weekends"
        "|twice a week|once a week|three times a week|daily|religiously",
        r"\b(?P<obj>yoga|pilates|golf|tennis|swimming|running|cycling|hiking|climbing|crossfit"
        r"|the gym|gym|fishing|sailing|surfing|skiing|gardening|baking|knitting|painting"
        r"|photography|birdwatching|chess|dancing|salsa|boxing|karate|judo|meditation|choir"
        r"|bowling|darts|rowing|horse riding|riding)\s+(?:\w+\s+){0,2}?(?P<cue>every (?:morning"
        r"|day|evening|night|week|weekend|sunday|saturday|monday|tuesday|wednesday|thursday"
        r"|friday)|on (?:weekends|sundays|saturdays)|most (?:days|mornings|weekends)|(?:twice"
        r"|three times|once) a week|daily|religiously)\b",
        0.8,
    ),
    make_rule(
        "interest",
        "volunteer",
        r"\b(?P<cue>volunteers?|volunteering)\s+(?:my\s+time\s+)?(?:at|with|for|in)\s+"
        r"(?P<obj>(?:(?:a|an|the|our|her|his|their|my|local)\s+)*[\w'’-]+(?:\s+[\w'’-]+){0,2})",
        0.75,
    ),
    make_rule(
        "interest",
        "season",
        r"\b(?P<cue>season[- ]ticket(?:\s+holder)?)\b",
        0.85,
    ),
    # ------------------------------------------------------------------ preference
    make_rule(
        "preference",
        "usual always usually regular standing order",
        r"\b(?P<cue>usual order|usually orders?|always orders?|orders? usually|regular order"
        r"|standing order|always (?:gets|has|takes|buys|asks for|wants|drinks)|usually (?:gets"
        r"|has|takes|buys|asks for|wants|drinks))\b",
        0.85,
        negatable=False,
    ),
    make_rule(
        "preference",
        "prefer",
        r"\b(?P<cue>prefers?|preferred|preferences?)\b(?!\s+(?:supplier|vendor|partner|shares?"
        r"|stock|status|list|pricing|rate))",
        0.8,
        negatable=False,
        guard=r"\bwe\s+prefer\b",
    ),
    make_rule(
        "preference",
        "be called|being called|addressed|known as|goes by|address him|address her"
        "|address them|please address|call him|call her|call them|pronoun",
        r"\b(?P<cue>(?:likes|like|wants|prefers|asked|asks)\s+(?:to be|being)\s+(?:called"
        r"|addressed|known as)|goes by|address (?:him|her|them) as|call (?:him|her|them) "
        + NAME
        + r"|please address|pronouns? (?:are|is))\b",
        0.9,
        negatable=False,
    ),
    make_rule(
        "preference",
        "likes|prefer|wants|asked for|asks for|happier with",
        r"\b(?P<cue>(?:likes|prefers?|wants|asked for|asks for|happier with)\s+(?:[\w'’]+\s+)"
        r"{0,3}?" + CHANNELS + r"s?\b(?:\s+(?:better than|over|rather than|instead of|not)\s+"
        r"\w+)?)",
        0.85,
        negatable=False,
    ),
    make_rule(
        "preference",
        "never|don't|do not|doesn't|does not|hates being|only in|only mornings"
        "|only afternoons|only evenings|only weekdays|only weekends|mornings only"
        "|afternoons only|evenings only"
        "|call her|call him|call them|ring her|ring him|contact her|contact him|reach her"
        "|reach him|best to",
        r"\b(?P<cue>(?:never|don't|do not|doesn't|does not)\s+(?:call|ring|book|email|text|phone"
        r"|contact|visit|schedule)(?:s|ing)?\s+(?:(?:her|him|them)\s+)?(?:before|after|on|during"
        r"|at)\s+\w+|hates being (?:called|contacted|rung|phoned)(?:\s+(?:before|after|on)\s+\w+)?"
        r"|only (?:in the )?(?:mornings?|afternoons?|evenings?|weekdays|weekends)|(?:mornings?"
        r"|afternoons?|evenings?) only|(?:best to\s+)?(?:call|ring|contact|reach)\s+(?:her|him"
        r"|them)\s+(?:only\s+)?(?:after|before|between)\s+\d+(?:\s*[ap]m)?"
        r"|best to (?:call|ring|contact|reach)\s+(?:[\w.]+\s+){0,2}?(?:after|before|between)\s+\d+"
        r"(?:\s*[ap]m)?)",
        0.8,
        negatable=False,
    ),
    make_rule(
        "preference",
        "keep calls|keep meetings|keep it|small talk|agenda in advance|speaks|window seat"
        "|corner booth|corner table|same table|same seat|same booth|same stylist|same barber"
        "|same hygienist|same doctor|same room|usual table|usual seat|usual booth|regular table"
        "|regular seat|regular booth|usual stylist|regular stylist",
        r"\b(?P<cue>keep (?:calls|meetings|it) (?:short|brief)|hates small talk|no small talk"
        r"|send (?:the )?agenda in advance|(?:only )?speaks " + LANGUAGES + r"|window seat"
        r"|corner (?:booth|table)|(?:same|usual|regular) (?:table|seat|booth|stylist|barber"
        r"|hygienist|doctor|room))\b",
        0.75,
        negatable=False,
    ),
    make_rule(
        "preference",
        "only uses|only buys|only drinks|only eats|only wants|only takes|only wears|only drink"
        "|only eat|only use|only buy|only wear|allergic|vegan|vegetarian|gluten|lactose|kosher"
        "|halal|dairy|teetotal|doesn't drink|doesn't eat|does not drink|does not eat",
        r"\b(?P<cue>only (?:uses|buys|drinks|eats|wants|takes|wears|drink|eat|use|buy|wear)"
        r"|allergic to|vegan|vegetarian|gluten[- ]free|lactose[- ]intolerant|kosher|halal"
        r"|dairy[- ]free|teetotal|doesn't (?:drink|eat)|does not (?:drink|eat))\b",
        0.8,
        negatable=False,
    ),
)
