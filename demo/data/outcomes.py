"""What each demo test's outcome data shows: the true lift per metric, and anything broken.

`lifts` gives each metric's relative change for the treatments (one value for all of them, or
one per treatment); a metric left out did not move. `skew` multiplies the treatments' traffic
against the planned split (a broken assignment), `traffic` the planned daily traffic, and
`refresh_error` makes the latest refresh fail after a good answer. `devices` loads the test
split by device (each device's share of the users), with `device_lifts` the lift per device
where it differs from `lifts`. Together the tests show
every state of the results page on the first start: ship, do not ship, no difference, data
problem, guardrail harmed, keep running and a failed refresh.
"""

SCENARIOS = {
    # Winner.
    "Delivery date promise on product pages": {
        "lifts": {
            "Order conversion": 0.062,
            "Add-to-cart rate": 0.021,
            "Web revenue per visitor": 0.04,
        },
        # Loaded by device: the same lift on mobile and desktop.
        "devices": {"mobile": 0.6, "desktop": 0.4},
    },
    # Guardrail harmed: returns up.
    "Free-shipping progress bar in the mini-cart": {
        "lifts": {
            "Average order value": 0.014,
            "Items per order": 0.05,
            "Product return rate": 0.15,
        },
        "traffic": 1.5,
    },
    # No difference: enough users to see a 3% change, and none came.
    "Customer reviews above the fold": {
        "lifts": {"Add-to-cart rate": (0.004, 0.002)},
        "traffic": 1.4,
    },
    "Guest checkout as the default path": {
        "lifts": {"Checkout completion": 0.045, "Order conversion": 0.012},
        # Loaded by device: guest checkout helps on mobile, where typing a password hurts.
        "devices": {"mobile": 0.5, "desktop": 0.5},
        "device_lifts": {"Checkout completion": {"mobile": 0.09, "desktop": 0.0}},
    },
    "Birthday voucher a week early": {
        "lifts": {"Offer redemption rate": 0.2, "Revenue per member": 0.06},
    },
    "Points balance block in the weekly newsletter": {
        "lifts": {"Repeat purchase rate": 0.002, "E-mail click-through rate": 0.09},
    },
    # Guardrail harmed: unsubscribes more than doubled.
    "Daily offer e-mails for engaged members": {
        "lifts": {"Revenue per member": 0.003, "Unsubscribe rate": 1.5},
    },
    "Push pre-prompt explaining the value": {
        "lifts": {"Push opt-in rate": 0.27, "Day-30 app retention": 0.02},
    },
    # Loser: the primary metric went down.
    "Personalised feed on the app home screen": {
        "lifts": {"App order conversion": -0.075, "App revenue per user": -0.03},
    },
    "One-tap reorder for everyday essentials": {
        "lifts": {"Weekly app buyer rate": 0.004},
        "traffic": 1.3,
    },
    "Free shipping on the first app order": {
        "lifts": {"App order conversion": 0.14, "Average order value": -0.02},
    },
    # Data problem: 1 : 1.2 against a planned 50/50.
    "Payment options shown on the product page": {
        "lifts": {"Order conversion": 0.03},
        "skew": 1.2,
    },
    "Price-drop push for wishlist items": {
        "lifts": {"App revenue per user": 0.02},
    },
    # Failed refresh: the last good answer stays, beside the reason.
    "Sticky add-to-cart bar on mobile product pages": {
        "lifts": {"Add-to-cart rate": 0.05},
        "refresh_error": (
            "The nightly export from the web analytics tool did not arrive, so today's numbers "
            "are missing. The answer below is from the last good refresh; the next scheduled "
            "refresh tries again in six hours."
        ),
    },
    # Keep running: three days in, "about N more days".
    "Win-back series for lapsed members": {
        "lifts": {"Repeat purchase rate": 0.08},
    },
}
