"""Web Growth's tests, one per lifecycle state and outcome, placed in its sprints.

`sprint` is the sprint number, `start_day` the day of that sprint the test started (or is
planned to start), `run_days` how long it ran when that differs from the sample-size plan.
"""

WEB_EXPERIMENTS = [
    {
        "title": "Delivery date promise on product pages",
        "idea": "Show the delivery date next to the buy button",
        "owner": "marketer.max",
        "channel": "web",
        "audience": "Product-page visitors in Sweden and Norway",
        "tags": ["delivery", "product page", "trust"],
        "description": "The date comes from the warehouse cut-off (14:00) and the carrier's "
        "promise for the visitor's postcode. **No date** is shown when stock is in the "
        "external warehouse.",
        "insight": "that “when will it arrive?” is the top chat question and visitors scroll "
        "to the footer looking for delivery times",
        "change": "showing an estimated delivery date under the buy button",
        "effect": "increase order conversion",
        "mde": 4.0,
        "daily_traffic": 140000,
        "variants": [
            ("Control", "Today's product page: “Delivery in 2–5 working days” in the footer.", 50),
            ("Delivery date", "“Arrives Thursday 14 March” under the buy button.", 50),
        ],
        "metrics": {
            "primary": "Order conversion",
            "secondary": ["Add-to-cart rate", "Web revenue per visitor"],
            "guardrail": ["Product return rate"],
        },
        "status": "concluded",
        "sprint": 1,
        "start_day": 2,
        "conclusion": {
            "decision": "ship",
            "learning": (
                "Certainty sells: a concrete delivery date lifted order conversion, with no "
                "change in returns. Visitors value knowing when more than a vague promise of "
                "fast."
            ),
            "why": "The effect was largest on gifts and furniture, where the date matters.",
            "next_test": "Show the date on category pages and in the mini-cart.",
        },
    },
    {
        "title": "Free-shipping progress bar in the mini-cart",
        "owner": "oskar.dahl",
        "channel": "web",
        "audience": "Visitors with items in the cart below 499 SEK",
        "tags": ["aov", "shipping", "cart"],
        "description": "A bar fills up towards the free-shipping threshold of 499 SEK and "
        "suggests products that close the gap.",
        "insight": "that 41% of carts sit between 350 and 499 SEK, just below free shipping",
        "change": "a progress bar towards free shipping with gap-filling suggestions",
        "effect": "increase average order value",
        "mde": 2.0,
        "daily_traffic": 12000,
        "variants": [
            ("Control", "Mini-cart as today, with the shipping cost as a line.", 50),
            ("Progress bar", "“You're 87 SEK from free shipping” with three suggestions.", 50),
        ],
        "metrics": {
            "primary": "Average order value",
            "secondary": ["Items per order"],
            "guardrail": ["Product return rate"],
        },
        "status": "concluded",
        "sprint": 2,
        "start_day": 1,
        "conclusion": {
            "decision": "abandon",
            "learning": (
                "A free-shipping bar makes people pad their carts with items they send back: "
                "order value barely moved but the return rate rose, so net revenue fell. Watch "
                "returns on every basket-size test."
            ),
            "why": "Returned items were mostly cheap accessories added to reach 499 SEK.",
            "next_test": "Suggest only items with a low return rate to fill the gap.",
        },
    },
    {
        "title": "Customer reviews above the fold",
        "owner": "marketer.max",
        "channel": "web",
        "audience": "All product-page visitors",
        "tags": ["reviews", "product page", "social proof"],
        "description": "Two ways of moving reviews up: the star summary, or the two most "
        "helpful review snippets.",
        "insight": "that only 12% of visitors scroll down to the reviews section",
        "change": "showing reviews next to the product image",
        "effect": "increase add-to-cart rate",
        "mde": 3.0,
        "daily_traffic": 92000,
        "variants": [
            ("Control", "Stars under the title, reviews at the bottom of the page.", 34),
            ("Star summary", "Star distribution and count beside the image.", 33),
            ("Review snippets", "The two most helpful reviews beside the image.", 33),
        ],
        "metrics": {
            "primary": "Add-to-cart rate",
            "secondary": ["Order conversion"],
            "guardrail": ["Product return rate"],
        },
        "status": "concluded",
        "sprint": 3,
        "start_day": 2,
        "conclusion": {
            "decision": "inconclusive",
            "learning": (
                "Moving reviews up did not change add-to-cart by as much as the test could see: "
                "the stars under the title already carry most of the social proof. Any effect "
                "is too small to be worth a redesign."
            ),
            "why": "Heat maps show visitors look at the stars next to the title already.",
            "next_test": "None on reviews for now; test review content in e-mails instead.",
        },
    },
    {
        "title": "Guest checkout as the default path",
        "idea": "Guest checkout as the default path",
        "owner": "oskar.dahl",
        "channel": "web",
        "audience": "First-time customers starting checkout",
        "tags": ["checkout", "first order"],
        "description": "Sign-in stays available as a link at the top of checkout.",
        "insight": "that 38% of first-time customers who leave checkout do so at sign-in",
        "change": "opening checkout as a guest by default",
        "effect": "increase checkout completion",
        "mde": 3.0,
        "daily_traffic": 5800,
        "variants": [
            ("Control", "Sign in or create an account first.", 50),
            ("Guest first", "Guest checkout first; sign-in as a link.", 50),
        ],
        "metrics": {
            "primary": "Checkout completion",
            "secondary": ["Order conversion"],
            "guardrail": ["Customer lifetime value (12 months)"],
        },
        "status": "concluded",
        "sprint": 4,
        "start_day": 1,
        "conclusion": {
            "decision": "iterate",
            "learning": (
                "Guest checkout raises completion for first-time customers, but club sign-ups "
                "in checkout fell, and club members are worth far more over a year. The sign-up "
                "must move, not disappear."
            ),
            "why": "Most first-time buyers joined the club only because checkout asked them to.",
            "next_test": "Guest checkout plus a one-click club sign-up on the confirmation page.",
        },
    },
    {
        "title": "Category tiles instead of the homepage carousel",
        "owner": "marketer.max",
        "channel": "web",
        "audience": "All homepage visitors",
        "tags": ["homepage", "navigation"],
        "insight": "that only 2% of visitors click the carousel, and mostly its first slide",
        "change": "replacing the carousel with eight category tiles",
        "effect": "increase revenue per visitor",
        "mde": 3.0,
        "daily_traffic": 210000,
        "variants": [
            ("Control", "Five-slide campaign carousel.", 50),
            ("Category tiles", "Eight category tiles with seasonal images.", 50),
        ],
        "metrics": {
            "primary": "Web revenue per visitor",
            "secondary": ["Order conversion"],
        },
        "status": "archived",
        "sprint": 4,
        "start_day": 8,
        "archive_after_days": 6,
    },
    {
        "title": "Sticky add-to-cart bar on mobile product pages",
        "idea": "Sticky add-to-cart bar on mobile product pages",
        "owner": "marketer.max",
        "channel": "web",
        "audience": "Mobile visitors on product pages",
        "tags": ["mobile", "product page"],
        "insight": "that 62% of mobile product-page time is spent below the buy button",
        "change": "keeping a slim add-to-cart bar visible at the bottom of the screen",
        "effect": "increase add-to-cart rate",
        "mde": 3.0,
        "daily_traffic": 120000,
        "variants": [
            ("Control", "The buy button scrolls away with the page.", 50),
            ("Sticky bar", "Price and “Add to cart” fixed at the bottom.", 50),
        ],
        "metrics": {
            "primary": "Add-to-cart rate",
            "secondary": ["Order conversion"],
            "guardrail": ["Product return rate"],
        },
        "status": "running",
        "sprint": 5,
        "start_day": 1,
    },
    {
        "title": "Payment options shown on the product page",
        "owner": "oskar.dahl",
        "channel": "web",
        "audience": "All product-page visitors in Sweden",
        "tags": ["payment", "trust", "product page"],
        "insight": "that visitors open the payment FAQ from checkout 9,000 times a week",
        "change": "showing Swish, card and pay-later logos under the buy button",
        "effect": "increase order conversion",
        "mde": 5.0,
        "daily_traffic": 140000,
        "variants": [
            ("Control", "Payment options appear only in checkout.", 50),
            ("Payment logos", "Logos and “Pay in 30 days” under the buy button.", 50),
        ],
        "metrics": {
            "primary": "Order conversion",
            "secondary": ["Average order value"],
            "guardrail": ["Product return rate"],
        },
        "status": "analysing",
        "sprint": 5,
        "start_day": 0,
    },
    {
        "title": "Fit advice from return reasons",
        "idea": "Size guide with fit feedback from returns",
        "owner": "oskar.dahl",
        "channel": "web",
        "audience": "Visitors to fashion product pages",
        "tags": ["returns", "fashion", "product page"],
        "insight": "that “too small” and “too big” cause 54% of fashion returns",
        "change": "fit advice drawn from return reasons beside the size picker",
        "effect": "decrease the return rate",
        "mde": 8.0,
        "daily_traffic": 6900,
        "variants": [
            ("Control", "Size picker and the standard size chart.", 50),
            ("Fit advice", "“Most customers say this runs small” beside the picker.", 50),
        ],
        "metrics": {
            "primary": "Product return rate",
            "secondary": ["Order conversion"],
            "guardrail": ["Average order value"],
        },
        "status": "planned",
        "sprint": 5,
        "start_day": 12,
    },
    {
        "title": "Complete-the-look bundles on fashion pages",
        "idea": "Complete-the-look bundles on fashion pages",
        "owner": "marketer.max",
        "channel": "web",
        "audience": "Visitors to fashion product pages",
        "tags": ["aov", "fashion", "recommendations"],
        "insight": "that orders with matching fashion items have a 70% higher order value",
        "change": "a “Complete the look” row with the items from the campaign photo",
        "metrics": {"primary": "Average order value"},
        "status": "draft",
        "created_days_ago": 4,
    },
]
