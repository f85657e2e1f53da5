"""CRM & Loyalty's tests. E-mail tests enter everyone on the day of the send, so they run
longer (`run_days`) than the sample-size plan needs, to give people time to buy."""

CRM_EXPERIMENTS = [
    {
        "title": "First name and home store in the newsletter subject line",
        "owner": "johan.lundgren",
        "channel": "email",
        "audience": "Weekly newsletter recipients in Sweden",
        "tags": ["newsletter", "personalisation", "subject line"],
        "insight": "that our subject lines are the same for 800,000 recipients",
        "change": "personalising the subject line with the first name, or name and store",
        "effect": "increase the open rate",
        "mde": 3.0,
        "daily_traffic": 280000,
        "variants": [
            ("Control", "“This week at Nordhem: linen for spring”", 34),
            ("First name", "“Anna, this week's linen for spring”", 33),
            ("Name and store", "“Anna, new linen in Nordhem Täby”", 33),
        ],
        "metrics": {
            "primary": "E-mail open rate",
            "secondary": ["E-mail click-through rate"],
            "guardrail": ["Unsubscribe rate"],
        },
        "status": "archived",
        "sprint": 1,
        "start_day": 3,
        "run_days": 7,
        "archive_after_days": 30,
        "conclusion": {
            "decision": "ship",
            "learning": (
                "A first name in the subject line raises opens but not clicks; the store name "
                "adds nothing. Opens are a weak proxy for what we want."
            ),
            "what_happened": "Opens rose with the first name and did not rise further with the "
            "store name; clicks did not move.",
            "why": "Personalisation gets attention; the content decides what happens next.",
            "next_test": "Test content that earns clicks, measured on clicks and purchases.",
        },
    },
    {
        "title": "Birthday voucher a week early",
        "idea": "Send the birthday voucher a week early",
        "owner": "mette.sorensen",
        "channel": "email",
        "audience": "Club members with a birthday in the coming week",
        "tags": ["loyalty", "offers", "timing"],
        "insight": "that two thirds of birthday vouchers are redeemed in the last two days",
        "change": "sending the voucher 7 days before the birthday, valid for 14 days",
        "effect": "increase offer redemption",
        "mde": 12.0,
        "daily_traffic": 6000,
        "variants": [
            ("Control", "Voucher on the birthday, valid 7 days.", 50),
            ("A week early", "Voucher 7 days before, valid 14 days.", 50),
        ],
        "metrics": {
            "primary": "Offer redemption rate",
            "secondary": ["Revenue per member"],
            "guardrail": ["Unsubscribe rate"],
        },
        "status": "concluded",
        "sprint": 2,
        "start_day": 1,
        "conclusion": {
            "decision": "ship",
            "learning": (
                "Timing beats size: the same voucher sent a week early was redeemed more often. "
                "Members plan birthday shopping ahead, often for a party."
            ),
            "why": "Redemptions moved to the weekend before the birthday.",
            "next_test": "Apply the same timing to the club anniversary offer.",
        },
    },
    {
        "title": "Points balance block in the weekly newsletter",
        "owner": "johan.lundgren",
        "channel": "email",
        "audience": "Weekly newsletter recipients with a points balance",
        "tags": ["points", "newsletter", "loyalty"],
        "insight": "that most members do not know their points balance",
        "change": "a block at the top showing each member's points and what they buy",
        "effect": "increase repeat purchases",
        "mde": 4.0,
        "daily_traffic": 410000,
        "variants": [
            ("Control", "Newsletter without the points block.", 50),
            ("Points block", "“You have 1,240 points: 62 SEK off your next order.”", 50),
        ],
        "metrics": {
            "primary": "Repeat purchase rate",
            "secondary": ["E-mail click-through rate"],
            "guardrail": ["Unsubscribe rate"],
        },
        "status": "concluded",
        "sprint": 3,
        "start_day": 2,
        "run_days": 14,
        "conclusion": {
            "decision": "iterate",
            "learning": (
                "Showing the points balance earns clicks but does not change buying across the "
                "whole list. The reason to act is missing for most members: their points do not "
                "expire soon."
            ),
            "why": "Members with points expiring within a month bought 11% more, the rest 0%.",
            "next_test": "The same block only for members whose points expire within 30 days.",
        },
    },
    {
        "title": "Daily offer e-mails for engaged members",
        "idea": "Daily offer e-mails for highly engaged members",
        "owner": "johan.lundgren",
        "channel": "email",
        "audience": "Active e-mail subscribers",
        "tags": ["frequency", "offers"],
        "insight": "that members who click every week buy four times more than average",
        "change": "sending a daily offer e-mail instead of the weekly one",
        "effect": "increase revenue per member",
        "mde": 5.0,
        "daily_traffic": 510000,
        "variants": [
            ("Control", "The weekly offer e-mail on Thursdays.", 50),
            ("Daily", "One offer e-mail every weekday.", 50),
        ],
        "metrics": {
            "primary": "Revenue per member",
            "secondary": ["E-mail click-through rate"],
            "guardrail": ["Unsubscribe rate", "Customer lifetime value (12 months)"],
        },
        "status": "concluded",
        "sprint": 4,
        "start_day": 1,
        "run_days": 14,
        "conclusion": {
            "decision": "abandon",
            "learning": (
                "More e-mail did not buy clearly more revenue, while unsubscribes rose sharply. "
                "Every unsubscribe is a member we can no longer reach, so the trade is a loss."
            ),
            "why": "Clicks per e-mail halved: the same interest spread over five sends.",
            "next_test": "Let members choose frequency in a preference centre.",
        },
    },
    {
        "title": "Win-back series for lapsed members",
        "idea": "Lapsed-member win-back with a personal offer",
        "owner": "mette.sorensen",
        "channel": "email",
        "audience": "Members with no purchase for 120 days",
        "tags": ["win-back", "loyalty"],
        "insight": "that members who have not bought for 120 days rarely come back alone",
        "change": "two e-mails with an offer from the category each member bought most",
        "effect": "increase repeat purchases",
        "mde": 15.0,
        "baseline": 0.06,
        "daily_traffic": 4100,
        "variants": [
            ("Control", "No win-back e-mail; the weekly newsletter only.", 50),
            ("Personal offer", "Two e-mails, day 0 and day 5, with 15% off the category.", 50),
        ],
        "metrics": {
            "primary": "Repeat purchase rate",
            "secondary": ["Active member rate", "Revenue per member"],
            "guardrail": ["Unsubscribe rate"],
        },
        "status": "running",
        "sprint": 5,
        "start_day": 3,  # three days in: the "keep running" demo
    },
    {
        "title": "“Complete your set” in the receipt e-mail",
        "idea": "“Complete your set” in the receipt e-mail",
        "owner": "johan.lundgren",
        "channel": "email",
        "audience": "Members who just bought, web and store",
        "tags": ["recommendations", "receipt"],
        "insight": "that receipt e-mails are opened by 71% of buyers",
        "change": "three matching products in the digital receipt",
        "effect": "increase repeat purchases within 30 days",
        "mde": 8.0,
        "baseline": 0.11,
        "daily_traffic": 21000,
        "variants": [
            ("Control", "The receipt as today.", 50),
            ("Complete your set", "Receipt with three matching products.", 50),
        ],
        "metrics": {
            "primary": "Repeat purchase rate",
            "secondary": ["Revenue per member"],
            "guardrail": ["Unsubscribe rate"],
        },
        "status": "planned",
        "sprint": 5,
        "start_day": 9,
        "run_days": 7,
    },
    {
        "title": "Members-only early access to the spring sale",
        "idea": "Members-only early access to the spring sale",
        "owner": "mette.sorensen",
        "channel": "email",
        "audience": "All club members",
        "tags": ["loyalty", "sale"],
        "insight": "that club sign-ups double in the week before the big sales",
        "change": "opening the spring sale 48 hours early for members",
        "effect": "increase the active member rate",
        "metrics": {"primary": "Active member rate"},
        "status": "draft",
        "created_days_ago": 2,
    },
]
