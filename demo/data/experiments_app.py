"""App Growth's tests. App tests wait for the release train, hence the empty sprint 4."""

APP_EXPERIMENTS = [
    {
        "title": "Push pre-prompt explaining the value",
        "idea": "Explain push before the system prompt",
        "owner": "ali.hassan",
        "channel": "app",
        "audience": "New installs on iOS and Android",
        "tags": ["push", "onboarding"],
        "insight": "that the system prompt appears before people know what push is for",
        "change": "a screen about order tracking and price drops before the prompt",
        "effect": "increase push opt-in",
        "mde": 5.0,
        "daily_traffic": 2500,
        "variants": [
            ("Control", "System prompt on first launch.", 50),
            ("Pre-prompt", "“Know when your order arrives” screen, then the prompt.", 50),
        ],
        "metrics": {
            "primary": "Push opt-in rate",
            "secondary": ["Day-30 app retention"],
            "guardrail": ["App uninstall rate"],
        },
        "status": "concluded",
        "sprint": 1,
        "start_day": 1,
        "conclusion": {
            "decision": "ship",
            "learning": (
                "Explaining what push is for before asking raised opt-in, with no rise in "
                "uninstalls. People say yes when they see the benefit."
            ),
            "why": "Order tracking was the benefit people mentioned in the follow-up survey.",
            "next_test": "Use the opted-in audience for price-drop alerts.",
        },
    },
    {
        "title": "Personalised feed on the app home screen",
        "owner": "ali.hassan",
        "channel": "app",
        "audience": "All app users",
        "tags": ["home", "personalisation"],
        "insight": "that the home screen is the same campaign page for everyone",
        "change": "a personalised product feed instead of “recently viewed”",
        "effect": "increase app order conversion",
        "mde": 6.0,
        "daily_traffic": 57000,
        "variants": [
            ("Control", "Campaign banner and “recently viewed”.", 50),
            ("Personal feed", "An endless feed of recommended products.", 50),
        ],
        "metrics": {
            "primary": "App order conversion",
            "secondary": ["App revenue per user"],
            "guardrail": ["App uninstall rate"],
        },
        "status": "concluded",
        "sprint": 2,
        "start_day": 2,
        "conclusion": {
            "decision": "abandon",
            "learning": (
                "App users open the app to finish what they started, not to browse: replacing "
                "“recently viewed” with a feed cut order conversion."
            ),
            "why": "Taps on recently viewed products were the most common path to an order.",
            "next_test": "Keep recently viewed first; test the feed below it.",
        },
    },
    {
        "title": "One-tap reorder for everyday essentials",
        "owner": "ali.hassan",
        "channel": "app",
        "audience": "App users who bought essentials before",
        "tags": ["reorder", "habit"],
        "insight": "that candles, bedding and towels are rebought every few months",
        "change": "a “Buy again” button for past essentials on the home screen",
        "effect": "increase the weekly buyer rate",
        "mde": 5.0,
        "daily_traffic": 57000,
        "variants": [
            ("Control", "No reorder button.", 50),
            ("Buy again", "“Buy again” row with one-tap checkout.", 50),
        ],
        "metrics": {
            "primary": "Weekly app buyer rate",
            "secondary": ["App revenue per user"],
        },
        "status": "concluded",
        "sprint": 3,
        "start_day": 1,
        "conclusion": {
            "decision": "inconclusive",
            "learning": (
                "Few users in the test used “Buy again”, too few to move the weekly buyer rate. "
                "The feature may work, but for a much smaller audience than we tested on."
            ),
            "why": "Most app users had no essentials in their order history.",
            "next_test": "Test reorder only on users with two or more essentials orders.",
        },
    },
    {
        "title": "Free shipping on the first app order",
        "owner": "ali.hassan",
        "channel": "app",
        "audience": "App users who have never ordered in the app",
        "tags": ["first order", "shipping"],
        "insight": "that shipping cost is the top reason first app carts are abandoned",
        "change": "free shipping on the first order placed in the app",
        "effect": "increase app order conversion",
        "mde": 8.0,
        "daily_traffic": 32000,
        "variants": [
            ("Control", "Standard shipping, free above 499 SEK.", 50),
            ("Free first order", "Free shipping on the first app order.", 50),
        ],
        "metrics": {
            "primary": "App order conversion",
            "secondary": ["App revenue per user"],
            "guardrail": ["Average order value"],
        },
        "status": "analysing",
        "sprint": 5,
        "start_day": 1,
    },
    {
        "title": "Price-drop push for wishlist items",
        "idea": "Price-drop push for wishlist items",
        "owner": "ali.hassan",
        "channel": "push",
        "audience": "App users with a wishlist item and push on",
        "tags": ["push", "wishlist", "price"],
        "insight": "that wishlisted items that drop in price sell out within days",
        "change": "a push notification when a wishlisted item's price falls",
        "effect": "increase app revenue per user",
        "mde": 5.0,
        "daily_traffic": 46000,
        "variants": [
            ("Control", "No price-drop notifications.", 50),
            ("Price-drop push", "“The linen duvet cover on your wishlist is now 25% off.”", 50),
        ],
        "metrics": {
            "primary": "App revenue per user",
            "secondary": ["Weekly app buyer rate"],
            "guardrail": ["App uninstall rate"],
        },
        "status": "running",
        "sprint": 5,
        "start_day": 3,
    },
    {
        "title": "Store mode: scan a shelf label",
        "idea": "Store mode: scan a shelf label for reviews and stock",
        "owner": "ali.hassan",
        "channel": "store",
        "audience": "App users in or near a store",
        "tags": ["omnichannel", "store"],
        "insight": "that store staff are asked about online reviews several times a day",
        "change": "scanning a shelf label to see reviews, sizes and stock",
        "status": "draft",
        "created_days_ago": 6,
    },
]
