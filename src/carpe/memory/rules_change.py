"""Rules for changes in a life: milestones, hardship, travel."""

from __future__ import annotations

from carpe.memory.lexicon import BUSINESS_PLACES, RELATIONS
from carpe.memory.rule import (
    BUSINESS_BEFORE_MOVE,
    NAME,
    TRAVEL_GUARD,
    WEEKDAYS_CAP,
    WEEKDAYS_MONTHS,
    Rule,
    make_rule,
)

__all__ = ["CHANGE_RULES"]

CHANGE_RULES: tuple[Rule, ...] = (
    # ------------------------------------------------------------------ milestone
    make_rule(
        "milestone",
        "marathon|ultra|triathlon|ironman|5k|10k|fun run|charity run|charity walk"
        "|charity ride|charity swim|race",
        r"\b(?:run|runs|running|ran|train(?:s|ing)?\s+for|trained\s+for|doing|did|do|finished"
        r"|completed|complete|entered|signed\s+up\s+for|racing|walk(?:ing)?|cycl(?:e|ing))\s+"
        r"(?:(?:her|his|their|my|a|an|the|in|in the|another)\s+)?(?:(?:first|second|third"
        r"|\d+(?:st|nd|rd|th)|next|own)\s+)?(?:" + NAME + r"\s+)?(?P<cue>(?:half[- ])?marathon"
        r"|ultra(?:marathon)?|triathlon|ironman|5k|10k|fun run|charity (?:run|walk|ride|swim)"
        r"|race)\b(?!\s+(?:quarter|close|session|meeting|call|sprint|day of|condition))",
        0.85,
    ),
    make_rule(
        "milestone",
        "exam test finals bar boards degree diploma phd ph.d doctorate mba master bachelor "
        "licence license certification cpa black belt apprenticeship qualification citizenship",
        r"\b(?P<cue>(?:passed|passes|pass|sitting|sat|taking|took|failed|aced|finished|completed"
        r"|got|earned|received|awarded|starting|started|starts|begins|doing|studying for)\s+"
        r"(?:(?:his|her|their|my|the|a|an)\s+)?(?:[\w'’]+\s+){0,2}?(?:exams?|test|finals|bar"
        r"|boards|degree|diploma|phd|ph\.d\.?|doctorate|mba|masters?|master's|bachelor'?s"
        r"|licen[cs]e|certification|cpa|black belt|apprenticeship|qualification|citizenship))\b",
        0.85,
        guard=r"\b(?:tests?|exam)\s+(?:suite|cases?|results?|environment|server|run|plan|order"
        r"|batch|build)|\b(?:uat|acceptance|load|penetration|pen|smoke|unit|integration|qa"
        r"|stress|a/b)\s+tests?\b|\b(?:software|user|site|seat|product|enterprise|annual"
        r"|trading|liquor|export|import|operating)\s+licen[cs]e|licen[cs]e\s+(?:key|renewal"
        r"|fee|count|seats?|agreement|server|cost)",
    ),
    make_rule(
        "milestone",
        "graduat",
        r"\b(?P<cue>graduat(?:ed|es|ing)|graduation)\b",
        0.75,
        guard=r"\b(?:" + RELATIONS + r")\b",
    ),
    make_rule(
        "milestone",
        "new job|new role|new position|got the job|got the role|promot|landed",
        r"\b(?P<cue>new (?:job|role|position)|got the (?:job|role)|(?:got|earned|received|offered"
        r"|accepted|gets|getting|up for|in line for)\s+(?:a|the|her|his|their|my)\s+promotion"
        r"|(?:got|was|been|is|getting|be)\s+promoted|promoted to|landed (?:a|the) (?:new )?"
        r"(?:job|role))\b",
        0.85,
    ),
    make_rule(
        "milestone",
        "retir",
        r"\b(?P<cue>retir(?:es|ed|ing|ement)|retire)\b",
        0.8,
        guard=r"\bretirement\s+(?:plan|fund|account|savings|scheme|pension|portfolio|benefits)"
        r"|\bretir\w*\s+(?:the|our|their|its|a|an|this|that|old|legacy)\b"
        r"|\bretirement\s+(?:lunch|party|dinner|do|gift|card|collection)\s+for\s+(?:their|the"
        r"|our|a|an)\b|\bretire\w*\s+(?:of|for)\s+(?:the|our|their)\s+(?:product|model|sku"
        r"|line|system|server|version|feature)",
    ),
    make_rule(
        "milestone",
        "house home flat apartment condo relocat emigrat first",
        r"\b(?P<cue>moving house|moving home|moved house|moved home|move house|house move"
        r"|house-hunting|house hunting|(?:bought|buying|buy|purchased|purchasing|closing on"
        r"|closed on|moved into|moving into|renovating|building)\s+(?:a|an|their|her|his|my|our"
        r"|the)\s+(?:(?:first|new|dream|own)\s+)*(?:house|home|flat|apartment|condo|place"
        r"|bungalow|cottage|farm)|first home|new house|new home|new flat|new apartment"
        r"|relocat(?:ing|ed|es|e) to|emigrat(?:ing|ed|e) to)\b",
        0.85,
        guard=BUSINESS_BEFORE_MOVE,
    ),
    make_rule(
        "milestone",
        "moving relocating moved",
        r"\b(?:is|are|'s|’s|'re|’re|am|will be|just|recently)\s+(?P<cue>moving|relocating|moved)"
        r"\b(?!\s+(?:the|our|your|it|them|forward|ahead|on|along|things|fast|quickly|slowly"
        r"|money|stock|goods|away from|over|up|down|towards?|into (?:a |the )?(?:care|nursing"
        r"|retirement) home|to (?:the next|a new (?:system"
        r"|platform|supplier|vendor|provider)|phase|stage|" + WEEKDAYS_MONTHS + r")))",
        0.75,
        guard=BUSINESS_BEFORE_MOVE,
    ),
    make_rule(
        "milestone",
        "own",
        r"\b(?P<cue>(?:starting|started|start|launching|launched|opening|opened|set up|setting up"
        r"|sets up)\s+(?:(?:his|her|their|my|a|an)\s+)?own\s+(?:\w+\s+)?(?:business|company|firm"
        r"|shop|restaurant|bakery|practice|cafe|café|salon|studio|agency|consultancy|store))\b",
        0.85,
    ),
    # ------------------------------------------------------------------ hardship
    make_rule(
        "hardship",
        "stolen broken burgl vandal robbed nicked towed keyed written totall",
        r"\b(?P<cue>(?:car|truck|van|bike|bicycle|motorbike|motorcycle|scooter|phone|wallet|purse"
        r"|handbag|bag|laptop|jewell?ery|identity|house|home|flat|apartment|garage|shed)\s+"
        r"(?:was|were|got|had been|has been|is)\s+(?:stolen|broken into|burgled|burglari[sz]ed"
        r"|vandali[sz]ed|robbed|nicked|written off|totall?ed))\b",
        0.9,
    ),
    make_rule(
        "hardship",
        "robbed|mugged|burgl|scammed|defrauded|held up|attacked|stole|break-in|theft|carjack",
        r"\b(?P<cue>(?:was|were|got|been)\s+(?:robbed|mugged|burgled|burglari[sz]ed|scammed"
        r"|defrauded|held up|attacked)|stole (?:his|her|their|my)|break-in at (?:his|her|their"
        r"|my) (?:house|home|flat|place)|identity theft|car theft|carjacked)\b",
        0.85,
        guard=r"\b(?:" + BUSINESS_PLACES + r")\s+(?:was|were|got|had been)\s+(?:robbed|burgl"
        r"|broken)",
    ),
    make_rule(
        "hardship",
        "accident crash collision fender prang pile-up wreck totall rolled",
        r"\b(?P<cue>(?:(?:car|road|traffic|minor|small|bad|serious|motorway|bike|cycling"
        r"|motorcycle|motorbike)\s+)?(?:accident|crash|collision|fender[- ]bender|prang|pile-up)"
        r"|(?:crashed|wrecked|totall?ed|rolled)\s+(?:his|her|their|my|the)\s+(?:car|truck|van"
        r"|bike))\b",
        0.8,
        guard=r"\b(?:forklift|warehouse|server|system|site|workplace|app|database|software"
        r"|plant|portal|website|machine|printer)\s+(?:accident|crash)|\bcrash(?:ed|es)?\s+"
        r"(?:the|our)\s+(?:server|system|app|site|database|portal)",
        accident=True,
    ),
    make_rule(
        "hardship",
        "flood|fire|burn|damage|collapsed|destroyed|tree fell|lost everything|caught fire",
        r"\b(?P<cue>(?:house|home|flat|apartment|basement|kitchen|place|garage|cellar|roof"
        r"|bathroom|car)\s+(?:was\s+|got\s+|has\s+|had\s+)?(?:flooded|flooding|a fire|caught"
        r"(?: on)? fire|burned down|burnt down|damaged|collapsed|destroyed)|(?:flood|fire|storm"
        r"|hail|tornado|hurricane|water|smoke)\s+damage\s+(?:to|at|in)\s+(?:his|her|their|my"
        r"|\w+'s|\w+’s)(?:\s+\w+)?|house fire|flooded out|lost everything|tree fell on)\b",
        0.85,
        guard=r"\bfire drill\b",
    ),
    make_rule(
        "hardship",
        "lost his job|lost her job|lost their job|lost my job|lost his|lost her|lost their"
        "|laid off|made redundant|let go|fired|sacked|furlough|unemploy|out of work|job loss"
        "|money|cash|financ|struggling|bankrupt|evict|foreclos|debt",
        r"\b(?P<cue>lost (?:his|her|their|my) (?:job|house|home|business|savings)|(?:was|were"
        r"|got|been|being|is|are)\s+(?:laid off|made redundant|let go|fired|sacked|furloughed)"
        r"|laid off|made redundant|unemployed|out of work|job loss|(?:money|cash|finances)\s+"
        r"(?:is\s+|are\s+)?(?:tight|short)|financial (?:trouble|difficult(?:y|ies)|hardship"
        r"|problems)|struggling (?:financially|with (?:money|bills|debt))|bankrupt(?:cy)?"
        r"|evicted|eviction|foreclosure|debt collectors?)\b",
        0.85,
        guard=r"\blaid off\s+(?:\d+|staff|workers|people|employees|half)|\b(?:company|firm"
        r"|business|supplier|customer|account|client|their)\s+(?:\w+\s+){0,2}(?:financial"
        r"|bankrupt|cash)",
    ),
    # ------------------------------------------------------------------ travel
    make_rule(
        "travel",
        "off going heading flying travel jetting driving sailing taking away",
        r"(?<![-\w])(?P<cue>(?:off|going|heading|flying|flies|flew|travell?ing|jetting|driving|sailing"
        r"|away|taking\s+(?:her|his|their|the)\s+(?:\w+\s+)?(?:kids|family|children|wife"
        r"|husband|partner|mum|mom|dad))\s+(?:[\w'’]+\s+){0,3}?(?:to|in)\s+(?:the\s+)?"
        r"(?!(?-i:" + WEEKDAYS_CAP + r"))(?P<obj>" + NAME + r"(?:\s+" + NAME + r"){0,2}))",
        0.75,
        guard=TRAVEL_GUARD,
    ),
    make_rule(
        "travel",
        "back from|returned from|returning from|home from",
        r"\b(?P<cue>(?:just back|back|returned|returning|coming back|home|flew back|got back)"
        r"\s+from\s+(?:(?:a|an|the|their|her|his|two|three|\w+)\s+){0,3}?(?:(?:week|weeks|days"
        r"|fortnight)\s+(?:in|on|at)\s+)?(?:(?P<obj>" + NAME + r"(?:\s+" + NAME + r")?)|holiday"
        r"|vacation|honeymoon|cruise|trip|safari|leave))",
        0.8,
        guard=TRAVEL_GUARD,
    ),
    make_rule(
        "travel",
        "holiday|vacation|honeymoon|cruise|safari|road trip|getaway|break|sabbatical|backpack"
        "|camping|skiing|ski|hiking|snorkel|diving|sailing|visiting|trip",
        r"\b(?P<cue>(?:on|from|for|a|her|his|their|the|my|our|summer|winter|family|ski(?:ing)?"
        r"|beach|camping|spring|easter)\s+(?:holiday|holidays|vacation|honeymoon|cruise"
        r"|road trip|getaway|city break|trip|sabbatical)|honeymoon|cruise|(?-i:safari)|road trip"
        r"|backpacking|going (?:camping|skiing|hiking|snorkell?ing|diving|sailing)|away (?:skiing"
        r"|camping|hiking|sailing)|ski(?:ing)? trip|trip to|visiting (?:family|(?:his|her|their"
        r"|my) (?:\w+\s+)?(?:" + RELATIONS + r")) in)\b",
        0.75,
        guard=TRAVEL_GUARD,
    ),
)
